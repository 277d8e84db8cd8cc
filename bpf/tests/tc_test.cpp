// BPF_PROG_TEST_RUN tests of the TC programs: WAN egress counters, LAN steering by mark with a
// one-entry flip, DF clearing and MSS clamping with valid checksums, untouched ARP and
// LAN-local traffic, and the MSS clamp on XFRM interface ingress.
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include "bpf_test_util.h"
#include "packet_builder.h"
#include "tc_lan_ingress.skel.h"
#include "tc_wan_egress.skel.h"

namespace xgw::reftest {
namespace {

std::vector<uint8_t> TcpSyn(const char* src, const char* dst, uint16_t mss, bool df, bool syn = true) {
  std::vector<uint8_t> tcp = {0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
                              0x80, static_cast<uint8_t>(syn ? 0x02 : 0x10), 0xFF, 0xFF, 0, 0, 0, 0,
                              // options: NOP, NOP, MSS, window scale NOP-padded... 12 bytes
                              1, 1, 2, 4, static_cast<uint8_t>(mss >> 8), static_cast<uint8_t>(mss), 1, 3, 3, 7, 0, 0};
  auto f = PacketBuilder().Src(src).Dst(dst).Proto(6).Frag(df ? 0x4000 : 0).Payload(tcp).Build();
  // TCP checksum over the pseudo-header.
  uint8_t* ip = f.data() + 14;
  size_t tcp_off = 14 + 20, tcp_len = f.size() - tcp_off;
  uint32_t sum = 0;
  for (int i = 12; i < 20; i += 2) sum += uint32_t{ip[i]} << 8 | ip[i + 1];
  sum += 6 + static_cast<uint32_t>(tcp_len);
  uint16_t c = InetChecksum(f.data() + tcp_off, tcp_len, sum);
  f[tcp_off + 16] = c >> 8;
  f[tcp_off + 17] = c & 0xFF;
  return f;
}

bool ChecksumsValid(const std::vector<uint8_t>& f, size_t l3 = 14) {
  const uint8_t* ip = f.data() + l3;
  if (InetChecksum(ip, 20) != 0) return false;
  size_t tcp_off = l3 + 20, tcp_len = f.size() - tcp_off;
  uint32_t sum = 0;
  for (int i = 12; i < 20; i += 2) sum += uint32_t{ip[i]} << 8 | ip[i + 1];
  sum += 6 + static_cast<uint32_t>(tcp_len);
  return InetChecksum(f.data() + tcp_off, tcp_len, sum) == 0;
}

uint16_t MssOf(const std::vector<uint8_t>& f) { return static_cast<uint16_t>(f[14 + 20 + 20 + 4] << 8 | f[14 + 20 + 20 + 5]); }

class TcLan : public ::testing::Test {
 protected:
  void SetUp() override {
    XGW_REQUIRE_BPF();
    skel_.reset(tc_lan_ingress::open_and_load());
    ASSERT_TRUE(skel_);
    Route("10.20.0.0", 16, 0);
    Route("10.30.5.0", 24, 1);
    Params(5, {0x105, 1379, XGW_TUN_CLEAR_DF});
    Params(6, {0x106, 0, 0});
    Params(7, {0x107, 1300, 0});
    Active(0, 5);
    Active(1, 7);
  }
  void Route(const char* net, uint32_t len, uint32_t conn) {
    xgw_route_key k{len, Ip(net)};
    xgw_route v{conn};
    ASSERT_EQ(bpf_map__update_elem(skel_->maps.xgw_routes, &k, sizeof(k), &v, sizeof(v), 0), 0);
  }
  void Params(uint32_t tunnel, xgw_tunnel_params p) {
    ASSERT_EQ(bpf_map__update_elem(skel_->maps.xgw_tun_params, &tunnel, 4, &p, sizeof(p), 0), 0);
  }
  void Active(uint32_t conn, uint32_t tunnel) {
    xgw_active a{tunnel};
    ASSERT_EQ(bpf_map__update_elem(skel_->maps.xgw_active, &conn, 4, &a, sizeof(a), 0), 0);
  }
  RunResult Run(const std::vector<uint8_t>& f, uint32_t* mark, uint32_t ifindex = 0, bool tun = false) {
    __sk_buff in{}, out{};
    in.ifindex = ifindex;
    RunResult r = TestRun(bpf_program__fd(tun ? skel_->progs.tc_tun_ingress : skel_->progs.tc_lan_ingress),
                          f, &in, sizeof(in), &out);
    EXPECT_EQ(r.err, 0) << std::strerror(-r.err);
    EXPECT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_OK));
    *mark = out.mark;
    return r;
  }
  SkelPtr<tc_lan_ingress> skel_;
};

