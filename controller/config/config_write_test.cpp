#include "controller/config/config_write.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace xgw::config {
namespace {

Config Sample() {
  Config c;
  c.gateway.wan_interface = "wan0";
  c.gateway.lan_interface = "lan0";
  c.gateway.local_address = *parse_ipv4("10.0.0.5");
  c.gateway.public_address = *parse_ipv4("198.51.100.10");
  c.gateway.xdp_mode = XdpMode::kGeneric;
  c.gateway.state_dir = "/var/lib/x \"quoted\"";
  Connection conn;
  conn.name = "vpn-1";
  conn.routing = Routing::kBgp;
  conn.bgp = Bgp{65010, 64512, 30, {*parse_cidr("192.168.0.0/24")}};
  conn.remote_networks = {*parse_cidr("10.1.0.0/16"), *parse_cidr("10.2.0.0/16")};
  conn.failback = true;
  for (int i = 0; i < 2; ++i) {
    Tunnel t;
    t.name = "vpn-1/" + std::to_string(i + 1);
    t.peer_address = *parse_ipv4(i ? "203.0.113.87" : "203.0.113.21");
    t.psk = i ? "Wm3_aR8tLq5.zX2cVn7bHk4sDf9gJp6u" : "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e";
    t.inside_cidr = *parse_cidr(i ? "169.254.101.0/30" : "169.254.100.0/30");
    t.algorithms.esp_encryption = {"aes256-gcm-16", "aes128"};
    t.algorithms.ike_dh_groups = {14, 2};
    t.ike_lifetime = 28000;
    t.esp_lifetime = 3000;
    t.mss = 1379;
    if (i) t.mtu = 1436;
    if (i) t.algorithms.allow_rfc5114_groups = true;  // written only when set
    conn.tunnels.push_back(t);
  }
  c.connections.push_back(conn);
  return c;
}

TEST(ConfigWrite, RoundTripsThroughTheLoader) {
  Config c = Sample();
  std::string text = write_toml(c, {{"from a test"}, {{"vpn-1/1", {"first tunnel"}}}});
  EXPECT_EQ(text.rfind("# gwd configuration", 0), 0u) << text;
  EXPECT_NE(text.find("# from a test"), std::string::npos);
  EXPECT_NE(text.find("# first tunnel"), std::string::npos);
  Config back = load_string(text, "written.toml");
  EXPECT_EQ(back, c) << text;
}

TEST(ConfigWrite, StaticConnectionRoundTrips) {
  Config c = Sample();
  c.gateway.public_address.reset();
  c.connections[0].routing = Routing::kStatic;
  c.connections[0].bgp.reset();
  c.connections[0].remote_networks.clear();
  EXPECT_EQ(load_string(write_toml(c), "w.toml"), c);
}

TEST(ConfigWrite, PskFileReferenceKeepsTheKeyOutOfTheText) {
  char tmpl[] = "/tmp/xgw-write-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  Config c = Sample();
  for (int i = 0; i < 2; ++i) {
    auto& t = c.connections[0].tunnels[i];
    std::string f = "t" + std::to_string(i + 1) + ".psk";
    std::ofstream(dir + "/" + f) << t.psk << "\n";
    chmod((dir + "/" + f).c_str(), 0600);
    t.psk_file = f;
  }
  std::string text = write_toml(c);
  EXPECT_EQ(text.find("Kq7.vT2"), std::string::npos) << text;
  Config back = load_string(text, "w.toml", dir);
  // The loader resolves the file relative to the config's directory.
  for (auto& t : c.connections[0].tunnels) t.psk_file = dir + "/" + t.psk_file;
  EXPECT_EQ(back, c);
  std::system(("rm -rf " + dir).c_str());
}

TEST(ConfigWrite, CommentsFromForeignTextStayValidToml) {
  WriteOptions o;
  o.header = {"AWS: vgw-0fed\xa9\n[gateway]\x01"};  // what a damaged download could hold
  o.tunnel_notes = {{"vpn-1/1", {"endpoint \r\n203.0.113.21"}}};
  std::string text = write_toml(Sample(), o);
  EXPECT_NE(text.find("# AWS: vgw-0fed??[gateway]?\n"), std::string::npos) << text;
  EXPECT_NO_THROW(load_string(text, "t.toml"));
}

}  // namespace
}  // namespace xgw::config
