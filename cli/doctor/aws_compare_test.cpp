// The config against AWS's own files: an import of the same files agrees; each mismatch AWS would
// only show as a DOWN tunnel is named.
#include "cli/doctor/aws_compare.h"

#include <gtest/gtest.h>

#include "cli/import/to_config.h"

namespace xgw::doctor {
namespace {

const std::string kDir = XGW_AWS_FIXTURES;

struct Fixture {
  import::AwsConnection aws;
  config::Config cfg;
};

Fixture Imported(const std::vector<std::string>& files) {
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(kDir + "/" + f);
  Fixture f;
  f.aws = import::import_files(paths);
  f.cfg = import::to_config(f.aws, {}).config;
  return f;
}

std::string Details(const std::vector<Check>& v) {
  std::string s;
  for (const auto& c : v) s += std::string(to_string(c.status)) + ": " + c.detail + "\n";
  return s;
}

TEST(AwsCompare, ImportAgreesWithItsSource) {
  for (auto files : {std::vector<std::string>{"vpn-static.xml"}, std::vector<std::string>{"describe-vpn-connections.json"}}) {
    Fixture f = Imported(files);
    auto v = compare_with_aws(f.cfg, f.aws);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(exit_code(v), 0) << Details(v);
  }
}

TEST(AwsCompare, BgpConnectionConfiguredStatic) {
  Fixture f = Imported({"vpn-bgp.xml"});
  f.cfg.connections[0].routing = config::Routing::kStatic;
  f.cfg.connections[0].bgp.reset();
  auto v = compare_with_aws(f.cfg, f.aws);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].status, Status::kFail);
  EXPECT_NE(v[0].detail.find("AWS shows the tunnel DOWN"), std::string::npos) << v[0].detail;
}

TEST(AwsCompare, WrongPskMissingTunnelAndIdentity) {
  Fixture f = Imported({"describe-vpn-connections.json"});
  auto& tunnels = f.cfg.connections[0].tunnels;
  tunnels[0].psk = "Xq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e";
  tunnels[1].peer_address = *config::parse_ipv4("203.0.113.99");
  f.cfg.gateway.local_address = *config::parse_ipv4("10.0.0.5");
  auto v = compare_with_aws(f.cfg, f.aws);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_NE(v[0].detail.find("pre-shared key differs"), std::string::npos) << v[0].detail;
  EXPECT_EQ(v[0].detail.find("Xq7"), std::string::npos) << "never print a key";
  EXPECT_NE(v[0].detail.find("set public_address"), std::string::npos) << v[0].detail;
  EXPECT_NE(v[1].detail.find("203.0.113.87"), std::string::npos) << v[1].detail;
  EXPECT_NE(v[1].detail.find("DOWN"), std::string::npos) << v[1].detail;
}

TEST(AwsCompare, NoProposalAwsAllows) {
  Fixture f = Imported({"describe-vpn-connections.json"});
  // Narrow AWS's side as modify-vpn-tunnel-options would; keep ours at the old minimum.
  f.aws.tunnels[1].tunnel.algorithms.ike_dh_groups = {19, 20};
  f.aws.tunnels[1].tunnel.algorithms.esp_pfs_groups = {19, 20};
  f.cfg.connections[0].tunnels[1].algorithms = config::Algorithms{};
  auto v = compare_with_aws(f.cfg, f.aws);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].status, Status::kPass) << v[0].detail;
  EXPECT_EQ(v[1].status, Status::kFail);
  EXPECT_NE(v[1].detail.find("no phase 1 proposal AWS allows"), std::string::npos) << v[1].detail;
  EXPECT_NE(v[1].detail.find("no phase 2 proposal AWS allows"), std::string::npos) << v[1].detail;
}

}  // namespace
}  // namespace xgw::doctor
