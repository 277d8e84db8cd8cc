#include "controller/config/config.h"
#include "controller/config/sample_config.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace xgw::config {
namespace {

const char* const kMinimal = sample::kText;

std::string ErrorOf(const std::string& text) {
  try {
    load_string(text, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string Replace(const std::string& s, const std::string& from, const std::string& to) {
  return sample::replace_once(s, from, to);
}

TEST(Config, MinimalGetsAwsDefaults) {
  Config c = load_string(kMinimal, "test.toml");
  ASSERT_EQ(c.connections.size(), 1u);
  const Connection& vpn = c.connections[0];
  EXPECT_EQ(vpn.routing, Routing::kStatic);
  EXPECT_EQ(vpn.local_selector.str(), "0.0.0.0/0");
  EXPECT_EQ(vpn.remote_selector.str(), "0.0.0.0/0");
  ASSERT_EQ(vpn.remote_networks.size(), 1u);
  EXPECT_EQ(vpn.remote_networks[0].str(), "10.0.0.0/16");
  ASSERT_EQ(vpn.tunnels.size(), 2u);
  const Tunnel& t1 = vpn.tunnels[0];
  EXPECT_EQ(t1.name, "vpn1/1");
  EXPECT_EQ(vpn.tunnels[1].name, "vpn1/2");
  EXPECT_EQ(ipv4_str(t1.peer_address), "203.0.113.21");
  EXPECT_EQ(ipv4_str(t1.local_inside()), "169.254.100.2");
  EXPECT_EQ(ipv4_str(t1.peer_inside()), "169.254.100.1");
  EXPECT_EQ(t1.algorithms, Algorithms{});
  EXPECT_EQ(t1.ike_lifetime, 28800u);
  EXPECT_EQ(t1.esp_lifetime, 3600u);
  EXPECT_EQ(t1.rekey_margin, 270u);
  EXPECT_EQ(t1.rekey_fuzz, 100u);
  EXPECT_EQ(t1.dpd_interval, 10u);
  EXPECT_EQ(t1.dpd_retries, 3u);
  EXPECT_EQ(t1.replay_window, 1024u);
  EXPECT_EQ(c.gateway.control_socket, "/run/xgw/gwd.sock");
  EXPECT_EQ(c.gateway.identity(), *parse_ipv4("198.51.100.10"));
}

TEST(Config, PublicAddressIsTheIdentity) {
  Config c = load_string(Replace(kMinimal, "local_address = \"198.51.100.10\"",
                                 "local_address = \"192.0.2.66\"\npublic_address = \"198.51.100.10\""),
                         "t");
  EXPECT_EQ(ipv4_str(c.gateway.identity()), "198.51.100.10");
  EXPECT_EQ(ipv4_str(c.gateway.local_address), "192.0.2.66");
}

TEST(Config, ShortLifetimesAreAllowedByTheProtocol) {
  std::string t = Replace(kMinimal, "inside_cidr = \"169.254.100.0/30\"",
                          "inside_cidr = \"169.254.100.0/30\"\nike_lifetime = 90\nesp_lifetime = 30\nrekey_margin = 10");
  Config c = load_string(t, "t");
  EXPECT_EQ(c.connections[0].tunnels[0].esp_lifetime, 30u);
  // The default margin (270 s) shrinks to half the shorter lifetime when not given.
  Config d = load_string(Replace(kMinimal, "inside_cidr = \"169.254.100.0/30\"",
                                 "inside_cidr = \"169.254.100.0/30\"\nesp_lifetime = 30"), "t");
  EXPECT_EQ(d.connections[0].tunnels[0].rekey_margin, 15u);
}

TEST(Config, Rfc5114OptInIsKeptForTheEngine) {
  Config c = load_string(Replace(kMinimal, "inside_cidr = \"169.254.100.0/30\"",
                                 "inside_cidr = \"169.254.100.0/30\"\nallow_rfc5114_groups = true\nike_dh_groups = [24, 14]"),
                         "t");
  EXPECT_TRUE(c.connections[0].tunnels[0].algorithms.allow_rfc5114_groups);
  EXPECT_FALSE(c.connections[0].tunnels[1].algorithms.allow_rfc5114_groups);
}

struct BadCase {
  const char* from;
  const char* to;
  const char* expected;  // a substring of the one-line error
};

class ConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrors, NameTheFieldTheValueAndTheRule) {
  const BadCase& c = GetParam();
  std::string err = ErrorOf(Replace(kMinimal, c.from, c.to));
  EXPECT_NE(err.find(c.expected), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << "one line: " << err;
  EXPECT_EQ(err.rfind("test.toml", 0), 0u) << err;
}

INSTANTIATE_TEST_SUITE_P(
    All, ConfigErrors,
    ::testing::Values(
        BadCase{"peer_address = \"203.0.113.21\"", "peer_address = \"203.0.113.300\"",
                "tunnel vpn1/1: peer_address = \"203.0.113.300\": expected an IPv4 address"},
        BadCase{"inside_cidr = \"169.254.100.0/30\"", "inside_cidr = \"169.254.100.0/29\"",
                "tunnel vpn1/1: inside_cidr = \"169.254.100.0/29\": expected a /30"},
        BadCase{"inside_cidr = \"169.254.100.0/30\"", "inside_cidr = \"169.254.100.1/30\"",
                "no host bits set"},
        BadCase{"inside_cidr = \"169.254.101.0/30\"", "inside_cidr = \"169.254.101.0/30\"\ndpd_interval = -1",
                "tunnel vpn1/2: dpd_interval = -1: expected 0 to 3600 s"},
        BadCase{"inside_cidr = \"169.254.101.0/30\"", "inside_cidr = \"169.254.101.0/30\"\nesp_lifetime = 5",
                "esp_lifetime = 5: expected 10 to 86400 s"},
        BadCase{"inside_cidr = \"169.254.101.0/30\"", "inside_cidr = \"169.254.101.0/30\"\nike_encryption = [\"des\"]",
                "ike_encryption = \"des\": expected one of aes128, aes256"},
        BadCase{"inside_cidr = \"169.254.101.0/30\"", "inside_cidr = \"169.254.101.0/30\"\nike_dh_groups = [2, 22]",
                "ike_dh_groups = 22: expected a group other than 22-24 unless allow_rfc5114_groups = true"},
        BadCase{"inside_cidr = \"169.254.101.0/30\"", "inside_cidr = \"169.254.101.0/30\"\ndpd_intervall = 5",
                "tunnel vpn1/2: dpd_intervall: expected a known key"},
        BadCase{"psk = \"Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e\"", "psk = \"x\"\npsk_file = \"/etc/x\"",
                "tunnel vpn1/1: psk: expected exactly one of psk or psk_file"},
        BadCase{"peer_address = \"203.0.113.87\"", "peer_address = \"203.0.113.21\"",
                "tunnel vpn1/2: peer_address = \"203.0.113.21\": expected an address no other tunnel uses"},
        BadCase{"local_address = \"198.51.100.10\"", "local_address = \"198.51.100.10\"\nmetrics_listen = \"localhost:9720\"",
                "metrics_listen = \"localhost:9720\": expected IPv4ADDRESS:PORT"},
        BadCase{"name = \"vpn1\"", "name = \"vpn 1\"",
                "connection #1: name = \"vpn 1\": expected 1-64 characters"},
        BadCase{"remote_networks = [\"10.0.0.0/16\"]", "remote_networks = [\"10.0.0.0/33\"]",
                "connection 'vpn1': remote_networks = \"10.0.0.0/33\""},
        BadCase{"wan_interface = \"eth0\"", "wan_interface = 3",
                "gateway: wan_interface = 3: expected a string"},
        BadCase{"wan_interface = \"eth0\"", "wan_interface = \"eth0\"\nxdp_mode = \"fast\"",
                "gateway: xdp_mode = \"fast\": expected \"auto\", \"native\", \"generic\" or \"off\""},
        BadCase{"[[connection.tunnel]]\npeer_address = \"203.0.113.87\"", "[[connection.tunnelx]]\npeer_address = \"203.0.113.87\"",
                "expected exactly two [[connection.tunnel]] tables"},
        BadCase{"name = \"vpn1\"", "name = \"vpn1",
                "test.toml:7:"}));

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/xgw-config-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p) << text;
    chmod(p.c_str(), mode);
    return p;
  }
  std::string dir_;
};

TEST_F(ConfigFiles, PskFileIsReadRelativeToTheConfig) {
  Write("t1.psk", "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e\n", 0600);
  std::string p = Write("gwd.toml", Replace(kMinimal, "psk = \"Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e\"", "psk_file = \"t1.psk\""), 0600);
  Config c = load_file(p);
  EXPECT_EQ(c.connections[0].tunnels[0].psk, "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e");
}

TEST_F(ConfigFiles, ConfigReadableByOthersIsRefused) {
  std::string p = Write("gwd.toml", kMinimal, 0644);
  try {
    load_file(p);
    FAIL() << "loaded a world-readable config";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("mode 0644 lets other users read it"), std::string::npos) << e.what();
  }
}