TEST_F(TcLan, MarksRemoteTrafficClearsDfAndClampsMss) {
  auto syn = TcpSyn("192.168.1.10", "10.20.3.4", 1460, true);
  ASSERT_TRUE(ChecksumsValid(syn));
  uint32_t mark = 0;
  RunResult r = Run(syn, &mark);
  EXPECT_EQ(mark, 0x105u);
  ASSERT_EQ(r.out.size(), syn.size());
  EXPECT_EQ(r.out[14 + 6] & 0x40, 0) << "DF cleared";
  EXPECT_EQ(MssOf(r.out), 1379);
  EXPECT_TRUE(ChecksumsValid(r.out)) << "IPv4 and TCP checksums still correct";
  EXPECT_EQ(r.out[14 + 8], 64) << "TTL is the forward path's job, not ours";
  int g = bpf_map__fd(skel_->maps.xgw_global_ctr);
  EXPECT_EQ(GlobalCounter(g, XGW_GCTR_EVENT + XGW_EV_STEERED).packets, 1u);
  EXPECT_EQ(GlobalCounter(g, XGW_GCTR_EVENT + XGW_EV_DF_CLEARED).packets, 1u);
  EXPECT_EQ(GlobalCounter(g, XGW_GCTR_EVENT + XGW_EV_MSS_CLAMPED).packets, 1u);
}

TEST_F(TcLan, SmallerMssAndNonSynAreLeftAlone) {
  uint32_t mark = 0;
  auto small = TcpSyn("192.168.1.10", "10.20.3.4", 1200, false);
  RunResult r = Run(small, &mark);
  EXPECT_EQ(mark, 0x105u);
  EXPECT_EQ(r.out, small);
  auto ack = TcpSyn("192.168.1.10", "10.20.3.4", 1460, false, false);
  r = Run(ack, &mark);
  EXPECT_EQ(r.out, ack);
}

TEST_F(TcLan, FailoverIsOneMapUpdateEffectiveForTheNextPacket) {
  auto syn = TcpSyn("192.168.1.10", "10.20.3.4", 1460, true);
  uint32_t mark = 0;
  Run(syn, &mark);
  EXPECT_EQ(mark, 0x105u);
  Active(0, 6);
  RunResult r = Run(syn, &mark);
  EXPECT_EQ(mark, 0x106u);
  EXPECT_EQ(r.out, syn) << "tunnel 6 asks for neither DF clearing nor MSS clamping";
  Active(0, 5);
  Run(syn, &mark);
  EXPECT_EQ(mark, 0x105u);
}

TEST_F(TcLan, LongestPrefixPicksTheConnection) {
  uint32_t mark = 0;
  Run(TcpSyn("192.168.1.10", "10.30.5.77", 1460, false), &mark);
  EXPECT_EQ(mark, 0x107u);
  Run(TcpSyn("192.168.1.10", "10.30.6.77", 1460, false), &mark);
  EXPECT_EQ(mark, 0u);
}

TEST_F(TcLan, ArpLocalAndGatewayTrafficPassUntouched) {
  uint32_t mark = 0;
  auto arp = PacketBuilder().Ethertype(ETH_P_ARP).Payload(std::vector<uint8_t>(28, 0x11)).Build();
  RunResult r = Run(arp, &mark);
  EXPECT_EQ(mark, 0u);
  EXPECT_EQ(r.out, arp);
  auto local = TcpSyn("192.168.1.10", "192.168.1.1", 1460, true);
  r = Run(local, &mark);
  EXPECT_EQ(mark, 0u);
  EXPECT_EQ(r.out, local);
}

