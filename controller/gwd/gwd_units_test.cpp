// Unit tests of gwd's pure pieces: AWS's packet rules, config -> engine peer config,
// engine SA -> XFRM parameters, and the control protocol's error handling.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "controller/config/config.h"
#include "controller/gwd/control_request.h"
#include "controller/gwd/control_server.h"
#include "controller/gwd/log.h"
#include "controller/gwd/packet_rules.h"
#include "controller/gwd/peer_config.h"
#include "controller/gwd/sa_params.h"

namespace xgw::gwd {
namespace {

TEST(PacketRules, AwsTable) {
  // aws-reference.md, "Recommended values by algorithm".
  struct Row { std::uint8_t t; ike::EspAuth a; bool nat; std::uint32_t mtu, mss; };
  for (const Row& r : std::vector<Row>{
           {ike::kEspAesGcm16, ike::EspAuth::kNone, false, 1446, 1406},
           {ike::kEspAesGcm16, ike::EspAuth::kNone, true, 1438, 1398},
           {ike::kEspAesCbc, ike::EspAuth::kHmacSha1, false, 1438, 1398},
           {ike::kEspAesCbc, ike::EspAuth::kHmacSha256, true, 1422, 1382},
           {ike::kEspAesCbc, ike::EspAuth::kHmacSha384, false, 1422, 1382},
           {ike::kEspAesCbc, ike::EspAuth::kHmacSha384, true, 1422, 1382},
           {ike::kEspAesCbc, ike::EspAuth::kHmacSha512, false, 1422, 1382},
           {ike::kEspAesCbc, ike::EspAuth::kHmacSha512, true, 1406, 1366},
       }) {
    PacketRules p = aws_packet_rules(r.t, r.a, r.nat);
    EXPECT_EQ(p.mtu, r.mtu);
    EXPECT_EQ(p.mss, r.mss);
  }
}

config::Config TwoSuiteConfig() {
  return config::load_string(R"(
[gateway]
wan_interface = "wan0"
local_address = "192.0.2.66"
public_address = "198.51.100.10"
[[connection]]
name = "vpn1"
[[connection.tunnel]]
peer_address = "203.0.113.21"
psk = "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e"
inside_cidr = "169.254.100.0/30"
ike_encryption = ["aes128", "aes256"]
ike_integrity = ["sha2-256"]
ike_dh_groups = [14, 19]
esp_encryption = ["aes128-gcm-16", "aes256"]
esp_integrity = ["sha1"]
esp_pfs_groups = [14]
[[connection.tunnel]]
peer_address = "203.0.113.87"
psk = "Wm3_aR8tLq5.zX2cVn7bHk4sDf9gJp6u"
inside_cidr = "169.254.101.0/30"
)",
                             "t");
}

TEST(PeerConfig, CrossProductInConfigOrderAndNatIdentity) {
  config::Config c = TwoSuiteConfig();
  ike::PeerConfig p = to_peer_config(c.gateway, c.connections[0], c.connections[0].tunnels[0]);
  EXPECT_EQ(p.name, "vpn1/1");
  EXPECT_EQ(config::ipv4_str(p.local_ip), "192.0.2.66");
  EXPECT_EQ(config::ipv4_str(p.local_id), "198.51.100.10");  // behind NAT: the public address
  ASSERT_EQ(p.ike_suites.size(), 4u);
  EXPECT_EQ(p.ike_suites[0], (ike::IkeSuite{128, ike::HashAlg::kSha256, 14}));
  EXPECT_EQ(p.ike_suites[3], (ike::IkeSuite{256, ike::HashAlg::kSha256, 19}));
  ASSERT_EQ(p.esp_suites.size(), 2u);
  EXPECT_EQ(p.esp_suites[0], (ike::EspSuite{ike::kEspAesGcm16, 128, ike::EspAuth::kNone, 14}));
  EXPECT_EQ(p.esp_suites[1], (ike::EspSuite{ike::kEspAesCbc, 256, ike::EspAuth::kHmacSha1, 14}));
  EXPECT_EQ(std::string(p.psk.begin(), p.psk.end()), "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e");
  EXPECT_EQ(p.local_ts.mask, 0u);
  EXPECT_LE(p.retransmit.max_interval_ms, 2000u);  // retries capped at 2 s while unreachable
  EXPECT_FALSE(p.allow_rfc5114_groups);
  c.connections[0].tunnels[0].algorithms.allow_rfc5114_groups = true;
  EXPECT_TRUE(to_peer_config(c.gateway, c.connections[0], c.connections[0].tunnels[0]).allow_rfc5114_groups);
}

TEST(SaParams, CbcWithTruncatedSha2AndNatT) {
  ike::EspSa sa;
  sa.spi = 0xc0ffee01;
  sa.src = 0xc0000242;  // 192.0.2.66
  sa.dst = 0xcb007115;  // 203.0.113.21
  sa.transform = ike::kEspAesCbc;
  sa.enc_key.assign(32, 0x11);
  sa.integ = ike::EspAuth::kHmacSha256;
  sa.integ_key.assign(32, 0x22);
  sa.icv_bits = 128;
  sa.mode = ike::EspMode::kUdpEncapTunnel;
  sa.encap_sport = 4500;
  sa.encap_dport = 4501;
  sa.replay_window = 1024;
  sa.soft_lifetime_s = 3000;
  sa.hard_lifetime_s = 3600;
  kernel::SaParams p = to_sa_params(sa, 7);
  EXPECT_EQ(p.src.ToString(), "192.0.2.66");
  EXPECT_EQ(p.dst.ToString(), "203.0.113.21");
  ASSERT_TRUE(p.crypt && p.auth);
  EXPECT_EQ(p.crypt->name, "cbc(aes)");
  EXPECT_EQ(p.auth->name, "hmac(sha256)");
  EXPECT_EQ(p.auth->icv_bits, 128u);
  EXPECT_FALSE(p.aead);
  ASSERT_TRUE(p.encap);
  EXPECT_EQ(p.encap->dport, 4501);
  EXPECT_EQ(p.if_id, 7u);
  EXPECT_EQ(p.replay_window, 1024u);
  EXPECT_EQ(p.lifetime.hard_add_seconds, 3600u);
}

TEST(SaParams, GcmKeyCarriesTheSalt) {
  ike::EspSa sa;
  sa.transform = ike::kEspAesGcm16;
  sa.enc_key.assign(20, 0x33);  // AES-128 key + 4-byte salt (RFC 4106)
  sa.icv_bits = 128;
  kernel::SaParams p = to_sa_params(sa, 1);
  ASSERT_TRUE(p.aead);
  EXPECT_FALSE(p.crypt);
  EXPECT_EQ(p.aead->name, "rfc4106(gcm(aes))");
  EXPECT_EQ(p.aead->key.size(), 20u);
}

TEST(SaParams, DeleteFindsOutboundAtThePeerAndInboundAtUs) {
  // As the engine fills it: src = our address, dst = the peer's.
  ike::DeleteSaPair d{1, 0x1111, 0x2222, 0xc633640a, 0xcb007115};
  auto keys = sa_keys(d);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].spi, 0x2222u);
  EXPECT_EQ(keys[0].dst, to_addr4(0xcb007115)) << "outbound SA: destination is the peer";
  EXPECT_EQ(keys[1].spi, 0x1111u);
  EXPECT_EQ(keys[1].dst, to_addr4(0xc633640a)) << "inbound SA: destination is us";
  EXPECT_EQ(sa_keys(ike::DeleteSaPair{1, 0x1111, 0, 0xc633640a, 0xcb007115}).size(), 1u);
}

