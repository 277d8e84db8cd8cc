#include "cli/aws/rules.h"

#include <gtest/gtest.h>

#include "cli/aws/mtu.h"

namespace xgw::aws {
namespace {

config::Tunnel Good() {
  config::Tunnel t;
  t.peer_address = *config::parse_ipv4("203.0.113.21");
  t.psk = "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e";
  t.inside_cidr = *config::parse_cidr("169.254.100.0/30");
  return t;
}

std::string Fields(const std::vector<Violation>& v) {
  std::string s;
  for (const auto& x : v) s += x.field + (x.severity == Severity::kFail ? "!" : "?") + " ";
  return s;
}

TEST(AwsRules, DefaultsPass) { EXPECT_EQ(Fields(check_tunnel(Good())), ""); }

TEST(AwsRules, Psk) {
  EXPECT_TRUE(psk_valid("abcdefgh"));
  EXPECT_TRUE(psk_valid(std::string(64, 'a')));
  EXPECT_FALSE(psk_valid("abcdefg"));
  EXPECT_FALSE(psk_valid(std::string(65, 'a')));
  EXPECT_FALSE(psk_valid("0bcdefgh"));
  EXPECT_FALSE(psk_valid("abcd-efgh"));
  auto t = Good();
  t.psk = "Wm3-aR8tLq5";
  auto v = check_tunnel(t);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "psk");
  EXPECT_EQ(v[0].value.find("Wm3"), std::string::npos) << "never print the key";
}

TEST(AwsRules, InsideCidr) {
  for (const char* r : {"169.254.0.0/30", "169.254.1.0/30", "169.254.5.0/30", "169.254.169.252/30"})
    EXPECT_TRUE(inside_cidr_reserved(*config::parse_cidr(r))) << r;
  EXPECT_FALSE(inside_cidr_reserved(*config::parse_cidr("169.254.6.0/30")));
  EXPECT_FALSE(inside_cidr_in_range(*config::parse_cidr("10.0.0.0/30")));
  auto t = Good();
  t.inside_cidr = *config::parse_cidr("169.254.169.252/30");
  EXPECT_EQ(Fields(check_tunnel(t)), "inside_cidr! ");
}

TEST(AwsRules, LifetimesAndRekey) {
  auto t = Good();
  t.ike_lifetime = 1800;
  EXPECT_EQ(Fields(check_tunnel(t)), "esp_lifetime! ");  // 3600 >= 1800
  t = Good();
  t.esp_lifetime = 600;
  t.rekey_margin = 60;
  EXPECT_EQ(Fields(check_tunnel(t)), "esp_lifetime! ");
  t = Good();
  t.ike_lifetime = 30000;
  EXPECT_EQ(Fields(check_tunnel(t)), "ike_lifetime! ");
  t = Good();
  t.rekey_margin = 1801;
  EXPECT_EQ(Fields(check_tunnel(t)), "rekey_margin! ");
  t.rekey_margin = 59;
  EXPECT_EQ(Fields(check_tunnel(t)), "rekey_margin! ");
}

TEST(AwsRules, Algorithms) {
  auto t = Good();
  t.algorithms.ike_dh_groups = {2, 5};
  t.algorithms.esp_pfs_groups = {5};
  auto v = check_tunnel(t);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "ike_dh_groups");
  EXPECT_EQ(v[0].value, "5");
  t = Good();
  t.algorithms.ike_encryption = {"aes128-gcm-16"};
  EXPECT_EQ(Fields(check_tunnel(t)), "ike_encryption! ");
}

TEST(AwsRules, Warnings) {
  auto t = Good();
  t.replay_window = 0;
  t.dpd_interval = 0;
  EXPECT_EQ(Fields(check_tunnel(t)), "replay_window? dpd_interval? ");
}

TEST(AwsMtu, Table) {
  EXPECT_EQ(recommended("aes128-gcm-16", "sha1", false), (MtuMss{1446, 1406}));
  EXPECT_EQ(recommended("aes256-gcm-16", "", true), (MtuMss{1438, 1398}));
  EXPECT_EQ(recommended("aes128", "sha1", false), (MtuMss{1438, 1398}));
  EXPECT_EQ(recommended("aes128", "sha2-256", true), (MtuMss{1422, 1382}));
  EXPECT_EQ(recommended("aes256", "sha2-384", false), (MtuMss{1422, 1382}));
  EXPECT_EQ(recommended("aes256", "sha2-384", true), (MtuMss{1422, 1382}));
  EXPECT_EQ(recommended("aes256", "sha2-512", false), (MtuMss{1422, 1382}));
  EXPECT_EQ(recommended("aes256", "sha2-512", true), (MtuMss{1406, 1366}));
  config::Algorithms a;
  a.esp_encryption = {"aes128-gcm-16", "aes128"};
  a.esp_integrity = {"sha1", "sha2-512"};
  EXPECT_EQ(recommended(a, false), (MtuMss{1422, 1382}));  // the worst suite AWS might pick
}

}  // namespace
}  // namespace xgw::aws