TEST_F(ConfigFiles, PskFileReadableByOthersIsRefused) {
  Write("t1.psk", "secret\n", 0604);
  std::string p = Write("gwd.toml", Replace(kMinimal, "psk = \"Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e\"", "psk_file = \"t1.psk\""), 0600);
  try {
    load_file(p);
    FAIL() << "loaded a world-readable PSK file";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("psk_file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("0604"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << "never echo the PSK";
  }
}

TEST(Cidr, ParsesAndRejects) {
  EXPECT_EQ(parse_cidr("10.1.0.0/16")->str(), "10.1.0.0/16");
  EXPECT_EQ(parse_cidr("192.0.2.1")->str(), "192.0.2.1/32");
  EXPECT_FALSE(parse_cidr("10.1.0.1/16"));
  EXPECT_FALSE(parse_cidr("10.1.0.0/"));
  EXPECT_FALSE(parse_cidr("10.1.0.0/16x"));
  EXPECT_FALSE(parse_cidr("010.1.0.0/16"));
  EXPECT_EQ(parse_cidr("0.0.0.0/0")->str(), "0.0.0.0/0");
}

TEST(Config, ErrorsStayOneLineWhateverTheInput) {
  // A TOML string may hold a newline; the message quoting it must not.
  std::string err = ErrorOf(Replace(kMinimal, "name = \"vpn1\"", "name = \"vpn\\n1\""));
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  EXPECT_NE(err.find("vpn\\n1"), std::string::npos) << err;
  EXPECT_EQ(one_line(std::string(1000, 'x')).size(), 403u);
  EXPECT_EQ(one_line(std::string("a\x01" "b")), "a\\x01b");
}

// fuzz/findings/control-request-utf8-cut.json: the cut at 400 bytes split a two-byte
// character, and the reply quoting it could not be serialised as JSON.
TEST(Config, OneLineCutsBetweenUtf8Characters) {
  std::string e_acute = "\xc3\xa9";
  for (std::size_t pad = 0; pad < 4; ++pad) {
    std::string cut = one_line(std::string(pad, 'x') + std::string(300, 'y') + [&] {
      std::string s;
      for (int i = 0; i < 100; ++i) s += e_acute;
      return s;
    }());
    ASSERT_GE(cut.size(), 3u);
    EXPECT_EQ(cut.substr(cut.size() - 3), "...");
    std::string body = cut.substr(0, cut.size() - 3);
    EXPECT_NO_THROW((void)nlohmann::json(body).dump()) << "pad " << pad;
    EXPECT_LE(body.size(), 401u);
  }
  EXPECT_EQ(one_line(std::string(399, 'x') + "\xe2\x82\xac" + "tail"), std::string(399, 'x') + "...");
}

TEST(Config, NonAsciiTextIsRefusedWithItsPosition) {
  // fuzz/findings/tomlplusplus-unreachable-2.toml: a non-ASCII bare key took toml++ into
  // undefined behaviour; gwd refuses the byte before toml++ sees it.
  std::string err = ErrorOf("[\xca\x9fteway]\nwan_interface = \"eth0\"\n");
  EXPECT_NE(err.find(":1:2: byte 0xCA: expected ASCII"), std::string::npos) << err;
  err = ErrorOf(kMinimal + std::string("# caf\xc3\xa9\n"));
  EXPECT_NE(err.find("byte 0xC3: expected ASCII"), std::string::npos) << err;
}

}  // namespace
}  // namespace xgw::config
