// Loads the WAN XDP program through its skeleton and runs it with BPF_PROG_TEST_RUN.
#include <gtest/gtest.h>

#include <linux/if_ether.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_wan.skel.h"
#include "xgw_abi.h"

namespace {

struct SkeletonDeleter {
  void operator()(xdp_wan* skel) const { xdp_wan::destroy(skel); }
};
using Skeleton = std::unique_ptr<xdp_wan, SkeletonDeleter>;

Skeleton LoadOrSkip() {
  if (geteuid() != 0) return nullptr;
  return Skeleton(xdp_wan::open_and_load());
}

std::vector<uint8_t> EthernetFrame(uint16_t ethertype, size_t payload) {
  std::vector<uint8_t> frame(ETH_HLEN + payload, 0);
  frame[12] = ethertype >> 8;
  frame[13] = ethertype & 0xff;
  return frame;
}

int RunOnce(xdp_wan* skel, std::vector<uint8_t>& frame) {
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(),
              .data_size_in = static_cast<__u32>(frame.size()), .repeat = 1);
  int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_wan), &opts);
  EXPECT_EQ(err, 0) << "bpf_prog_test_run_opts: " << std::strerror(-err);
  return static_cast<int>(opts.retval);
}

xgw_counter SumCounter(xdp_wan* skel, uint32_t cls) {
  std::vector<xgw_counter> per_cpu(libbpf_num_possible_cpus());
  int err = bpf_map__lookup_elem(skel->maps.class_counters, &cls, sizeof(cls), per_cpu.data(),
                                 per_cpu.size() * sizeof(xgw_counter), 0);
  EXPECT_EQ(err, 0);
  xgw_counter sum{};
  for (const auto& c : per_cpu) {
    sum.packets += c.packets;
    sum.bytes += c.bytes;
  }
  return sum;
}

TEST(XdpWan, LoadsThroughSkeletonAndPassesIpv4) {
  Skeleton skel = LoadOrSkip();
  if (!skel) GTEST_SKIP() << "needs root and BPF (run as root)";

  auto ipv4 = EthernetFrame(ETH_P_IP, 40);
  EXPECT_EQ(RunOnce(skel.get(), ipv4), XDP_PASS);
  EXPECT_EQ(RunOnce(skel.get(), ipv4), XDP_PASS);

  xgw_counter c = SumCounter(skel.get(), XGW_CLASS_OTHER_IPV4);
  EXPECT_EQ(c.packets, 2u);
  EXPECT_EQ(c.bytes, 2u * ipv4.size());
  EXPECT_EQ(SumCounter(skel.get(), XGW_CLASS_OTHER).packets, 0u);
}

TEST(XdpWan, CountsNonIpv4Separately) {
  Skeleton skel = LoadOrSkip();
  if (!skel) GTEST_SKIP() << "needs root and BPF (run as root)";

  auto arp = EthernetFrame(ETH_P_ARP, 28);
  EXPECT_EQ(RunOnce(skel.get(), arp), XDP_PASS);
  EXPECT_EQ(SumCounter(skel.get(), XGW_CLASS_OTHER).packets, 1u);
  EXPECT_EQ(SumCounter(skel.get(), XGW_CLASS_OTHER_IPV4).packets, 0u);
}

}  // namespace
