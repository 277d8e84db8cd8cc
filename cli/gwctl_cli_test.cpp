// gwctl as the operator runs it: exit codes, output, and that a refused import writes nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

const std::string kGwctl = XGW_GWCTL;
const std::string kDir = XGW_AWS_FIXTURES;

struct Result {
  int code;
  std::string out;
};

Result Gwctl(const std::string& args) {
  std::string cmd = kGwctl + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

class GwctlCli : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/xgw-cli-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(GwctlCli, ImportPrintsTomlThatDoctorAccepts) {
  Result r = Gwctl("import aws " + kDir + "/vpn-static.xml --interface eth0 --remote-network 10.20.0.0/16 --write " + dir_ + "/etc");
  ASSERT_EQ(r.code, 0) << r.out;
  Result d = Gwctl("doctor --no-host --config " + dir_ + "/etc/gwd.toml --aws " + kDir + "/vpn-static.xml");
  EXPECT_EQ(d.code, 0) << d.out;
  EXPECT_NE(d.out.find("0 fail"), std::string::npos) << d.out;
}

TEST_F(GwctlCli, RefusedImportWritesNothing) {
  for (const char* f : {"invalid/psk-forbidden-char.xml", "invalid/truncated.xml"}) {
    Result r = Gwctl(std::string("import aws ") + kDir + "/" + f + " --write " + dir_ + "/out");
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("gwctl import: "), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/out")) << f;
  }
}

TEST_F(GwctlCli, DoctorJsonAndExitCodeOnFailure) {
  Result r = Gwctl("doctor --no-host --json --config " + dir_ + "/missing.toml");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("\"exit_code\": 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"status\": \"fail\""), std::string::npos) << r.out;
}

TEST_F(GwctlCli, ImportJsonSummary) {
  Result r = Gwctl("import aws " + kDir + "/vpn-bgp.xml " + kDir + "/describe-vpn-connections.json --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\"dpd_timeout\": 40"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"routing\": \"bgp\""), std::string::npos) << r.out;
}

}  // namespace