TEST(ControlProtocol, MalformedRequestsGetAnErrorObject) {
  int calls = 0;
  ControlServer::Handler h = [&](const nlohmann::json&) {
    ++calls;
    return nlohmann::json{{"ok", true}};
  };
  for (const char* bad : {"", "not json", "[1,2]", "{\"cmd\": 3}", "{\"nocmd\": true}", "{\"cmd\":"}) {
    nlohmann::json r = handle_request_line(bad, h);
    EXPECT_EQ(r["ok"], false) << bad;
    EXPECT_TRUE(r["error"].is_string()) << bad;
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(handle_request_line("{\"cmd\":\"status\"}", h)["ok"], true);
  ControlServer::Handler throws = [](const nlohmann::json&) -> nlohmann::json { throw std::runtime_error("boom"); };
  EXPECT_EQ(handle_request_line("{\"cmd\":\"status\"}", throws)["error"], "boom");
}

TEST(ControlSocket, RootOnlyByDefaultOrAConfiguredGroup) {
  boost::asio::io_context io;
  char tmpl[] = "/tmp/xgw-ctl-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  auto handler = [](const nlohmann::json&) { return nlohmann::json{{"ok", true}}; };
  struct stat st {};
  {
    ControlServer s(io, dir + "/a.sock", handler);
    ASSERT_EQ(stat((dir + "/a.sock").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  {
    ControlServer s(io, dir + "/b.sock", handler, "daemon");  // a group every Debian system has
    ASSERT_EQ(stat((dir + "/b.sock").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0660u);
    EXPECT_EQ(st.st_gid, getgrnam("daemon")->gr_gid);
  }
  try {
    ControlServer s(io, dir + "/c.sock", handler, "no-such-group-xgw");
    ADD_FAILURE() << "an unknown group must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("control_group \"no-such-group-xgw\": no such group"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST(Log, KeepsTheNewestLinesForGwctlLog) {
  std::uint64_t before = log_last_seq();
  for (int i = 0; i < 3; ++i) log_info("line " + std::to_string(i));
  auto got = log_since(before);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].seq, before + 1);
  EXPECT_NE(got[2].text.find("info  line 2"), std::string::npos) << got[2].text;
  EXPECT_EQ(log_since(before, 1).size(), 1u);
  EXPECT_EQ(log_since(before, 1)[0].seq, before + 3) << "the newest";
  for (std::size_t i = 0; i < kLogKeep + 10; ++i) log_debug("x");  // below the level: not kept
  EXPECT_EQ(log_last_seq(), before + 3);
  set_log_level(Level::kDebug);
  for (std::size_t i = 0; i < kLogKeep + 10; ++i) log_debug("y");
  set_log_level(Level::kInfo);
  EXPECT_EQ(log_since(0).size(), kLogKeep) << "bounded";
}

TEST(ControlRequest, AnOverflowingNumberIsAMalformedRequestNotACrash) {
  auto h = [](const nlohmann::json&) { return nlohmann::json{{"ok", true}}; };
  nlohmann::json r = handle_request_line("822183356e9505", h);  // found by fuzz_control_request
  EXPECT_EQ(r["ok"], false);
  EXPECT_EQ(r["error"], "malformed request: expected one JSON object per line");
  EXPECT_EQ(handle_request_line(R"({"cmd": "log", "since": 1e400})", h)["ok"], false);
}

TEST(ControlRequest, FieldsAreCheckedBeforeGwdActs) {
  auto parse = [](const char* text) { return parse_control_request(nlohmann::json::parse(text)); };
  auto r = parse(R"({"cmd": "failover", "connection": "vpn1", "to": "vpn1/2"})");
  ASSERT_TRUE(r.request) << r.error;
  EXPECT_EQ(r.request->cmd, ControlRequest::Cmd::kFailover);
  EXPECT_EQ(r.request->to, "vpn1/2");
  r = parse(R"({"cmd": "log", "last": 0})");
  ASSERT_TRUE(r.request);
  EXPECT_EQ(r.request->last, std::optional<std::size_t>(0)) << "0 lines is a request, not a default";
  EXPECT_FALSE(parse(R"({"cmd": "log"})").request->last);
  EXPECT_EQ(parse(R"({"cmd": "up"})").error, "missing string field \"tunnel\"");
  EXPECT_EQ(parse(R"({"cmd": "up", "tunnel": 7})").error, "field \"tunnel\": expected a string");
  EXPECT_EQ(parse(R"({"cmd": "log", "since": -1})").error, "field \"since\": expected a non-negative integer");
  EXPECT_EQ(parse(R"({"cmd": "log", "since": "5"})").error, "field \"since\": expected a non-negative integer");
  EXPECT_NE(parse(R"({"cmd": "reboot"})").error.find("unknown command \"reboot\""), std::string::npos);
  // fuzz/findings/control-request-newline.json: the command quoted back stays one line.
  std::string err = parse(R"({"cmd": "tun\na"})").error;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  EXPECT_NE(err.find("tun\\na"), std::string::npos) << err;
  EXPECT_NE(parse(R"([1, 2])").error.find("malformed request"), std::string::npos);
}

}  // namespace
}  // namespace xgw::gwd