TEST_F(TcLan, UnusableTunnelLeavesPacketUnmarked) {
  Params(5, {0, 1379, XGW_TUN_CLEAR_DF});
  auto syn = TcpSyn("192.168.1.10", "10.20.3.4", 1460, true);
  uint32_t mark = 0;
  RunResult r = Run(syn, &mark);
  EXPECT_EQ(mark, 0u);
  EXPECT_EQ(r.out, syn);
}

TEST_F(TcLan, TunnelIngressClampsSynsTowardsTheLan) {
  uint32_t lo = 1, tunnel = 7;
  ASSERT_EQ(bpf_map__update_elem(skel_->maps.xgw_tun_ifaces, &lo, 4, &tunnel, 4, 0), 0);
  auto synack = TcpSyn("10.30.5.77", "192.168.1.10", 1460, true);
  uint32_t mark = 0;
  RunResult r = Run(synack, &mark, lo, true);
  EXPECT_EQ(MssOf(r.out), 1300);
  EXPECT_TRUE(ChecksumsValid(r.out));
  EXPECT_NE(r.out[14 + 6] & 0x40, 0) << "DF is only cleared towards the tunnel";
  // An interface that belongs to no tunnel is not touched.
  uint32_t none = 0;
  ASSERT_EQ(bpf_map__delete_elem(skel_->maps.xgw_tun_ifaces, &lo, 4, 0), 0);
  r = Run(synack, &none, lo, true);
  EXPECT_EQ(r.out, synack);
}

TEST(TcWanEgress, CountsOutboundEspPerTunnel) {
  XGW_REQUIRE_BPF();
  SkelPtr<tc_wan_egress> s(tc_wan_egress::open_and_load());
  ASSERT_TRUE(s);
  xgw_spi_key k1{Ip("203.0.113.1"), 0xAA01};
  xgw_spi_key k2{Ip("203.0.113.1"), 0xAA02};
  xgw_spi_info v1{4, XGW_SPI_ESP}, v2{4, XGW_SPI_UDP};
  ASSERT_EQ(bpf_map__update_elem(s->maps.xgw_spi, &k1, sizeof(k1), &v1, sizeof(v1), 0), 0);
  ASSERT_EQ(bpf_map__update_elem(s->maps.xgw_spi, &k2, sizeof(k2), &v2, sizeof(v2), 0), 0);
  auto esp = PacketBuilder().Src("198.51.100.1").Dst("203.0.113.1").Proto(50).Esp(0xAA01).Build();
  auto natt = PacketBuilder().Src("198.51.100.1").Dst("203.0.113.1").Udp(4500, 4500).Esp(0xAA02).Build();
  auto unknown = PacketBuilder().Src("198.51.100.1").Dst("203.0.113.9").Proto(50).Esp(0xAA01).Build();
  auto ike = PacketBuilder().Src("198.51.100.1").Dst("203.0.113.1").Udp(500, 500).Isakmp(1, 2).Build();
  int fd = bpf_program__fd(s->progs.tc_wan_egress);
  for (const auto* f : {&esp, &esp, &natt, &unknown, &ike}) {
    RunResult r = TestRun(fd, *f);
    EXPECT_EQ(r.err, 0);
    EXPECT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_OK));
  }
  int t = bpf_map__fd(s->maps.xgw_tun_ctr);
  EXPECT_EQ(TunnelCounter(t, 4, XGW_TCTR_OUT_ESP).packets, 2u);
  EXPECT_EQ(TunnelCounter(t, 4, XGW_TCTR_OUT_ESP).bytes, 2 * esp.size());
  EXPECT_EQ(TunnelCounter(t, 4, XGW_TCTR_OUT_ESP_IN_UDP).packets, 1u);
  EXPECT_EQ(GlobalCounter(bpf_map__fd(s->maps.xgw_global_ctr), XGW_GCTR_EVENT + XGW_EV_OUT_UNKNOWN_SPI).packets, 1u);
}

}  // namespace
}  // namespace xgw::reftest
