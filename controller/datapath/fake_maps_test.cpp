#include <gtest/gtest.h>

#include "fake_maps.h"

namespace xgw::datapath {
namespace {

TEST(Ipv4, ParsesAndPrintsNetworkOrder) {
  Ipv4 a = Ipv4::Parse("203.0.113.7");
  const auto* b = reinterpret_cast<const uint8_t*>(&a.be);
  EXPECT_EQ(b[0], 203);
  EXPECT_EQ(b[3], 7);
  EXPECT_EQ(a.ToString(), "203.0.113.7");
  EXPECT_THROW(Ipv4::Parse("203.0.113"), std::invalid_argument);
}

TEST(PeerAllow, BitsMatchAbi) {
  EXPECT_EQ((PeerAllow{true, false, true}.Bits()), XGW_PEER_UDP500 | XGW_PEER_ESP);
  EXPECT_EQ((PeerAllow{false, true, false}.Bits()), XGW_PEER_UDP4500);
}

TEST(FakeDatapathMaps, RecordsStateAndCallOrder) {
  FakeDatapathMaps f;
  DatapathMaps& m = f;
  m.UpsertPeer(Ipv4::Parse("203.0.113.1"), {}, 4);
  m.UpsertSpi(Ipv4::Parse("203.0.113.1"), 0xc0ffee, 4, SpiEncap::kEsp);
  m.AddRemoteNetwork(Ipv4::Parse("10.0.0.0"), 16, 2);
  m.SetTunnelParams(4, {0x104, 1379, true});
  m.SetActiveTunnel(2, 4);
  EXPECT_EQ(m.ActiveTunnel(2), 4u);
  m.SetActiveTunnel(2, 5);
  EXPECT_EQ(m.ActiveTunnel(2), 5u);
  ASSERT_EQ(f.log.size(), 6u);
  EXPECT_EQ(f.log[0], "UpsertPeer 203.0.113.1 7 4");
  EXPECT_EQ(f.log.back(), "SetActiveTunnel 2 5");
  EXPECT_EQ(f.spis.at({Ipv4::Parse("203.0.113.1"), 0xc0ffee}).tunnel, 4u);
  m.RemoveSpi(Ipv4::Parse("203.0.113.1"), 0xc0ffee);
  EXPECT_TRUE(f.spis.empty());
  EXPECT_THROW(m.UpsertPeer(Ipv4::Parse("1.2.3.4"), {}, XGW_MAX_TUNNELS), std::out_of_range);
  EXPECT_THROW(m.AddRemoteNetwork(Ipv4::Parse("1.2.3.4"), 33, 0), std::invalid_argument);
  f.tunnel_counters[4].c[XGW_TCTR_IN_ESP] = {3, 300};
  EXPECT_EQ(m.ReadTunnelCounters(4)[XGW_TCTR_IN_ESP].packets, 3u);
}

}  // namespace
}  // namespace xgw::datapath
