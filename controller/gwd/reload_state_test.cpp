// Unit tests of what a reload changes (reload_plan.h) and of the state file (state_file.h).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "controller/config/config.h"
#include "controller/config/sample_config.h"
#include "controller/gwd/reload_plan.h"
#include "controller/gwd/state_file.h"

namespace xgw::gwd {
namespace {

// The sample with a/1's extra keys and more connections appended; it is "vpn1" here.
config::Config Load(const std::string& extra_connection = "", const std::string& vpn1_tunnel1 = "") {
  std::string text = config::sample::replace_once(config::sample::kText, "inside_cidr = \"169.254.100.0/30\"",
                                                  "inside_cidr = \"169.254.100.0/30\"\n" + vpn1_tunnel1);
  return config::load_string(text + extra_connection, "t");
}

const std::string kSecond = R"(
[[connection]]
name = "vpn2"
[[connection.tunnel]]
peer_address = "203.0.113.30"
psk = "Hs4.kP9wQz2_mV7xLc5nBd8rTf3gJy6a"
inside_cidr = "169.254.102.0/30"
[[connection.tunnel]]
peer_address = "203.0.113.31"
psk = "Tb6_nX3vMq8.pZ5wKr2cHd9sLf4gJy7e"
inside_cidr = "169.254.103.0/30"
)";

TEST(ReloadPlan, SameConfigChangesNothing) {
  ReloadDecision d = plan_reload(Load(), Load());
  ASSERT_TRUE(d.plan);
  EXPECT_TRUE(d.plan->empty());
  EXPECT_EQ(d.plan->summary(), "no changes");
}

TEST(ReloadPlan, DpdChangeIsAppliedInPlaceAndNewConnectionAdded) {
  ReloadDecision d = plan_reload(Load(), Load(kSecond, "dpd_interval = 5\n"));
  ASSERT_TRUE(d.plan);
  ASSERT_EQ(d.plan->connections.size(), 2u);
  EXPECT_EQ(d.plan->connections[0].action, ConnectionPlan::Action::kKeep);
  EXPECT_EQ(d.plan->connections[0].tunnels[0], TunnelChange::kLiveness);
  EXPECT_EQ(d.plan->connections[0].tunnels[1], TunnelChange::kNone);
  EXPECT_EQ(d.plan->connections[1].action, ConnectionPlan::Action::kAdd);
  EXPECT_EQ(d.plan->summary(), "vpn1/1 liveness, add vpn2");
}

TEST(ReloadPlan, PskOrAlgorithmChangeRenegotiatesThatTunnelOnly) {
  config::Config next = Load();
  next.connections[0].tunnels[1].psk = "Zz9_different.Key4wLr8sYd3HfJ6pCg";
  ReloadDecision d = plan_reload(Load(), next);
  ASSERT_TRUE(d.plan);
  EXPECT_EQ(d.plan->connections[0].tunnels[0], TunnelChange::kNone);
  EXPECT_EQ(d.plan->connections[0].tunnels[1], TunnelChange::kRenegotiate);
  next = Load("", "esp_encryption = [\"aes256\"]\n");
  EXPECT_EQ(plan_reload(Load(), next).plan->connections[0].tunnels[0], TunnelChange::kRenegotiate);
}

TEST(ReloadPlan, RemovalComesFirstAndSelectorChangeReplaces) {
  config::Config next = Load();
  next.connections[0].remote_selector = *config::parse_cidr("10.0.0.0/16");
  ReloadDecision d = plan_reload(Load(kSecond), next);
  ASSERT_TRUE(d.plan);
  ASSERT_EQ(d.plan->connections.size(), 2u);
  EXPECT_EQ(d.plan->connections[0].action, ConnectionPlan::Action::kRemove);
  EXPECT_EQ(d.plan->connections[0].name, "vpn2");
  EXPECT_EQ(d.plan->connections[1].action, ConnectionPlan::Action::kReplace);
}

TEST(ReloadPlan, RemoteNetworksAndFailbackAreSettings) {
  config::Config next = Load();
  next.connections[0].remote_networks.push_back(*config::parse_cidr("10.1.0.0/16"));  // beside 10.0.0.0/16
  next.connections[0].failback = true;
  ReloadDecision d = plan_reload(Load(), next);
  ASSERT_TRUE(d.plan);
  EXPECT_EQ(d.plan->connections[0].action, ConnectionPlan::Action::kKeep);
  EXPECT_TRUE(d.plan->connections[0].settings_changed);
  EXPECT_EQ(d.plan->summary(), "vpn1 settings");
}

TEST(ReloadPlan, GatewayChangeIsRefused) {
  config::Config next = Load();
  next.gateway.wan_interface = "eth9";
  ReloadDecision d = plan_reload(Load(), next);
  EXPECT_FALSE(d.plan);
  EXPECT_NE(d.refused.find("[gateway]"), std::string::npos);
}

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/xgw-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    dir_ = base_ + "/state";
  }
  void TearDown() override { std::system(("rm -rf " + base_).c_str()); }
  std::string base_, dir_;
};

TEST_F(StateFileTest, RoundTripWithPrivateModes) {
  StateFile f(dir_);
  std::string why;
  EXPECT_FALSE(f.load(why));
  EXPECT_EQ(why, "");  // no file: a fresh start, nothing to report
  f.save(nlohmann::json{{"connections", nlohmann::json::array({{{"name", "vpn1"}}})}});
  struct stat st{};
  ASSERT_EQ(stat(f.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto j = f.load(why);
  ASSERT_TRUE(j) << why;
  EXPECT_EQ((*j)["connections"][0]["name"], "vpn1");
  EXPECT_EQ((*j)["boot_id"], current_boot_id());
  f.remove();
  EXPECT_FALSE(f.load(why));
}

TEST_F(StateFileTest, OtherBootOrVersionOrGarbageIsNotAdopted) {
  StateFile f(dir_);
  f.save(nlohmann::json::object());
  auto rewrite = [&](const std::string& text) { std::ofstream(f.path()) << text; };
  std::string why;
  rewrite(R"({"version":1,"boot_id":"00000000-0000-0000-0000-000000000000"})");
  EXPECT_FALSE(f.load(why));
  EXPECT_NE(why.find("before the last reboot"), std::string::npos) << why;
  rewrite(R"({"version":99,"boot_id":")" + current_boot_id() + "\"}");
  EXPECT_FALSE(f.load(why));
  EXPECT_NE(why.find("version 99"), std::string::npos) << why;
  rewrite("{not json");
  EXPECT_FALSE(f.load(why));
  EXPECT_NE(why.find("not valid JSON"), std::string::npos) << why;
}

}  // namespace
}  // namespace xgw::gwd
