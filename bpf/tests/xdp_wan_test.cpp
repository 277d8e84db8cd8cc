// Table-driven BPF_PROG_TEST_RUN tests of the WAN XDP classifier: every class, allow and
// deny, counters, truncation at every header boundary, VLAN, IP options, fragments, policy,
// and the Main Mode rate limit. Each case is also checked against the C++ reference.
#include <linux/if_ether.h>

#include <string>

#include "bpf_test_util.h"
#include "packet_builder.h"
#include "reference_classifier.h"
#include "xdp_wan.skel.h"

namespace xgw::reftest {
namespace {

constexpr const char* kPeerAll = "203.0.113.1";   // tunnel 1, udp500 + udp4500 + esp
constexpr const char* kPeerNatt = "203.0.113.2";  // tunnel 2, udp4500 only
constexpr const char* kPeerNoNatt = "203.0.113.3";  // tunnel 3, udp500 + esp
constexpr const char* kStranger = "198.51.100.99";

class XdpWan : public ::testing::Test {
 protected:
  void SetUp() override {
    XGW_REQUIRE_BPF();
    skel_.reset(xdp_wan::open_and_load());
    ASSERT_TRUE(skel_) << "xdp_wan skeleton load failed";
    AddPeer(kPeerAll, XGW_PEER_UDP500 | XGW_PEER_UDP4500 | XGW_PEER_ESP, 1);
    AddPeer(kPeerNatt, XGW_PEER_UDP4500, 2);
    AddPeer(kPeerNoNatt, XGW_PEER_UDP500 | XGW_PEER_ESP, 3);
    AddSpi(kPeerAll, 0x1000, 1, XGW_SPI_ESP);
    AddSpi(kPeerAll, 0x2000, 1, XGW_SPI_UDP);
    AddSpi(kPeerNatt, 0x3000, 2, XGW_SPI_UDP);
    SetConfig(0, 0, 0);
  }

  void AddPeer(const char* addr, uint32_t allow, uint32_t tunnel) {
    xgw_peer_key k{Ip(addr)};
    xgw_peer v{allow, tunnel};
    ASSERT_EQ(SetPeerBloomBit(bpf_map__fd(skel_->maps.xgw_peer_bloom), k.addr), 0);
    ASSERT_EQ(bpf_map__update_elem(skel_->maps.xgw_peers, &k, sizeof(k), &v, sizeof(v), 0), 0);
    ref_.peers[k.addr] = v;
  }
  void AddSpi(const char* peer, uint32_t spi, uint32_t tunnel, uint32_t encap) {
    xgw_spi_key k{Ip(peer), spi};
    xgw_spi_info v{tunnel, encap};
    ASSERT_EQ(bpf_map__update_elem(skel_->maps.xgw_spi, &k, sizeof(k), &v, sizeof(v), 0), 0);
    ref_.spis[{k.peer, spi}] = v;
  }
  void SetConfig(uint32_t flags, uint32_t rate, uint32_t burst) {
    uint32_t zero = 0;
    xgw_config c{XGW_ABI_LAYOUT_VERSION, flags, rate, burst};
    ASSERT_EQ(bpf_map__update_elem(skel_->maps.xgw_config, &zero, 4, &c, sizeof(c), 0), 0);
    ref_.config_flags = flags;
  }
  int ProgFd() { return bpf_program__fd(skel_->progs.xdp_wan); }
  int GlobalFd() { return bpf_map__fd(skel_->maps.xgw_global_ctr); }
  int TunFd() { return bpf_map__fd(skel_->maps.xgw_tun_ctr); }

  uint32_t Run(const std::vector<uint8_t>& frame) {
    RunResult r = TestRun(ProgFd(), frame);
    EXPECT_EQ(r.err, 0) << std::strerror(-r.err);
    return r.retval;
  }

