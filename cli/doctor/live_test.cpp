// The engine-failure -> AWS checklist table and the live checks over a status JSON.
#include "cli/doctor/live.h"

#include <gtest/gtest.h>

namespace xgw::doctor {
namespace {

config::Config OneConnection(config::Routing routing) {
  config::Config c;
  config::Connection conn;
  conn.name = "vpn1";
  conn.routing = routing;
  if (routing == config::Routing::kBgp) conn.bgp = config::Bgp{};
  for (int i = 0; i < 2; ++i) {
    config::Tunnel t;
    t.name = "vpn1/" + std::to_string(i + 1);
    t.peer_address = *config::parse_ipv4(i ? "203.0.113.87" : "203.0.113.21");
    t.inside_cidr = *config::parse_cidr(i ? "169.254.101.0/30" : "169.254.100.0/30");
    t.algorithms.ike_encryption = {"aes256"};
    t.algorithms.ike_dh_groups = {14};
    conn.tunnels.push_back(t);
  }
  c.connections.push_back(conn);
  return c;
}

TEST(TranslateFailure, AwsChecklist) {
  auto cfg = OneConnection(config::Routing::kStatic);
  const config::Tunnel* t = &cfg.connections[0].tunnels[0];
  Diagnosis d = translate_failure("no_reply:MM1", t);
  EXPECT_EQ(d.cause, "UDP 500 blocked or wrong peer address; remember AWS never initiates IKEv1");
  EXPECT_NE(d.fix.find("203.0.113.21"), std::string::npos) << d.fix;
  EXPECT_EQ(translate_failure("no_valid_reply:MM5", t).cause, "pre-shared key mismatch");
  EXPECT_EQ(translate_failure("notify:INVALID-HASH-INFORMATION", nullptr).cause, "pre-shared key mismatch");
  d = translate_failure("notify:NO-PROPOSAL-CHOSEN", t);
  EXPECT_NE(d.cause.find("AWS allows"), std::string::npos) << d.cause;
  EXPECT_NE(d.cause.find("phase 1"), std::string::npos) << d.cause;
  EXPECT_NE(d.cause.find("we offered aes256 / sha1, DH groups 14"), std::string::npos) << d.cause;
  d = translate_failure("notify:NO-PROPOSAL-CHOSEN:QM1", t);
  EXPECT_NE(d.cause.find("phase 2"), std::string::npos) << d.cause;
  EXPECT_NE(d.cause.find("2, 5, 14-24"), std::string::npos) << d.cause;
  EXPECT_NE(translate_failure("no_reply:QM1", t).cause.find("phase 2"), std::string::npos);
  EXPECT_NE(translate_failure("notify:INVALID-ID-INFORMATION", t).fix.find("0.0.0.0/0"), std::string::npos);
  EXPECT_NE(translate_failure("dpd_timeout", t).cause.find("dead peer detection"), std::string::npos);
  EXPECT_EQ(translate_failure("something_new", t).cause, "engine reported something_new");
}

// gwd's status (docs/cli.md, version 1) with the given tunnels in connection vpn1.
nlohmann::json Status1(const std::string& tunnels, const std::string& connection_fields = "") {
  return nlohmann::json::parse(R"({"ok": true, "version": 1, "connections": [{"name": "vpn1", )" + connection_fields +
                               R"("tunnels": [)" + tunnels + "]}]}");
}

constexpr std::int64_t kNow = 1795914400;

TEST(LiveChecks, Phase2UpWithoutInboundEspIsProtocol50Blocked) {
  auto cfg = OneConnection(config::Routing::kStatic);
  auto status = Status1(R"(
    {"name": "vpn1/1", "phase1": "up", "phase2": "up", "esp_in_packets": 0, "esp_out_packets": 40,
     "phase2_since": 1795914340},
    {"name": "vpn1/2", "phase1": "up", "phase2": "up", "esp_in_packets": 0, "esp_out_packets": 2,
     "phase2_since": 1795914395})");
  auto v = live_checks(status, cfg, kNow);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].status, Status::kFail);
  EXPECT_NE(v[0].detail.find("phase 2 up for 60 s, 40 ESP packets out, none in: protocol 50 blocked"), std::string::npos)
      << v[0].detail;
  EXPECT_EQ(v[1].status, Status::kPass) << "too early to tell";
}

