// veth: the XDP classifier dropping non-allowed peers against an equivalent nftables
// netdev-ingress ruleset, same traffic, same run. Two namespaces joined by a veth pair; a
// BPF_F_TEST_XDP_LIVE_FRAMES generator (XDP_TX out of the sender's veth) offers 114-byte
// ESP-in-UDP frames from a source that is not a peer. The receiver runs either our XDP program
// (native) or a pass-all XDP program (native, needed for veth to accept XDP frames) plus the
// nftables rules. Reported: delivered frames per second and receive-side softirq CPU time per
// frame (/proc/stat), since on this machine the sender is usually the limit.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "bench_datapath.h"
#include "loader.h"
#include "packet_builder.h"
#include "xdp_empty.skel.h"
#include "xdp_tx.skel.h"

namespace xgw::bench {
namespace {

int Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// Total softirq time of all CPUs, in USER_HZ ticks.
uint64_t SoftirqTicks() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  uint64_t user, nice, sys, idle, iowait, irq, softirq;
  f >> cpu >> user >> nice >> sys >> idle >> iowait >> irq >> softirq;
  return softirq;
}

struct Result {
  double seconds = 0, delivered = 0, softirq_ns_per_frame = 0;
};

// Offers `frames` frames from the tx namespace; returns elapsed time and softirq delta.
Result Offer(int gen_fd, const std::string& tx_ns, const std::vector<uint8_t>& frame, uint32_t frames) {
  datapath::ScopedNetns ns("/run/netns/" + tx_ns);
  xdp_md ctx{};
  ctx.data_end = static_cast<__u32>(frame.size());
  ctx.ingress_ifindex = if_nametoindex("vtx");
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<__u32>(frame.size());
  opts.ctx_in = &ctx;
  opts.ctx_size_in = sizeof(ctx);
  opts.repeat = frames;
  opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
  opts.batch_size = 64;
  uint64_t s0 = SoftirqTicks();
  auto t0 = std::chrono::steady_clock::now();
  int err = bpf_prog_test_run_opts(gen_fd, &opts);
  auto t1 = std::chrono::steady_clock::now();
  usleep(200000);  // let the receiver drain its ring
  uint64_t s1 = SoftirqTicks();
  Result r;
  if (err) {
    std::fprintf(stderr, "live-frames generator failed: %s\n", strerror(-err));
    return r;
  }
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  r.softirq_ns_per_frame = static_cast<double>(s1 - s0) * (1e9 / static_cast<double>(sysconf(_SC_CLK_TCK)));
  return r;
}

uint64_t NftCounter(const std::string& ns) {
  FILE* p = popen(("ip netns exec " + ns + " nft list counter netdev xgwb dropped 2>/dev/null").c_str(), "r");
  char buf[512];
  uint64_t packets = 0;
  while (p && fgets(buf, sizeof buf, p)) {
    const char* k = strstr(buf, "packets ");
    if (k) packets = std::strtoull(k + 8, nullptr, 10);
  }
  if (p) pclose(p);
  return packets;
}

}  // namespace

