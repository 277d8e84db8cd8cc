// Randomized differential test: 1,000,000 generated frames through the XDP classifier and the
// C++ reference; verdict and class must agree on every frame, and all counters at the end.
#include <random>

#include "bpf_test_util.h"
#include "packet_builder.h"
#include "reference_classifier.h"
#include "xdp_wan.skel.h"

namespace xgw::reftest {
namespace {

constexpr int kFrames = 1000000;

struct Generator {
  std::mt19937_64 rng;
  std::vector<uint32_t> peers, strangers;
  std::vector<uint32_t> spis;

  explicit Generator(uint64_t seed) : rng(seed) {}
  uint32_t U(uint32_t n) { return static_cast<uint32_t>(rng() % n); }
  bool P(int percent) { return U(100) < static_cast<uint32_t>(percent); }
  uint8_t B() { return static_cast<uint8_t>(rng()); }

  void Put16(std::vector<uint8_t>& f, size_t off, uint16_t v) { f[off] = v >> 8; f[off + 1] = v & 0xFF; }
  void Put32(std::vector<uint8_t>& f, size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) f[off + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  }

  std::vector<uint8_t> Frame() {
    std::vector<uint8_t> f(12);
    for (auto& b : f) b = B();
    // Link layer.
    uint32_t l2 = U(20);
    uint16_t ethertype = 0x0800;
    if (l2 == 0) ethertype = 0x0806;
    else if (l2 == 1) ethertype = 0x86DD;
    else if (l2 == 2) ethertype = static_cast<uint16_t>(rng());
    if (P(10)) {
      f.push_back(P(70) ? 0x81 : 0x88); f.push_back(f.back() == 0x81 ? 0x00 : 0xA8);
      f.push_back(B()); f.push_back(B());
      if (P(5)) ethertype = 0x8100;  // a second tag: not parsed
    }
    f.push_back(ethertype >> 8); f.push_back(ethertype & 0xFF);
    size_t ip = f.size();
    // IPv4 header.
    uint32_t ihl = P(90) ? 5 : U(11);  // options, or an invalid IHL below 5
    size_t hlen = std::max<uint32_t>(ihl, 5) * 4;
    f.resize(ip + hlen);
    for (size_t i = ip; i < ip + hlen; ++i) f[i] = B();
    f[ip] = static_cast<uint8_t>((P(97) ? 4 : U(16)) << 4 | ihl);
    uint8_t proto;
    switch (U(10)) {
      case 0: case 1: case 2: proto = 50; break;
      case 3: proto = 6; break;
      case 4: proto = static_cast<uint8_t>(rng()); break;
      default: proto = 17;
    }
    f[ip + 9] = proto;
    uint16_t frag = 0;
    switch (U(20)) {
      case 0: frag = 0x2000; break;                             // first fragment
      case 1: frag = static_cast<uint16_t>(1 + U(0x1FFF)); break;  // non-first
      case 2: frag = static_cast<uint16_t>(rng()); break;
      case 3: frag = 0x4000; break;                             // DF
      default: frag = 0;
    }
    Put16(f, ip + 6, frag);
    uint32_t src = P(70) ? peers[U(static_cast<uint32_t>(peers.size()))]
                         : (P(50) ? strangers[U(static_cast<uint32_t>(strangers.size()))]
                                  : static_cast<uint32_t>(rng()));
    __builtin_memcpy(&f[ip + 12], &src, 4);
    // Transport.
    size_t l4 = f.size();
    if (proto == 17) {
      uint16_t dport = P(45) ? 4500 : (P(70) ? 500 : static_cast<uint16_t>(rng()));
      f.resize(l4 + 8);
      Put16(f, l4, P(50) ? dport : static_cast<uint16_t>(rng()));
      Put16(f, l4 + 2, dport);
      size_t plen;
      switch (U(8)) {
        case 0: plen = U(9); break;
        case 1: plen = 1; break;
        case 2: plen = 28 + U(8); break;
        case 3: plen = 32 + U(8); break;
        default: plen = U(120);
      }
      size_t p0 = f.size();
      f.resize(p0 + plen);
      for (size_t i = p0; i < f.size(); ++i) f[i] = B();
      if (dport == 4500 && plen >= 4) {
        uint32_t what = U(4);
        if (what == 0) Put32(f, p0, 0);
        else if (what == 1) Put32(f, p0, spis[U(static_cast<uint32_t>(spis.size()))]);
      }
      if (plen == 1 && P(70)) f[p0] = 0xFF;
      if (dport == 500 && plen >= 16 && P(50)) for (int i = 8; i < 16; ++i) f[p0 + i] = 0;
      uint16_t ulen = static_cast<uint16_t>(8 + plen);
      if (P(5)) ulen = static_cast<uint16_t>(U(200));
      Put16(f, l4 + 4, ulen);
    } else {
      size_t plen = proto == 50 ? (P(90) ? 8 + U(100) : U(8)) : U(60);
      f.resize(l4 + plen);
      for (size_t i = l4; i < f.size(); ++i) f[i] = B();
      if (proto == 50 && plen >= 4 && P(60)) Put32(f, l4, spis[U(static_cast<uint32_t>(spis.size()))]);
    }
    uint16_t tot = static_cast<uint16_t>(f.size() - ip);
    if (P(4)) tot = static_cast<uint16_t>(U(static_cast<uint32_t>(tot) + 40));
    Put16(f, ip + 2, tot);
    if (P(10)) f.resize(f.size() + U(30), 0);  // Ethernet padding
    if (P(5)) f.resize(std::max<size_t>(14, f.size() - U(static_cast<uint32_t>(f.size()))));
    return f;
  }
};

TEST(XdpWanDifferential, MillionRandomFramesMatchReference) {
  XGW_REQUIRE_BPF();
  SkelPtr<xdp_wan> skel(xdp_wan::open_and_load());
  ASSERT_TRUE(skel);
  RefState ref;
  Generator gen(0x5847570001ull);
  // 8 peers with every combination of allowances, SPIs on some of them, 4 strangers.
  for (uint32_t i = 0; i < 8; ++i) {
    uint32_t addr = htonl(0xCB007100u + i + 1);  // 203.0.113.(i+1)
    xgw_peer v{i, 10 + i};
    ASSERT_EQ(SetPeerBloomBit(bpf_map__fd(skel->maps.xgw_peer_bloom), addr), 0);
    ASSERT_EQ(bpf_map__update_elem(skel->maps.xgw_peers, &addr, 4, &v, sizeof(v), 0), 0);
    ref.peers[addr] = v;
    gen.peers.push_back(addr);
    for (uint32_t j = 0; j < 3; ++j) {
      uint32_t spi = 0xC0000000u | i << 8 | j;
      xgw_spi_key k{addr, spi};
      xgw_spi_info si{10 + i, j + 1};  // ESP, UDP, or both
      ASSERT_EQ(bpf_map__update_elem(skel->maps.xgw_spi, &k, sizeof(k), &si, sizeof(si), 0), 0);
      ref.spis[{addr, spi}] = si;
      gen.spis.push_back(spi);
    }
  }
  gen.spis.push_back(0xDEADBEEF);
  for (uint32_t i = 0; i < 4; ++i) gen.strangers.push_back(htonl(0xC6336400u + i));
  uint32_t zero = 0;
  xgw_config cfg{XGW_ABI_LAYOUT_VERSION, 0, 0, 0};  // no rate limit: the reference has no clock
  ASSERT_EQ(bpf_map__update_elem(skel->maps.xgw_config, &zero, 4, &cfg, sizeof(cfg), 0), 0);

  const int prog = bpf_program__fd(skel->progs.xdp_wan);
  const int gfd = bpf_map__fd(skel->maps.xgw_global_ctr);
  std::vector<xgw_counter> expect_global(XGW_GCTR_MAX);
  std::map<std::pair<uint32_t, uint32_t>, xgw_counter> expect_tunnel;
  int mismatches = 0, tested = 0;
  std::vector<uint8_t> out(2048);
  for (int n = 0; n < kFrames; ++n) {
    if (n == kFrames / 2) {  // second half: drop-policy for non-VPN traffic
      cfg.flags = XGW_CFG_DROP_OTHER_IPV4 | XGW_CFG_DROP_NON_IPV4;
      ASSERT_EQ(bpf_map__update_elem(skel->maps.xgw_config, &zero, 4, &cfg, sizeof(cfg), 0), 0);
      ref.config_flags = cfg.flags;
    }
    std::vector<uint8_t> f = gen.Frame();
    RefResult r = ReferenceClassify(f, ref);
    xgw_counter before = GlobalCounter(gfd, XGW_GCTR_CLASS + r.cls);
    LIBBPF_OPTS(bpf_test_run_opts, opts);
    opts.data_in = f.data();
    opts.data_size_in = static_cast<__u32>(f.size());
    opts.repeat = 1;
    ASSERT_EQ(bpf_prog_test_run_opts(prog, &opts), 0);
    xgw_counter after = GlobalCounter(gfd, XGW_GCTR_CLASS + r.cls);
    ++tested;
    bool ok = opts.retval == (r.pass() ? XDP_PASS : XDP_DROP) && after.packets == before.packets + 1;
    if (!ok && ++mismatches <= 10) {
      std::string hex;
      for (uint8_t b : f) { char h[4]; snprintf(h, sizeof h, "%02x", b); hex += h; }
      ADD_FAILURE() << "frame " << n << ": bpf verdict " << opts.retval << ", ref class " << r.cls
                    << " reason " << r.reason << " (class counter +"
                    << after.packets - before.packets << ")\n" << hex;
    }
    uint64_t len = f.size();
    auto bump = [&](xgw_counter& c) { c.packets++; c.bytes += len; };
    bump(expect_global[XGW_GCTR_CLASS + r.cls]);
    if (!r.pass()) bump(expect_global[XGW_GCTR_DROP + r.reason]);
    if (r.unknown_spi) bump(expect_global[XGW_GCTR_EVENT + XGW_EV_UNKNOWN_SPI]);
    if (r.pass() && r.mm1) bump(expect_global[XGW_GCTR_EVENT + XGW_EV_MM1]);
    if (r.kind != XGW_TCTR_MAX) bump(expect_tunnel[{r.tunnel, r.kind}]);
  }
  EXPECT_EQ(tested, kFrames);
  EXPECT_EQ(mismatches, 0) << "of " << kFrames << " frames";
  for (uint32_t i = 0; i < XGW_GCTR_EVENT + XGW_EV_MM1 + 1; ++i) {
    xgw_counter got = GlobalCounter(gfd, i);
    EXPECT_EQ(got.packets, expect_global[i].packets) << "global counter " << i;
    EXPECT_EQ(got.bytes, expect_global[i].bytes) << "global counter " << i;
  }
  for (uint32_t t = 10; t < 18; ++t)
    for (uint32_t k = 0; k < XGW_TCTR_MAX; ++k) {
      xgw_counter got = TunnelCounter(bpf_map__fd(skel->maps.xgw_tun_ctr), t, k);
      xgw_counter want = expect_tunnel[{t, k}];
      EXPECT_EQ(got.packets, want.packets) << "tunnel " << t << " kind " << k;
      EXPECT_EQ(got.bytes, want.bytes) << "tunnel " << t << " kind " << k;
    }
  // The generator must reach every class, or the test proves little.
  for (uint32_t c = 0; c < XGW_CLASS_MAX; ++c)
    EXPECT_GT(expect_global[XGW_GCTR_CLASS + c].packets, 1000u) << "class " << c;
  for (uint32_t d = 1; d < XGW_DROP_MAX; ++d) {
    if (d == XGW_DROP_RATELIMIT) continue;
    EXPECT_GT(expect_global[XGW_GCTR_DROP + d].packets, 100u) << "reason " << d;
  }
}

}  // namespace
}  // namespace xgw::reftest