TEST(LiveChecks, DownTunnelNamesTheCause) {
  auto cfg = OneConnection(config::Routing::kStatic);
  auto status = Status1(R"(
    {"name": "vpn1/1", "phase1": "down", "phase2": "down", "last_failure": "no_reply:MM1"},
    {"name": "vpn1/2", "phase1": "down", "phase2": "down", "last_failure": "no_valid_reply:MM5"})");
  auto v = live_checks(status, cfg, kNow);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].status, Status::kFail);
  EXPECT_NE(v[0].detail.find("UDP 500 blocked"), std::string::npos);
  EXPECT_NE(v[1].detail.find("pre-shared key mismatch"), std::string::npos);
}

TEST(LiveChecks, EstablishedPassesAdminDownWarnsOnDemandWaitingPasses) {
  auto cfg = OneConnection(config::Routing::kStatic);
  auto v = live_checks(Status1(R"(
    {"name": "vpn1/1", "admin": "up", "phase1": "up", "phase2": "up", "esp_in_packets": 80, "esp_out_packets": 80,
     "phase2_since": 1795914000},
    {"name": "vpn1/2", "admin": "down", "phase1": "down", "phase2": "down"})"),
                       cfg, kNow);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].status, Status::kPass);
  EXPECT_EQ(v[1].status, Status::kWarn);
  EXPECT_EQ(v[1].fix, "gwctl up vpn1/2");
  v = live_checks(Status1(R"({"name": "vpn1/1", "phase1": "down", "phase2": "down", "last_failure": ""})",
                          R"("on_demand": true, "demand_up": false, )"),
                  cfg, kNow);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].status, Status::kPass);
  EXPECT_NE(v[0].detail.find("on-demand"), std::string::npos);
}

TEST(LiveChecks, BgpNotEstablishedMeansAwsShowsDown) {
  auto cfg = OneConnection(config::Routing::kBgp);
  auto status = Status1(R"({"name": "vpn1/1", "phase1": "up", "phase2": "up", "esp_in_packets": 9,
                           "bgp": {"state": "down", "info": "Active Socket: Connection timed out"}})");
  auto v = live_checks(status, cfg, kNow);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].status, Status::kFail);
  EXPECT_NE(v[0].detail.find("DOWN"), std::string::npos);
  EXPECT_NE(v[0].detail.find("Connection timed out"), std::string::npos) << v[0].detail;
  EXPECT_NE(v[0].fix.find("169.254.100.1"), std::string::npos) << v[0].fix;
  EXPECT_NE(v[0].fix.find("AS 64512"), std::string::npos) << v[0].fix;
}

TEST(LiveChecks, BgpDownBecauseBirdIsUnreachableSaysSo) {
  auto cfg = OneConnection(config::Routing::kBgp);
  auto status = Status1(R"({"name": "vpn1/1", "phase1": "up", "phase2": "up", "esp_in_packets": 9,
                           "bgp": {"state": "down", "info": "BIRD not answering"}})");
  status["bird"] = {{"socket", "/run/bird/bird.ctl"},
                    {"error", "BIRD show protocols: connect /run/bird/bird.ctl: No such file or directory"}};
  auto v = live_checks(status, cfg, kNow);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].status, Status::kFail);
  EXPECT_NE(v[0].detail.find("cannot use BIRD"), std::string::npos) << v[0].detail;
  EXPECT_NE(v[0].fix.find("bird.conf"), std::string::npos) << v[0].fix;
}

TEST(LiveChecks, BgpEstablishedPasses) {
  auto cfg = OneConnection(config::Routing::kBgp);
  auto status = Status1(R"({"name": "vpn1/1", "phase1": "up", "phase2": "up", "esp_in_packets": 9,
                           "bgp": {"state": "established", "info": "Established"}})");
  auto v = live_checks(status, cfg, kNow);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].status, Status::kPass);
}

}  // namespace
}  // namespace xgw::doctor
