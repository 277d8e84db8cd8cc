// ns per packet per class through BPF_PROG_TEST_RUN, beside the empty XDP program in the same
// run, and the latency of a steering flip from user space.
#include "bench_datapath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "peer_bloom.h"
#include "packet_builder.h"
#include "tc_lan_ingress.skel.h"
#include "xdp_empty.skel.h"
#include "xdp_wan.skel.h"
#include "xgw_abi.h"

namespace xgw::bench {
namespace {

using reftest::Ip;
using reftest::PacketBuilder;

struct Frame {
  const char* name;
  std::vector<uint8_t> bytes;
  uint32_t verdict;
  double budget_ns;  // target overhead over the empty program
};

double RunNs(int prog_fd, const std::vector<uint8_t>& f, uint32_t repeat, uint32_t* retval) {
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = f.data();
  opts.data_size_in = static_cast<__u32>(f.size());
  opts.repeat = repeat;
  if (int err = bpf_prog_test_run_opts(prog_fd, &opts)) {
    std::fprintf(stderr, "test run failed: %s\n", std::strerror(-err));
    return -1;
  }
  *retval = opts.retval;
  return opts.duration;  // average ns per repetition, as the kernel measured it
}

}  // namespace

int RunTestRunBench(uint32_t repeat, int rounds) {
  xdp_wan* wan = xdp_wan::open_and_load();
  xdp_empty* empty = xdp_empty::open_and_load();
  if (!wan || !empty) {
    std::fprintf(stderr, "cannot load BPF programs (root needed)\n");
    return 1;
  }
  const char* peer = "203.0.113.1";
  xgw_peer_key pk{Ip(peer)};
  xgw_peer pv{XGW_PEER_UDP500 | XGW_PEER_UDP4500 | XGW_PEER_ESP, 1};
  const int bloom = bpf_map__fd(wan->maps.xgw_peer_bloom);
  reftest::SetPeerBloomBit(bloom, pk.addr);
  bpf_map__update_elem(wan->maps.xgw_peers, &pk, sizeof(pk), &pv, sizeof(pv), 0);
  // A realistic table: 1,000 tunnels with two SPIs each, plus the ones the frames use.
  for (uint32_t t = 0; t < 1000; ++t) {
    uint32_t addr = htonl(0x0A000000u + t);
    xgw_peer v{XGW_PEER_UDP500 | XGW_PEER_ESP, t};
    reftest::SetPeerBloomBit(bloom, addr);
    bpf_map__update_elem(wan->maps.xgw_peers, &addr, 4, &v, sizeof(v), 0);
    for (uint32_t s = 0; s < 2; ++s) {
      xgw_spi_key k{addr, 0xC0000000u + t * 2 + s};
      xgw_spi_info i{t, XGW_SPI_ESP};
      bpf_map__update_elem(wan->maps.xgw_spi, &k, sizeof(k), &i, sizeof(i), 0);
    }
  }
  xgw_spi_key k1{Ip(peer), 0x1000}, k2{Ip(peer), 0x2000};
  xgw_spi_info i1{1, XGW_SPI_ESP}, i2{1, XGW_SPI_UDP};
  bpf_map__update_elem(wan->maps.xgw_spi, &k1, sizeof(k1), &i1, sizeof(i1), 0);
  bpf_map__update_elem(wan->maps.xgw_spi, &k2, sizeof(k2), &i2, sizeof(i2), 0);
  uint32_t zero = 0;
  xgw_config cfg{XGW_ABI_LAYOUT_VERSION, 0, 0, 0};
  bpf_map__update_elem(wan->maps.xgw_config, &zero, 4, &cfg, sizeof(cfg), 0);

  std::vector<Frame> frames = {
      {"udp/53 non-VPN (pass)", PacketBuilder().Src("198.51.100.7").Udp(53, 53).Payload(std::vector<uint8_t>(40, 1)).Build(), XDP_PASS, 40},
      {"ESP unlisted peer (drop)", PacketBuilder().Src("198.51.100.7").Proto(50).Esp(0x1000).Build(), XDP_DROP, 40},
      {"IKE/500 unlisted peer (drop)", PacketBuilder().Src("198.51.100.7").Udp(500, 500).Isakmp(1, 0).Build(), XDP_DROP, 40},
      {"truncated IPv4 (drop)", PacketBuilder().Src(peer).Proto(50).Esp(0x1000).TotLenOverride(900).Build(), XDP_DROP, 40},
      {"ESP known SPI (count+pass)", PacketBuilder().Src(peer).Proto(50).Esp(0x1000).Build(), XDP_PASS, 70},
      {"ESP-in-UDP known SPI (count+pass)", PacketBuilder().Src(peer).Udp(4500, 4500).Esp(0x2000).Build(), XDP_PASS, 70},
      {"ESP unknown SPI from peer (pass)", PacketBuilder().Src(peer).Proto(50).Esp(0x7777).Build(), XDP_PASS, 70},
      {"NAT-T IKE/4500 (pass)", PacketBuilder().Src(peer).Udp(4500, 4500).NonEspMarker().Isakmp(1, 2).Build(), XDP_PASS, 70},
      {"NAT-T keepalive (pass)", PacketBuilder().Src(peer).Udp(4500, 4500).Bytes({0xFF}).Build(), XDP_PASS, 70},
      {"IKE/500 MM1 (pass)", PacketBuilder().Src(peer).Udp(500, 500).Isakmp(1, 0).Build(), XDP_PASS, 70},
      {"IKE/500 known rcookie (pass)", PacketBuilder().Src(peer).Udp(500, 500).Isakmp(1, 2).Build(), XDP_PASS, 70},
  };
  const int wan_fd = bpf_program__fd(wan->progs.xdp_wan);
  const int empty_fd = bpf_program__fd(empty->progs.xdp_empty);
  std::printf("BPF_PROG_TEST_RUN, repeat %u, %d rounds (median), empty program run beside each class\n",
              repeat, rounds);
  std::printf("%-36s %8s %10s %10s %10s %8s\n", "class", "verdict", "empty ns", "xgw ns", "overhead", "target");
  int failures = 0;
  for (const Frame& f : frames) {
    std::vector<double> e, w;
    uint32_t rv = 0, erv = 0;
    for (int r = 0; r < rounds; ++r) {
      e.push_back(RunNs(empty_fd, f.bytes, repeat, &erv));
      w.push_back(RunNs(wan_fd, f.bytes, repeat, &rv));
    }
    std::sort(e.begin(), e.end());
    std::sort(w.begin(), w.end());
    double em = e[e.size() / 2], wm = w[w.size() / 2];
    bool ok = rv == f.verdict;
    failures += !ok;
    std::printf("%-36s %8s %10.1f %10.1f %10.1f %8.0f%s\n", f.name, rv == XDP_PASS ? "PASS" : "DROP", em,
                wm, wm - em, f.budget_ns, ok ? "" : "  WRONG VERDICT");
  }
  xdp_wan::destroy(wan);
  xdp_empty::destroy(empty);
  return failures ? 1 : 0;
}

int RunFlipBench(int iterations) {
  tc_lan_ingress* s = tc_lan_ingress::open_and_load();
  if (!s) {
    std::fprintf(stderr, "cannot load BPF programs (root needed)\n");
    return 1;
  }
  int fd = bpf_map__fd(s->maps.xgw_active);
  uint32_t conn = 7;
  std::vector<double> ns;
  ns.reserve(iterations);
  for (int i = 0; i < iterations; ++i) {
    xgw_active a{static_cast<uint32_t>(i & 1)};
    auto t0 = std::chrono::steady_clock::now();
    int err = bpf_map_update_elem(fd, &conn, &a, BPF_ANY);
    auto t1 = std::chrono::steady_clock::now();
    if (err) {
      std::fprintf(stderr, "update failed: %s\n", std::strerror(-err));
      return 1;
    }
    ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
  }
  std::sort(ns.begin(), ns.end());
  std::printf("map flip (bpf_map_update_elem on xgw_active), %d iterations: p50 %.0f ns, p99 %.0f ns, max %.0f ns\n",
              iterations, ns[ns.size() / 2], ns[ns.size() * 99 / 100], ns.back());
  tc_lan_ingress::destroy(s);
  return 0;
}

}  // namespace xgw::bench
