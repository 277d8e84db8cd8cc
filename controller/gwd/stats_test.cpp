// Unit tests of the stats document, its Prometheus rendering and the metrics endpoint's HTTP.
#include <gtest/gtest.h>

#include "controller/gwd/metrics_server.h"
#include "controller/gwd/stats.h"

namespace xgw::gwd {
namespace {

TunnelStats Active() {
  TunnelStats t;
  t.name = "vpn1/1";
  t.connection = "vpn1";
  t.active = t.phase1_up = t.phase2_up = true;
  datapath::TunnelCounters dp;
  dp.c[XGW_TCTR_IN_ESP] = {1000, 150000};
  dp.c[XGW_TCTR_OUT_ESP] = {990, 148000};
  t.datapath = dp;
  t.xfrm_in.packets = 400;
  t.xfrm_in.bytes = 60000;
  t.xfrm_out.packets = 395;
  t.phase1_age_s = 120;
  t.phase2_age_s = 60;
  t.phase1_rekey_in_s = 28000;
  t.phase2_rekey_in_s = 3200;
  t.failovers = 1;
  t.phase1_established = 1;
  t.phase2_established = 3;
  t.failures = {{"no_reply:MM1", 2}};
  t.probe_alive = true;
  t.probe_rtt_ms = 2.5;
  return t;
}

TEST(Stats, DocumentCarriesBothViewsAndDropsByReason) {
  TunnelStats standby;
  standby.name = "vpn1/2";
  standby.connection = "vpn1";
  datapath::GlobalCounters g;
  g.by_drop_reason[XGW_DROP_NOT_PEER] = {7, 700};
  g.by_class[XGW_CLASS_ESP] = {1000, 150000};
  nlohmann::json j = stats_json({Active(), standby}, g);
  EXPECT_EQ(j["version"], 1);
  ASSERT_EQ(j["tunnels"].size(), 2u);
  const auto& t = j["tunnels"][0];
  EXPECT_EQ(t["role"], "active");
  EXPECT_EQ(t["datapath"]["in_esp"]["packets"], 1000);
  EXPECT_EQ(t["datapath"]["out_esp"]["bytes"], 148000);
  EXPECT_EQ(t["xfrm"]["in"]["packets"], 400);
  EXPECT_EQ(t["phase2_rekey_in_s"], 3200);
  EXPECT_EQ(t["failures"]["no_reply:MM1"], 2);
  EXPECT_EQ(j["tunnels"][1]["role"], "standby");
  EXPECT_EQ(j["tunnels"][1]["phase2_age_s"], -1);
  EXPECT_EQ(j["datapath"]["drops"]["not_peer"]["packets"], 7);
  EXPECT_FALSE(j["datapath"]["drops"].contains("none")) << "index 0 means not dropped";
  EXPECT_EQ(j["datapath"]["classes"]["esp"]["bytes"], 150000);
  EXPECT_TRUE(stats_json({Active()}, std::nullopt)["datapath"].is_null());
}

TEST(Stats, PrometheusTextHasEveryFamilyOnceWithLabels) {
  datapath::GlobalCounters g;
  g.by_drop_reason[XGW_DROP_RATELIMIT] = {5, 500};
  std::string text = prometheus_text(stats_json({Active()}, g));
  for (const char* line : {
           "xgw_tunnel_up{connection=\"vpn1\",tunnel=\"vpn1/1\",phase=\"2\"} 1\n",
           "xgw_tunnel_active{connection=\"vpn1\",tunnel=\"vpn1/1\"} 1\n",
           "xgw_connection_failovers{connection=\"vpn1\",tunnel=\"vpn1/1\"} 1\n",
           "xgw_tunnel_sa_age_seconds{connection=\"vpn1\",tunnel=\"vpn1/1\",phase=\"2\"} 60\n",
           "xgw_tunnel_rekey_in_seconds{connection=\"vpn1\",tunnel=\"vpn1/1\",phase=\"1\"} 28000\n",
           "xgw_tunnel_sa_packets{connection=\"vpn1\",tunnel=\"vpn1/1\",direction=\"in\"} 400\n",
           "xgw_tunnel_sa_bytes{connection=\"vpn1\",tunnel=\"vpn1/1\",direction=\"in\"} 60000\n",
           "xgw_datapath_tunnel_packets_total{connection=\"vpn1\",tunnel=\"vpn1/1\",kind=\"in_esp\"} 1000\n",
           "xgw_ike_established_total{connection=\"vpn1\",tunnel=\"vpn1/1\",phase=\"2\"} 3\n",
           "xgw_ike_failures_total{connection=\"vpn1\",tunnel=\"vpn1/1\",reason=\"no_reply:MM1\"} 2\n",
           "xgw_probe_rtt_seconds{connection=\"vpn1\",tunnel=\"vpn1/1\"} 0.0025000000000000001\n",
           "xgw_datapath_drops_total{reason=\"ratelimit\"} 5\n",
           "# TYPE xgw_datapath_drops_total counter\n",
       })
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  // Each family's HELP and TYPE exactly once (the exposition format forbids repeats).
  std::size_t types = 0;
  for (std::size_t p = 0; (p = text.find("# TYPE xgw_tunnel_up ", p)) != std::string::npos; ++p) ++types;
  EXPECT_EQ(types, 1u);
}

TEST(Stats, LabelValuesAreEscaped) {
  TunnelStats t = Active();
  t.connection = "a\"b\\c";
  std::string text = prometheus_text(stats_json({t}, std::nullopt));
  EXPECT_NE(text.find("connection=\"a\\\"b\\\\c\""), std::string::npos) << text;
}

TEST(MetricsHttp, OnlyGetMetrics) {
  auto body = [] { return std::string("xgw_up 1\n"); };
  std::string ok = http_response("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", body);
  EXPECT_EQ(ok.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(ok.find("Content-Length: 9\r\n"), std::string::npos);
  EXPECT_EQ(ok.substr(ok.size() - 9), "xgw_up 1\n");
  EXPECT_EQ(http_response("GET / HTTP/1.1\r\n\r\n", body).rfind("HTTP/1.0 404", 0), 0u);
  EXPECT_EQ(http_response("POST /metrics HTTP/1.1\r\n\r\n", body).rfind("HTTP/1.0 405", 0), 0u);
  EXPECT_EQ(http_response("\x16\x03\x01 garbage\r\n\r\n", body).rfind("HTTP/1.0 400", 0), 0u);
  EXPECT_EQ(http_response("", body).rfind("HTTP/1.0 400", 0), 0u);
}

TEST(MetricsHttp, ListenAddressIsChecked) {
  EXPECT_EQ(parse_listen("127.0.0.1:9720").port(), 9720);
  EXPECT_THROW(parse_listen("127.0.0.1"), std::invalid_argument);
  EXPECT_THROW(parse_listen("localhost:9720"), std::invalid_argument);
  EXPECT_THROW(parse_listen("127.0.0.1:99999"), std::invalid_argument);
}

}  // namespace
}  // namespace xgw::gwd