int RunVethBench(int seconds) {
  const std::string id = std::to_string(getpid());
  const std::string tx = "xgwb-tx-" + id, rx = "xgwb-rx-" + id;
  if (Sh("ip netns add " + tx) || Sh("ip netns add " + rx)) {
    std::fprintf(stderr, "veth: cannot create namespaces (root needed)\n");
    return 1;
  }
  auto cleanup = [&] {
    Sh("ip netns del " + tx);
    Sh("ip netns del " + rx);
  };
  Sh("ip -n " + tx + " link add vtx type veth peer name vrx netns " + rx);
  Sh("ip -n " + tx + " link set vtx up");
  Sh("ip -n " + rx + " link set vrx up");
  xdp_tx* gen = xdp_tx::open_and_load();
  xdp_empty* empty = xdp_empty::open_and_load();
  if (!gen || !empty) {
    cleanup();
    return 1;
  }
  // 1,000 allowed peers (10.0.x.y) on both sides; the traffic comes from 198.51.100.7.
  auto frame = reftest::PacketBuilder().Src("198.51.100.7").Dst("192.0.2.1").Udp(4500, 4500).Esp(0x1000, 1, 56).Build();
  std::string nft_peers;
  for (int i = 0; i < 1000; ++i) nft_peers += (i ? ", " : "") + std::string("10.0.") + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);

  // Calibrate the frame count to the requested duration with the empty receiver.
  uint32_t frames = 2000000;
  int rx_ifindex;
  {
    datapath::ScopedNetns ns("/run/netns/" + rx);
    rx_ifindex = static_cast<int>(if_nametoindex("vrx"));
  }

  // (a) Our classifier, native XDP, drops the non-peer.
  Result xdp;
  double xdp_delivered = 0;
  {
    auto dp = datapath::Datapath::Load({.pin_dir = ""});
    dp->maps().SetConfig({});
    for (int i = 0; i < 1000; ++i)
      dp->maps().UpsertPeer(datapath::Ipv4::Parse("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)), {}, 1);
    dp->AttachWan({"vrx", "/run/netns/" + rx}, datapath::XdpMode::kNative);
    Result warm = Offer(bpf_program__fd(gen->progs.xdp_tx), tx, frame, 200000);
    if (warm.seconds > 0) frames = static_cast<uint32_t>(std::min(50e6, 200000 / warm.seconds * seconds));
    uint64_t before = dp->maps().ReadGlobalCounters().by_drop_reason[XGW_DROP_NOT_PEER].packets;
    xdp = Offer(bpf_program__fd(gen->progs.xdp_tx), tx, frame, frames);
    xdp_delivered = static_cast<double>(dp->maps().ReadGlobalCounters().by_drop_reason[XGW_DROP_NOT_PEER].packets - before);
    dp->DetachWan({"vrx", "/run/netns/" + rx});
  }

  // (b) Pass-all XDP (veth needs a native program to accept XDP frames) + nftables netdev ingress.
  Result nft;
  double nft_delivered = 0;
  {
    std::string rules = "table netdev xgwb {\n set peers { type ipv4_addr; elements = { " + nft_peers +
                        " } }\n counter dropped {}\n chain in {\n  type filter hook ingress device vrx priority 0;\n"
                        "  ip protocol esp ip saddr != @peers counter name dropped drop\n"
                        "  udp dport { 500, 4500 } ip saddr != @peers counter name dropped drop\n }\n}\n";
    std::string path = "/tmp/xgwb-nft-" + id + ".nft";
    std::ofstream(path) << rules;
    if (Sh("ip netns exec " + rx + " nft -f " + path)) {
      std::fprintf(stderr, "veth: nft ruleset failed to load\n");
      cleanup();
      return 1;
    }
    std::remove(path.c_str());
    int link;
    {
      datapath::ScopedNetns ns("/run/netns/" + rx);
      LIBBPF_OPTS(bpf_link_create_opts, lo);
      lo.flags = XDP_FLAGS_DRV_MODE;
      link = bpf_link_create(bpf_program__fd(empty->progs.xdp_empty), rx_ifindex, BPF_XDP, &lo);
    }
    if (link < 0) {
      cleanup();
      return 1;
    }
    uint64_t before = NftCounter(rx);
    nft = Offer(bpf_program__fd(gen->progs.xdp_tx), tx, frame, frames);
    nft_delivered = static_cast<double>(NftCounter(rx) - before);
    close(link);
  }
  xdp_tx::destroy(gen);
  xdp_empty::destroy(empty);
  cleanup();

  auto line = [&](const char* name, const Result& r, double delivered) {
    std::printf("%-44s %10.0f frames %8.3f s %10.0f pps  softirq %7.1f ns/frame\n", name, delivered, r.seconds,
                delivered / r.seconds, delivered > 0 ? r.softirq_ns_per_frame / delivered : 0.0);
  };
  std::printf("veth, live-frames generator (XDP_TX, batch 64), %u 114-byte ESP-in-UDP frames from a non-peer, 1000 peers listed\n",
              frames);
  line("xgw XDP classifier (native) -> DROP", xdp, xdp_delivered);
  line("pass-all XDP + nftables netdev ingress -> drop", nft, nft_delivered);
  double pps_ratio = (xdp_delivered / xdp.seconds) / (nft_delivered / nft.seconds);
  double cpu_ratio = (nft.softirq_ns_per_frame / nft_delivered) / (xdp.softirq_ns_per_frame / xdp_delivered);
  std::printf("ratio xgw/nftables: %.2fx frames per second, %.2fx less softirq CPU per frame (target >= 2x)\n", pps_ratio,
              cpu_ratio);
  return 0;
}

}  // namespace xgw::bench
