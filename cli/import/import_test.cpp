// Every file in ../shared/fixtures/aws gives its documented result (see its README).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

#include "cli/import/aws_connection.h"
#include "cli/import/to_config.h"

namespace xgw::import {
namespace {

const std::string kDir = XGW_AWS_FIXTURES;

std::string Read(const std::string& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ErrorOf(const std::vector<std::string>& files) {
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(kDir + "/" + f);
  try {
    import_files(paths);
  } catch (const ImportError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string Ip(std::uint32_t a) { return config::ipv4_str(a); }

// The table of the fixtures README, shared by vpn-bgp.xml, the JSON and generic.txt.
void ExpectBgpConnection(const AwsConnection& c) {
  EXPECT_EQ(c.vpn_id, "vpn-0a1b2c3d4e5f60718");
  EXPECT_EQ(c.cgw_id, "cgw-0123456789abcdef0");
  EXPECT_EQ(c.vgw_id, "vgw-0fedcba9876543210");
  EXPECT_EQ(c.routing, config::Routing::kBgp);
  ASSERT_TRUE(c.bgp);
  EXPECT_EQ(c.bgp->local_asn, 65000u);
  EXPECT_EQ(c.bgp->peer_asn, 64512u);
  EXPECT_EQ(c.bgp->hold_time, 30u);
  ASSERT_EQ(c.tunnels.size(), 2u);
  const char* peer[] = {"203.0.113.21", "203.0.113.87"};
  const char* inside[] = {"169.254.100.0/30", "169.254.101.0/30"};
  const char* psk[] = {"Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e", "Wm3_aR8tLq5.zX2cVn7bHk4sDf9gJp6u"};
  const char* local_in[] = {"169.254.100.2", "169.254.101.2"};
  const char* peer_in[] = {"169.254.100.1", "169.254.101.1"};
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    const auto& at = c.tunnels[i];
    const auto& t = at.tunnel;
    EXPECT_EQ(at.number, i + 1);
    EXPECT_EQ(Ip(at.cgw_outside), "198.51.100.10");
    EXPECT_EQ(Ip(t.peer_address), peer[i]);
    EXPECT_EQ(t.inside_cidr.str(), inside[i]);
    EXPECT_EQ(Ip(t.local_inside()), local_in[i]);
    EXPECT_EQ(Ip(t.peer_inside()), peer_in[i]);
    EXPECT_EQ(t.psk, psk[i]);
    EXPECT_EQ(t.ike_lifetime, 28800u);
    EXPECT_EQ(t.esp_lifetime, 3600u);
    EXPECT_EQ(t.mss, 1379u);
    EXPECT_EQ(t.dpd_interval, 10u);
    EXPECT_EQ(t.dpd_retries, 3u);
  }
}

void ExpectMinimumProposal(const config::Tunnel& t) {
  EXPECT_EQ(t.algorithms.ike_encryption, std::vector<std::string>{"aes128"});
  EXPECT_EQ(t.algorithms.ike_integrity, std::vector<std::string>{"sha1"});
  EXPECT_EQ(t.algorithms.ike_dh_groups, std::vector<int>{2});
  EXPECT_EQ(t.algorithms.esp_encryption, std::vector<std::string>{"aes128"});
  EXPECT_EQ(t.algorithms.esp_integrity, std::vector<std::string>{"sha1"});
  EXPECT_EQ(t.algorithms.esp_pfs_groups, std::vector<int>{2});
}

TEST(ImportAws, BgpXml) {
  AwsConnection c = import_files({kDir + "/vpn-bgp.xml"});
  ExpectBgpConnection(c);
  EXPECT_FALSE(c.has_tunnel_options);
  for (const auto& t : c.tunnels) {
    ExpectMinimumProposal(t.tunnel);
    EXPECT_FALSE(t.tunnel.mtu);
  }
}

TEST(ImportAws, StaticXml) {
  AwsConnection c = import_files({kDir + "/vpn-static.xml"});
  EXPECT_EQ(c.vpn_id, "vpn-0c9d8e7f6a5b41302");
  EXPECT_EQ(c.routing, config::Routing::kStatic);
  EXPECT_FALSE(c.bgp);
  ASSERT_EQ(c.tunnels.size(), 2u);
  EXPECT_EQ(Ip(c.tunnels[0].tunnel.peer_address), "203.0.113.130");
  EXPECT_EQ(c.tunnels[0].tunnel.inside_cidr.str(), "169.254.110.0/30");
  EXPECT_EQ(c.tunnels[0].tunnel.psk, "Tz4.Ub8nQw2_Ec6rYm1vKa9sLd5hGx3j");
  EXPECT_EQ(Ip(c.tunnels[1].tunnel.peer_address), "203.0.113.174");
  EXPECT_EQ(c.tunnels[1].tunnel.inside_cidr.str(), "169.254.111.0/30");
  EXPECT_EQ(c.tunnels[1].tunnel.psk, "Ph6_Js1kWv9.Rb4nCt7yMe2qXa8fDz5o");
}

void ExpectTunnelOptions(const AwsConnection& c) {
  EXPECT_TRUE(c.has_tunnel_options);
  ASSERT_TRUE(c.local_selector && c.remote_selector);
  EXPECT_EQ(c.local_selector->str(), "0.0.0.0/0");
  for (const auto& at : c.tunnels) {
    SCOPED_TRACE(at.label());
    const auto& t = at.tunnel;
    // Phase 1 GCM is IKEv2-only and groups 22-24 need allow_rfc5114_groups: left out.
    EXPECT_EQ(t.algorithms.ike_encryption, (std::vector<std::string>{"aes128", "aes256"}));
    EXPECT_EQ(t.algorithms.esp_encryption,
              (std::vector<std::string>{"aes128", "aes256", "aes128-gcm-16", "aes256-gcm-16"}));
    EXPECT_EQ(t.algorithms.ike_integrity, (std::vector<std::string>{"sha1", "sha2-256", "sha2-384", "sha2-512"}));
    EXPECT_EQ(t.algorithms.esp_integrity, t.algorithms.ike_integrity);
    EXPECT_EQ(t.algorithms.ike_dh_groups, (std::vector<int>{2, 14, 15, 16, 17, 18, 19, 20, 21}));
    EXPECT_EQ(t.algorithms.esp_pfs_groups, (std::vector<int>{2, 5, 14, 15, 16, 17, 18, 19, 20, 21}));
    EXPECT_EQ(at.dpd_timeout, 40u);
    EXPECT_EQ(at.dpd_action, "clear");
    EXPECT_EQ(at.startup_action, "add");
    EXPECT_EQ(at.ike_versions, (std::vector<std::string>{"ikev1", "ikev2"}));
    EXPECT_EQ(t.rekey_margin, 270u);
    EXPECT_EQ(t.rekey_fuzz, 100u);
    EXPECT_EQ(t.replay_window, 1024u);
    EXPECT_EQ(at.status, "UP");
    EXPECT_EQ(at.status_message, "2 BGP ROUTES");
  }
}

TEST(ImportAws, DescribeVpnConnectionsJson) {
  AwsConnection c = import_files({kDir + "/describe-vpn-connections.json"});
  ExpectBgpConnection(c);
  ExpectTunnelOptions(c);
}

// fuzz/findings/aws-json-number-overflow.json: nlohmann throws out_of_range, not
// parse_error, for a number no double holds; it must still be a one-line import error.
TEST(ImportAws, JsonNumberTooLargeIsAnImportError) {
  try {
    parse_any("{\"VpnConnections\": [{\"VpnConnectionId\": 9E9999999998}]}", "big.json");
    FAIL() << "expected an ImportError";
  } catch (const ImportError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("big.json: JSON parse error", 0), 0u) << what;
    EXPECT_NE(what.find("nothing imported"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(ImportAws, XmlAndJsonTogetherEqualJsonAlone) {
  AwsConnection json = import_files({kDir + "/describe-vpn-connections.json"});
  for (auto order : {std::vector<std::string>{"vpn-bgp.xml", "describe-vpn-connections.json"},
                     std::vector<std::string>{"describe-vpn-connections.json", "vpn-bgp.xml"}}) {
    AwsConnection both = import_files({kDir + "/" + order[0], kDir + "/" + order[1]});
    ExpectBgpConnection(both);
    ExpectTunnelOptions(both);
    ASSERT_EQ(both.tunnels.size(), json.tunnels.size());
    for (std::size_t i = 0; i < both.tunnels.size(); ++i) EXPECT_EQ(both.tunnels[i].tunnel, json.tunnels[i].tunnel);
  }
}

TEST(ImportAws, GenericText) {
  AwsConnection c = import_files({kDir + "/generic.txt"});
  ExpectBgpConnection(c);
  AwsConnection xml = import_files({kDir + "/vpn-bgp.xml"});
  for (std::size_t i = 0; i < 2; ++i) {
    // MTU 1436 is only in the generic text; everything else equals the XML.
    EXPECT_EQ(c.tunnels[i].tunnel.mtu, 1436u);
    config::Tunnel t = c.tunnels[i].tunnel;
    t.mtu.reset();
    EXPECT_EQ(t, xml.tunnels[i].tunnel);
  }
}

// Fixture variants made in the test: the merge must match by outside IP and catch differences.
class Scratch : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/xgw-import-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }
  std::string Err(const std::vector<std::string>& paths) {
    try {
      import_files(paths);
    } catch (const ImportError& e) {
      return e.what();
    }
    return "(no error)";
  }
  std::string dir_;
};

std::string Swap(std::string s, const std::string& a, const std::string& b) {
  // Exchanges every a and b: reorders the tunnels without changing their content.
  const std::string mark = "\x01";
  for (std::size_t p; (p = s.find(a)) != std::string::npos;) s.replace(p, a.size(), mark);
  for (std::size_t p; (p = s.find(b)) != std::string::npos;) s.replace(p, b.size(), a);
  for (std::size_t p; (p = s.find(mark)) != std::string::npos;) s.replace(p, 1, b);
  return s;
}

TEST_F(Scratch, MergeMatchesByOutsideAddressNotPosition) {
  // The XML with its two <ipsec_tunnel> blocks in the other order.
  std::string xml = Read(kDir + "/vpn-bgp.xml");
  auto first = xml.find("<ipsec_tunnel>"), second = xml.find("<ipsec_tunnel>", first + 1);
  auto end = xml.find("</vpn_connection>");
  std::string reordered = xml.substr(0, first) + xml.substr(second, end - second) + "  " +
                          xml.substr(first, second - first) + xml.substr(end);
  reordered.replace(reordered.find("</ipsec_tunnel>\n  <ipsec_tunnel>"), 0, "");
  AwsConnection c = import_files({Write("r.xml", reordered), kDir + "/describe-vpn-connections.json"});
  ASSERT_EQ(c.tunnels.size(), 2u);
  for (const auto& t : c.tunnels) EXPECT_EQ(t.dpd_timeout, 40u) << t.label();
}

TEST_F(Scratch, MergeRefusesADifferentPsk) {
  std::string xml = Swap(Read(kDir + "/vpn-bgp.xml"), "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e", "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1X");
  std::string e = Err({Write("k.xml", xml), kDir + "/describe-vpn-connections.json"});
  EXPECT_NE(e.find("203.0.113.21"), std::string::npos) << e;
  EXPECT_NE(e.find("differs"), std::string::npos) << e;
  EXPECT_EQ(e.find("Kq7"), std::string::npos) << "never print the key: " << e;
}

TEST_F(Scratch, MergeRefusesAnUnknownEndpoint) {
  std::string xml = Swap(Read(kDir + "/vpn-bgp.xml"), "203.0.113.87", "203.0.113.99");
  std::string e = Err({kDir + "/describe-vpn-connections.json", Write("a.xml", xml)});
  EXPECT_NE(e.find("203.0.113.87"), std::string::npos) << e;
}

TEST_F(Scratch, AggressiveModeIsRefused) {
  std::string xml = Read(kDir + "/vpn-bgp.xml");
  auto p = xml.rfind("<mode>main</mode>");
  ASSERT_NE(p, std::string::npos);
  xml.replace(p, std::string("<mode>main</mode>").size(), "<mode>aggressive</mode>");
  std::string e = Err({Write("aggr.xml", xml)});
  EXPECT_NE(e.find("tunnel 2 (203.0.113.87): ike/mode = \"aggressive\": AWS's IKEv1 uses main mode only"), std::string::npos) << e;
}

TEST_F(Scratch, JsonWithoutIkev1IsRefused) {
  std::string j = Read(kDir + "/describe-vpn-connections.json");
  auto p = j.find("\"Value\": \"ikev1\"");
  ASSERT_NE(p, std::string::npos);
  j.replace(p, std::string("\"Value\": \"ikev1\"").size(), "\"Value\": \"ikev2\"");
  std::string e = Err({Write("v2.json", j)});
  EXPECT_NE(e.find("IkeVersions"), std::string::npos) << e;
  EXPECT_NE(e.find("203.0.113.21"), std::string::npos) << e;
}

struct Invalid {
  const char* file;
  std::vector<const char*> expect;  // every piece must appear in the one-line error
};

class InvalidFixture : public ::testing::TestWithParam<Invalid> {};

TEST_P(InvalidFixture, NamesTunnelFieldAndRule) {
  std::string e = ErrorOf({GetParam().file});
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  for (const char* piece : GetParam().expect) EXPECT_NE(e.find(piece), std::string::npos) << piece << " in: " << e;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, InvalidFixture,
    ::testing::Values(
        Invalid{"invalid/psk-forbidden-char.xml", {"tunnel 2 (203.0.113.87)", "psk", "A-Z a-z 0-9 . _", "not starting with 0"}},
        Invalid{"invalid/phase2-lifetime-above-phase1.xml",
                {"tunnel 1 (203.0.113.21)", "esp_lifetime = 3600", "less than phase 1 lifetime (1800 s)"}},
        Invalid{"invalid/inside-cidr-reserved.xml", {"tunnel 1 (203.0.113.21)", "inside_cidr", "169.254.0.0/30", "reserved"}},
        Invalid{"invalid/truncated.xml", {"truncated.xml:", "XML parse error", "nothing imported"}}),
    [](const ::testing::TestParamInfo<Invalid>& p) {
      std::string n = p.param.file;
      n = n.substr(n.find('/') + 1);
      n = n.substr(0, n.find('.'));
      for (auto& ch : n) if (ch == '-') ch = '_';
      return n;
    });

TEST(ImportAws, TruncatedXmlCarriesLineAndColumn) {
  std::string e = ErrorOf({"invalid/truncated.xml"});
  // "truncated.xml:LINE:COL: XML parse error": the document ends at its last line.
  int lines = 0;
  for (char ch : Read(kDir + "/invalid/truncated.xml")) lines += ch == '\n';
  auto colon = e.find(':');
  ASSERT_NE(colon, std::string::npos);
  int line = std::atoi(e.c_str() + colon + 1);
  EXPECT_GE(line, lines) << e;
  EXPECT_LE(line, lines + 1) << e;
}

TEST(ImportAws, EveryFixtureIsCovered) {
  // A new fixture without a test here fails this test.
  std::set<std::string> known{"README.md", "vpn-bgp.xml", "vpn-static.xml", "describe-vpn-connections.json",
                              "generic.txt", "invalid/psk-forbidden-char.xml",
                              "invalid/phase2-lifetime-above-phase1.xml", "invalid/inside-cidr-reserved.xml",
                              "invalid/truncated.xml"};
  for (const auto& e : std::filesystem::recursive_directory_iterator(kDir)) {
    if (!e.is_regular_file()) continue;
    std::string rel = std::filesystem::relative(e.path(), kDir).string();
    EXPECT_TRUE(known.count(rel)) << "untested fixture " << rel;
  }
}

TEST(ImportBgp, AdvertisedLanNetworksGoToTheBgpTable) {
  AwsConnection c = import_files({kDir + "/vpn-bgp.xml"});
  ImportOptions o;
  o.advertise = {*config::parse_cidr("192.0.2.0/26")};
  ImportResult r = to_config(c, o);
  const auto& conn = r.config.connections.at(0);
  ASSERT_EQ(conn.routing, config::Routing::kBgp);
  ASSERT_TRUE(conn.bgp);
  EXPECT_EQ(conn.bgp->advertise, o.advertise);
  EXPECT_EQ(conn.bgp->local_asn, 65000u);
  EXPECT_EQ(conn.bgp->peer_asn, 64512u);
  config::Config back = config::load_string(r.toml, "imported");
  EXPECT_EQ(back.connections.at(0).bgp->advertise, o.advertise);
}

TEST(ImportBgp, AdvertiseOnAStaticConnectionIsRefused) {
  AwsConnection c = import_files({kDir + "/vpn-static.xml"});
  ImportOptions o;
  o.advertise = {*config::parse_cidr("192.0.2.0/26")};
  try {
    to_config(c, o);
    FAIL() << "accepted";
  } catch (const ImportError& e) {
    EXPECT_NE(std::string(e.what()).find("--advertise"), std::string::npos) << e.what();
  }
}

TEST_F(Scratch, WritesConfigAndPrivatePskFilesThatLoad) {
  AwsConnection c = import_files({kDir + "/vpn-static.xml"});
  ImportOptions o;
  o.wan_interface = "wan0";
  o.remote_networks = {*config::parse_cidr("10.10.0.0/16")};
  o.psk_files = true;
  ImportResult r = to_config(c, o);
  EXPECT_EQ(r.toml.find("Tz4.Ub8"), std::string::npos) << "keys go to files";
  std::string out = dir_ + "/etc";
  write_files(out, r);
  struct stat st {};
  for (const char* f : {"gwd.toml", "vpn-0c9d8e7f6a5b41302-1.psk", "vpn-0c9d8e7f6a5b41302-2.psk"}) {
    ASSERT_EQ(stat((out + "/" + f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  config::Config cfg = config::load_file(out + "/gwd.toml");
  ASSERT_EQ(cfg.connections.size(), 1u);
  const auto& conn = cfg.connections[0];
  EXPECT_EQ(conn.name, "vpn-0c9d8e7f6a5b41302");
  EXPECT_EQ(conn.routing, config::Routing::kStatic);
  EXPECT_EQ(conn.remote_networks, o.remote_networks);
  EXPECT_EQ(cfg.gateway.wan_interface, "wan0");
  EXPECT_EQ(Ip(cfg.gateway.local_address), "198.51.100.10");
  EXPECT_FALSE(cfg.gateway.public_address);
  EXPECT_EQ(conn.tunnels[0].name, "vpn-0c9d8e7f6a5b41302/1");
  EXPECT_EQ(conn.tunnels[0].psk, "Tz4.Ub8nQw2_Ec6rYm1vKa9sLd5hGx3j");
  EXPECT_EQ(conn.tunnels[1].psk, "Ph6_Js1kWv9.Rb4nCt7yMe2qXa8fDz5o");
  EXPECT_EQ(conn.tunnels[1].mss, 1379u);
}

TEST(ImportAws, BgpJsonToConfigLoads) {
  AwsConnection c = import_files({kDir + "/describe-vpn-connections.json"});
  ImportOptions o;
  o.name = "site-a";
  o.local_address = *config::parse_ipv4("10.0.0.5");  // behind NAT: AWS knows 198.51.100.10
  ImportResult r = to_config(c, o);
  config::Config cfg = config::load_string(r.toml, "imported.toml");
  EXPECT_EQ(cfg, r.config);
  EXPECT_EQ(Ip(cfg.gateway.local_address), "10.0.0.5");
  ASSERT_TRUE(cfg.gateway.public_address);
  EXPECT_EQ(Ip(*cfg.gateway.public_address), "198.51.100.10");
  ASSERT_TRUE(cfg.connections[0].bgp);
  EXPECT_EQ(cfg.connections[0].bgp->local_asn, 65000u);
  EXPECT_EQ(cfg.connections[0].tunnels[1].name, "site-a/2");
  EXPECT_EQ(cfg.connections[0].tunnels[1].dpd_retries, 3u);
  EXPECT_NE(r.toml.find("DPD timeout 40 s"), std::string::npos) << r.toml;
}

TEST(ImportAws, PublicAddressMustBeTheRegisteredOne) {
  AwsConnection c = import_files({kDir + "/vpn-bgp.xml"});
  ImportOptions o;
  o.public_address = *config::parse_ipv4("198.51.100.99");
  try {
    to_config(c, o);
    FAIL() << "accepted";
  } catch (const ImportError& e) {
    EXPECT_NE(std::string(e.what()).find("198.51.100.10"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xgw::import
