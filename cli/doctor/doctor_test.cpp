// Config checks, sysctl reading (over a fake /proc/sys tree) and the exit code.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "cli/doctor/config_checks.h"
#include "cli/doctor/host_checks.h"
#include "controller/config/sample_config.h"

namespace xgw::doctor {
namespace {

config::Config Good() {
  return config::load_string(config::sample::replace_once(config::sample::kText, "inside_cidr = \"169.254.100.0/30\"",
                                                          "inside_cidr = \"169.254.100.0/30\"\nmss = 1379"),
                             "t.toml");
}

const Check* Find(const std::vector<Check>& v, const std::string& id, const std::string& title_part = "") {
  for (const auto& c : v)
    if (c.id == id && c.title.find(title_part) != std::string::npos) return &c;
  return nullptr;
}

TEST(DoctorConfig, GoodConfigPasses) {
  auto v = check_config(Good());
  for (const auto& c : v) EXPECT_EQ(c.status, Status::kPass) << c.title << ": " << c.detail;
  EXPECT_EQ(exit_code(v), 0);
  const Check* mtu = Find(v, "config.mtu", "vpn1/1");
  ASSERT_NE(mtu, nullptr);
  EXPECT_NE(mtu->detail.find("MTU 1438, MSS 1398"), std::string::npos) << mtu->detail;
}

TEST(DoctorConfig, AwsRangeViolationsFailWithTheField) {
  auto cfg = Good();
  auto& t = cfg.connections[0].tunnels[1];
  t.psk = "0abcdefgh";
  t.algorithms.ike_dh_groups = {5};
  t.esp_lifetime = 28800;
  auto v = check_config(cfg);
  const Check* c = Find(v, "config.tunnel", "vpn1/2");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, Status::kFail);
  for (const char* f : {"psk", "ike_dh_groups = 5", "esp_lifetime"}) EXPECT_NE(c->detail.find(f), std::string::npos) << f << ": " << c->detail;
  EXPECT_EQ(c->detail.find("0abcdefgh"), std::string::npos) << "never print the key";
  EXPECT_EQ(exit_code(v), 1);
}

TEST(DoctorConfig, MssAboveTheTableWarns) {
  auto cfg = Good();
  cfg.gateway.public_address = *config::parse_ipv4("198.51.100.10");  // NAT-T: 1382 for CBC/SHA1
  cfg.connections[0].tunnels[0].mss = 1390;
  auto v = check_config(cfg);
  const Check* c = Find(v, "config.mtu", "vpn1/1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, Status::kWarn);
  EXPECT_NE(c->fix.find("mss <= 1382"), std::string::npos) << c->fix;
  EXPECT_EQ(exit_code(v), 2);
}

TEST(DoctorConfig, RoutingWarnings) {
  auto cfg = Good();
  cfg.connections[0].remote_networks.clear();
  EXPECT_EQ(Find(check_config(cfg), "config.routing")->status, Status::kWarn);
  cfg.connections[0].routing = config::Routing::kBgp;
  cfg.connections[0].bgp = config::Bgp{};
  const Check* c = Find(check_config(cfg), "config.routing");
  EXPECT_EQ(c->status, Status::kWarn);
  EXPECT_NE(c->detail.find("advertise"), std::string::npos);
  cfg.connections[0].bgp->advertise = {*config::parse_cidr("192.168.0.0/24")};
  EXPECT_EQ(Find(check_config(cfg), "config.routing")->status, Status::kPass);
}

TEST(DoctorSysctl, ReadsForwardingAndEffectiveRpFilter) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("xgw-sysctl-" + std::to_string(::getpid()));
  auto put = [&](const std::string& rel, const std::string& v) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << v << "\n";
  };
  put("net/ipv4/ip_forward", "0");
  put("net/ipv4/conf/all/rp_filter", "0");
  put("net/ipv4/conf/wan9/rp_filter", "1");
  config::Gateway g;
  g.wan_interface = "wan9";
  auto v = check_sysctls(g, root.string());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].status, Status::kFail);
  EXPECT_NE(v[0].fix.find("ip_forward=1"), std::string::npos);
  EXPECT_EQ(v[1].status, Status::kWarn) << "strict on the WAN";
  EXPECT_NE(v[1].fix.find("rp_filter=2"), std::string::npos);
  put("net/ipv4/ip_forward", "1");
  put("net/ipv4/conf/wan9/rp_filter", "2");
  v = check_sysctls(g, root.string());
  EXPECT_EQ(v[0].status, Status::kPass);
  EXPECT_EQ(v[1].status, Status::kPass);
  // A tunnel interface inherits strict mode from "all": AWS may answer on either tunnel.
  put("net/ipv4/conf/all/rp_filter", "1");
  put("net/ipv4/conf/xfrm3/rp_filter", "0");
  std::vector<std::string> tunnels{"xfrm3"};
  v = check_sysctls(g, root.string(), &tunnels);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[1].status, Status::kPass) << "wan9 = 2 wins over all = 1";
  EXPECT_EQ(v[2].status, Status::kFail) << v[2].detail;
  EXPECT_NE(v[2].title.find("xfrm3 (tunnel)"), std::string::npos) << v[2].title;
  fs::remove_all(root);
}

class FakeKernel : public KernelFacts {
 public:
  std::string release() const override { return "6.1.0-test"; }
  bool loaded(const std::string& m) const override { return loaded_.count(m) != 0; }
  bool builtin(const std::string& m) const override { return builtin_.count(m) != 0; }
  bool loadable(const std::string& m) const override { return loadable_.count(m) != 0; }
  char kconfig(const std::string& o) const override { return config_.count(o) ? config_.at(o) : 0; }
  std::set<std::string> loaded_, builtin_, loadable_;
  std::map<std::string, char> config_;
};

TEST(DoctorKernel, ModulesLoadedBuiltinLoadableOrMissing) {
  FakeKernel k;
  k.loaded_ = {"esp4"};
  k.loadable_ = {"xfrm_interface"};
  auto v = check_kernel_modules(k);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].status, Status::kPass);
  EXPECT_EQ(v[0].detail, "loaded");
  EXPECT_EQ(v[1].status, Status::kPass);
  EXPECT_NE(v[1].detail.find("available"), std::string::npos);
  // A kernel config that says "not set" is final, whatever modprobe might think.
  k.loaded_.clear();
  k.config_ = {{"CONFIG_INET_ESP", 'n'}, {"CONFIG_XFRM_INTERFACE", 'y'}};
  v = check_kernel_modules(k);
  EXPECT_EQ(v[0].status, Status::kFail);
  EXPECT_NE(v[0].detail.find("CONFIG_INET_ESP is not set"), std::string::npos) << v[0].detail;
  EXPECT_EQ(v[1].detail, "built in");
  k.config_.clear();
  k.loadable_.clear();
  v = check_kernel_modules(k);
  EXPECT_EQ(v[1].status, Status::kFail);
  EXPECT_NE(v[1].fix.find("6.1.0-test"), std::string::npos);
}

TEST(DoctorReport, TextAndJson) {
  std::vector<Check> v{{"a", "first", Status::kPass, "ok", ""}, {"b", "second", Status::kWarn, "hmm", "do this"}};
  std::string text = render_text(v);
  EXPECT_NE(text.find("pass  first: ok"), std::string::npos) << text;
  EXPECT_NE(text.find("warn  second: hmm\n      fix: do this"), std::string::npos) << text;
  auto j = render_json(v);
  EXPECT_EQ(j["exit_code"], 2);
  EXPECT_EQ(j["checks"][1]["status"], "warn");
}

}  // namespace
}  // namespace xgw::doctor