  SkelPtr<xdp_wan> skel_;
  RefState ref_;
};

struct Case {
  std::string name;
  std::vector<uint8_t> frame;
  uint32_t verdict;
  uint32_t cls;
  uint32_t reason;        // XGW_DROP_NONE when passed
  uint32_t tunnel;
  uint32_t kind;          // XGW_TCTR_MAX: no per-tunnel count
};

std::vector<Case> Cases() {
  using PB = PacketBuilder;
  auto ike = [](const char* src, uint64_t rcookie) {
    return PB().Src(src).Udp(500, 500).Isakmp(0x1122334455667788ull, rcookie).Build();
  };
  auto natt_ike = [](const char* src) {
    return PB().Src(src).Udp(4500, 4500).NonEspMarker().Isakmp(1, 2).Build();
  };
  auto natt_esp = [](const char* src, uint32_t spi) {
    return PB().Src(src).Udp(4500, 4500).Esp(spi).Build();
  };
  auto esp = [](const char* src, uint32_t spi) { return PB().Src(src).Proto(50).Esp(spi).Build(); };
  auto keepalive = [](const char* src) { return PB().Src(src).Udp(4500, 4500).Bytes({0xFF}).Build(); };
  const uint32_t P = XDP_PASS, D = XDP_DROP, N = XGW_DROP_NONE, X = XGW_TCTR_MAX;
  return {
      // IKE on 500.
      {"ike500 mm1 from peer", ike(kPeerAll, 0), P, XGW_CLASS_IKE_500, N, 1, XGW_TCTR_IN_IKE_500},
      {"ike500 known rcookie", ike(kPeerAll, 42), P, XGW_CLASS_IKE_500, N, 1, XGW_TCTR_IN_IKE_500},
      {"ike500 from stranger", ike(kStranger, 0), D, XGW_CLASS_IKE_500, XGW_DROP_NOT_PEER, 0, X},
      {"ike500 from natt-only peer", ike(kPeerNatt, 7), D, XGW_CLASS_IKE_500, XGW_DROP_NOT_ALLOWED, 2, XGW_TCTR_IN_DROPPED},
      {"ike500 with ip options", PB().Src(kPeerAll).Options(12).Udp(500, 500).Isakmp(1, 0).Build(), P, XGW_CLASS_IKE_500, N, 1, XGW_TCTR_IN_IKE_500},
      {"ike500 vlan", PB().Vlan(100).Src(kPeerAll).Udp(500, 500).Isakmp(1, 9).Build(), P, XGW_CLASS_IKE_500, N, 1, XGW_TCTR_IN_IKE_500},
      {"ike500 qinq outer tag", PB().Vlan(100, 0x88A8).Src(kPeerAll).Udp(500, 500).Isakmp(1, 9).Build(), P, XGW_CLASS_IKE_500, N, 1, XGW_TCTR_IN_IKE_500},
      {"ike500 short isakmp", PB().Src(kPeerAll).Udp(500, 500).Payload(std::vector<uint8_t>(27, 1)).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"ike500 first fragment", PB().Src(kPeerAll).Frag(0x2000).Udp(500, 500).Isakmp(1, 5, 100).UdpLenOverride(2000).Build(), P, XGW_CLASS_IKE_500, N, 1, XGW_TCTR_IN_IKE_500},
      // NAT-T.
      {"natt ike", natt_ike(kPeerNatt), P, XGW_CLASS_IKE_4500, N, 2, XGW_TCTR_IN_IKE_4500},
      {"natt ike from non-natt peer", natt_ike(kPeerNoNatt), D, XGW_CLASS_IKE_4500, XGW_DROP_NOT_ALLOWED, 3, XGW_TCTR_IN_DROPPED},
      {"natt ike from stranger", natt_ike(kStranger), D, XGW_CLASS_IKE_4500, XGW_DROP_NOT_PEER, 0, X},
      {"natt esp known spi", natt_esp(kPeerAll, 0x2000), P, XGW_CLASS_ESP_IN_UDP, N, 1, XGW_TCTR_IN_ESP_IN_UDP},
      {"natt esp known spi peer2", natt_esp(kPeerNatt, 0x3000), P, XGW_CLASS_ESP_IN_UDP, N, 2, XGW_TCTR_IN_ESP_IN_UDP},
      {"natt esp unknown spi", natt_esp(kPeerNatt, 0x9999), P, XGW_CLASS_ESP_IN_UDP, N, 2, XGW_TCTR_IN_UNKNOWN_SPI},
      {"natt esp spi of esp-only SA", natt_esp(kPeerAll, 0x1000), P, XGW_CLASS_ESP_IN_UDP, N, 1, XGW_TCTR_IN_UNKNOWN_SPI},
      {"natt esp from stranger", natt_esp(kStranger, 0x2000), D, XGW_CLASS_ESP_IN_UDP, XGW_DROP_NOT_PEER, 0, X},
      {"natt keepalive", keepalive(kPeerNatt), P, XGW_CLASS_NATT_KEEPALIVE, N, 2, XGW_TCTR_IN_KEEPALIVE},
      {"natt keepalive stranger", keepalive(kStranger), D, XGW_CLASS_NATT_KEEPALIVE, XGW_DROP_NOT_PEER, 0, X},
      {"natt 1 byte not 0xff", PB().Src(kPeerNatt).Udp(4500, 4500).Bytes({0x00}).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"natt empty", PB().Src(kPeerNatt).Udp(4500, 4500).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"natt 3 bytes", PB().Src(kPeerNatt).Udp(4500, 4500).Bytes({1, 2, 3}).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"natt esp 7 bytes", PB().Src(kPeerNatt).Udp(4500, 4500).Bytes({0, 0, 0x30, 0, 0, 0, 1}).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"natt marker short ike", PB().Src(kPeerNatt).Udp(4500, 4500).NonEspMarker().Payload(std::vector<uint8_t>(4 + 27, 0)).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"natt esp minimal 8 bytes", PB().Src(kPeerNatt).Udp(4500, 4500).Esp(0x3000, 1, 0).Build(), P, XGW_CLASS_ESP_IN_UDP, N, 2, XGW_TCTR_IN_ESP_IN_UDP},
      // ESP.
      {"esp known spi", esp(kPeerAll, 0x1000), P, XGW_CLASS_ESP, N, 1, XGW_TCTR_IN_ESP},
      {"esp unknown spi from peer", esp(kPeerNoNatt, 0x4444), P, XGW_CLASS_ESP, N, 3, XGW_TCTR_IN_UNKNOWN_SPI},
      {"esp natt-only spi as esp", esp(kPeerNatt, 0x3000), D, XGW_CLASS_ESP, XGW_DROP_NOT_ALLOWED, 2, XGW_TCTR_IN_DROPPED},
      {"esp from stranger", esp(kStranger, 0x1000), D, XGW_CLASS_ESP, XGW_DROP_NOT_PEER, 0, X},
      {"esp vlan options", PB().Vlan(7).Options(40).Src(kPeerAll).Proto(50).Esp(0x1000).Build(), P, XGW_CLASS_ESP, N, 1, XGW_TCTR_IN_ESP},
      {"esp 7 bytes", PB().Src(kPeerAll).Proto(50).Bytes({0, 0, 0x10, 0, 0, 0, 1}).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      // Fragments.
      {"esp fragment from peer", PB().Src(kPeerAll).Proto(50).Frag(0x0010).Bytes({1, 2, 3}).Build(), P, XGW_CLASS_FRAGMENT, N, 1, XGW_TCTR_IN_FRAGMENT},
      {"esp fragment from stranger", PB().Src(kStranger).Proto(50).Frag(0x2010).Bytes({1}).Build(), D, XGW_CLASS_FRAGMENT, XGW_DROP_FRAGMENT, 0, X},
      {"esp fragment from natt-only peer", PB().Src(kPeerNatt).Proto(50).Frag(0x0100).Bytes({1}).Build(), D, XGW_CLASS_FRAGMENT, XGW_DROP_FRAGMENT, 2, XGW_TCTR_IN_DROPPED},
      {"udp fragment from natt peer", PB().Src(kPeerNatt).Proto(17).Frag(0x0100).Bytes({1, 2}).Build(), P, XGW_CLASS_FRAGMENT, N, 2, XGW_TCTR_IN_FRAGMENT},
      {"udp fragment from stranger", PB().Src(kStranger).Proto(17).Frag(0x0100).Bytes({1, 2}).Build(), D, XGW_CLASS_FRAGMENT, XGW_DROP_FRAGMENT, 0, X},
      {"tcp fragment from stranger", PB().Src(kStranger).Proto(6).Frag(0x0100).Bytes({1, 2}).Build(), P, XGW_CLASS_OTHER_IPV4, N, 0, X},
      // Other traffic.
      {"udp 53", PB().Src(kStranger).Udp(53, 53).Bytes({1, 2, 3, 4}).Build(), P, XGW_CLASS_OTHER_IPV4, N, 0, X},
      {"udp source 500 only", PB().Src(kStranger).Udp(500, 1234).Bytes({1}).Build(), P, XGW_CLASS_OTHER_IPV4, N, 0, X},
      {"tcp", PB().Src(kStranger).Proto(6).Payload(std::vector<uint8_t>(20, 0)).Build(), P, XGW_CLASS_OTHER_IPV4, N, 0, X},
      {"arp", PB().Ethertype(ETH_P_ARP).Payload(std::vector<uint8_t>(28, 0)).Build(), P, XGW_CLASS_OTHER, N, 0, X},
      {"ipv6", PB().Ethertype(ETH_P_IPV6).Payload(std::vector<uint8_t>(40, 0)).Build(), P, XGW_CLASS_OTHER, N, 0, X},
      {"vlan arp", PB().Vlan(3).Ethertype(ETH_P_ARP).Payload(std::vector<uint8_t>(28, 0)).Build(), P, XGW_CLASS_OTHER, N, 0, X},
      // Malformed IPv4.
      {"ihl 4", [] { auto f = PacketBuilder().Src(kPeerAll).Proto(50).Esp(0x1000).Build(); f[14] = 0x44; return f; }(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"version 6 in ipv4 frame", [] { auto f = PacketBuilder().Src(kPeerAll).Proto(50).Esp(0x1000).Build(); f[14] = 0x65; return f; }(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"tot_len beyond frame", PB().Src(kPeerAll).Proto(50).Esp(0x1000).TotLenOverride(1000).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"tot_len below header", PB().Src(kPeerAll).Proto(50).Esp(0x1000).TotLenOverride(19).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"udp len below 8", PB().Src(kPeerAll).Udp(500, 500).Isakmp(1, 0).UdpLenOverride(7).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"udp len beyond ip", PB().Src(kPeerAll).Udp(500, 500).Isakmp(1, 0).UdpLenOverride(200).Build(), D, XGW_CLASS_MALFORMED, XGW_DROP_MALFORMED, 0, X},
      {"ethernet padding after tot_len", [] { auto f = PacketBuilder().Src(kPeerAll).Proto(50).Esp(0x1000).Build(); f.resize(f.size() + 10, 0); return f; }(), P, XGW_CLASS_ESP, N, 1, XGW_TCTR_IN_ESP},
  };
}

TEST_F(XdpWan, TableOfClassesVerdictsAndCounters) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    xgw_counter cls0 = GlobalCounter(GlobalFd(), XGW_GCTR_CLASS + c.cls);
    xgw_counter why0 = GlobalCounter(GlobalFd(), XGW_GCTR_DROP + c.reason);
    xgw_counter tun0{};
    if (c.kind != XGW_TCTR_MAX) tun0 = TunnelCounter(TunFd(), c.tunnel, c.kind);

    EXPECT_EQ(Run(c.frame), c.verdict);

    xgw_counter cls1 = GlobalCounter(GlobalFd(), XGW_GCTR_CLASS + c.cls);
    EXPECT_EQ(cls1.packets - cls0.packets, 1u) << "class counter";
    EXPECT_EQ(cls1.bytes - cls0.bytes, c.frame.size());
    if (c.reason != XGW_DROP_NONE) {
      EXPECT_EQ(GlobalCounter(GlobalFd(), XGW_GCTR_DROP + c.reason).packets - why0.packets, 1u);
    }
    if (c.kind != XGW_TCTR_MAX) {
      xgw_counter tun1 = TunnelCounter(TunFd(), c.tunnel, c.kind);
      EXPECT_EQ(tun1.packets - tun0.packets, 1u) << "tunnel counter";
      EXPECT_EQ(tun1.bytes - tun0.bytes, c.frame.size());
    }
    RefResult ref = ReferenceClassify(c.frame, ref_);
    EXPECT_EQ(ref.cls, c.cls) << "reference class";
    EXPECT_EQ(ref.reason, c.reason) << "reference reason";
    EXPECT_EQ(ref.kind, c.kind) << "reference tunnel counter";
  }
}

// Cutting a well-formed frame anywhere short of its end, at every header boundary and inside
// every header, always gives MALFORMED + drop (tot_len no longer fits), never a pass.
TEST_F(XdpWan, TruncationAtEveryLengthIsMalformedAndDropped) {
  std::vector<std::vector<uint8_t>> frames = {
      PacketBuilder().Src(kPeerAll).Udp(500, 500).Isakmp(1, 0).Build(),
      PacketBuilder().Vlan(5).Src(kPeerAll).Options(8).Udp(4500, 4500).NonEspMarker().Isakmp(1, 2).Build(),
      PacketBuilder().Src(kPeerAll).Udp(4500, 4500).Esp(0x2000, 1, 0).Build(),
      PacketBuilder().Src(kPeerAll).Proto(50).Esp(0x1000, 1, 0).Build(),
  };
  for (const auto& full : frames) {
    for (size_t len = 0; len < full.size(); ++len) {
      // BPF_PROG_TEST_RUN refuses XDP frames shorter than an Ethernet header.
      if (len < ETH_HLEN) {
        std::vector<uint8_t> f(full.begin(), full.begin() + len);
        EXPECT_EQ(ReferenceClassify(f, ref_).cls, XGW_CLASS_MALFORMED);
        continue;
      }
      SCOPED_TRACE("length " + std::to_string(len));
      std::vector<uint8_t> f(full.begin(), full.begin() + len);
      bool vlan_cut = f.size() < 18 && full[12] == 0x81;
      xgw_counter m0 = GlobalCounter(GlobalFd(), XGW_GCTR_DROP + XGW_DROP_MALFORMED);
      EXPECT_EQ(Run(f), static_cast<uint32_t>(XDP_DROP));
      EXPECT_EQ(GlobalCounter(GlobalFd(), XGW_GCTR_DROP + XGW_DROP_MALFORMED).packets - m0.packets, 1u);
      EXPECT_EQ(ReferenceClassify(f, ref_).cls, XGW_CLASS_MALFORMED) << vlan_cut;
    }
    EXPECT_EQ(Run(full), static_cast<uint32_t>(XDP_PASS));
  }
}

TEST_F(XdpWan, PolicyCanDropNonVpnTraffic) {
  auto udp = PacketBuilder().Src(kStranger).Udp(53, 53).Bytes({1}).Build();
  auto arp = PacketBuilder().Ethertype(ETH_P_ARP).Payload(std::vector<uint8_t>(28, 0)).Build();
  auto ike = PacketBuilder().Src(kPeerAll).Udp(500, 500).Isakmp(1, 2).Build();
  SetConfig(XGW_CFG_DROP_OTHER_IPV4, 0, 0);
  EXPECT_EQ(Run(udp), static_cast<uint32_t>(XDP_DROP));
  EXPECT_EQ(Run(arp), static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(Run(ike), static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(GlobalCounter(GlobalFd(), XGW_GCTR_DROP + XGW_DROP_POLICY).packets, 1u);
  SetConfig(XGW_CFG_DROP_OTHER_IPV4 | XGW_CFG_DROP_NON_IPV4, 0, 0);
  EXPECT_EQ(Run(arp), static_cast<uint32_t>(XDP_DROP));
  EXPECT_EQ(ReferenceClassify(arp, ref_).reason, static_cast<uint32_t>(XGW_DROP_POLICY));
  SetConfig(0, 0, 0);
  EXPECT_EQ(Run(udp), static_cast<uint32_t>(XDP_PASS));
}

// Only new Main Mode first messages are limited, per source; a flood of them never starves
// IKE with a responder cookie, NAT-T or ESP from the same peer.
TEST_F(XdpWan, MainModeFloodIsRateLimitedPerSourceOnly) {
  SetConfig(0, 1, 5);  // 1 per second, burst 5: a test run is far faster than the refill
  auto mm1 = PacketBuilder().Src(kPeerAll).Udp(500, 500).Isakmp(9, 0).Build();
  auto mm1_other = PacketBuilder().Src(kPeerNoNatt).Udp(500, 500).Isakmp(9, 0).Build();
  auto dpd = PacketBuilder().Src(kPeerAll).Udp(500, 500).Isakmp(9, 77).Build();
  auto natt = PacketBuilder().Src(kPeerAll).Udp(4500, 4500).NonEspMarker().Isakmp(9, 0).Build();
  auto esp = PacketBuilder().Src(kPeerAll).Proto(50).Esp(0x1000).Build();
  int passed = 0;
  for (int i = 0; i < 50; ++i) passed += Run(mm1) == XDP_PASS;
  EXPECT_GE(passed, 5);
  EXPECT_LE(passed, 6);  // at most one refill if the run spans a second boundary
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Run(dpd), static_cast<uint32_t>(XDP_PASS));
    EXPECT_EQ(Run(natt), static_cast<uint32_t>(XDP_PASS));
    EXPECT_EQ(Run(esp), static_cast<uint32_t>(XDP_PASS));
  }
  EXPECT_EQ(Run(mm1_other), static_cast<uint32_t>(XDP_PASS)) << "another source has its own bucket";
  EXPECT_EQ(GlobalCounter(GlobalFd(), XGW_GCTR_DROP + XGW_DROP_RATELIMIT).packets,
            static_cast<uint64_t>(50 - passed));
  EXPECT_EQ(GlobalCounter(GlobalFd(), XGW_GCTR_EVENT + XGW_EV_MM1).packets,
            static_cast<uint64_t>(passed + 1));
  EXPECT_EQ(TunnelCounter(TunFd(), 1, XGW_TCTR_IN_DROPPED).packets, static_cast<uint64_t>(50 - passed));
}

TEST_F(XdpWan, UnknownSpiIsCountedAsEvent) {
  auto f = PacketBuilder().Src(kPeerNoNatt).Proto(50).Esp(0xABCD).Build();
  EXPECT_EQ(Run(f), static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(GlobalCounter(GlobalFd(), XGW_GCTR_EVENT + XGW_EV_UNKNOWN_SPI).packets, 1u);
  // The SPI entry is written at allocation, before the SA exists: the next packet counts.
  AddSpi(kPeerNoNatt, 0xABCD, 3, XGW_SPI_ESP);
  EXPECT_EQ(Run(f), static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(TunnelCounter(TunFd(), 3, XGW_TCTR_IN_ESP).packets, 1u);
  EXPECT_EQ(GlobalCounter(GlobalFd(), XGW_GCTR_EVENT + XGW_EV_UNKNOWN_SPI).packets, 1u);
}

}  // namespace
}  // namespace xgw::reftest
