// Helpers for BPF_PROG_TEST_RUN tests: skeleton ownership, test runs, per-CPU counter sums.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstring>
#include <memory>
#include <vector>

#include "peer_bloom.h"
#include "xgw_abi.h"

namespace xgw::reftest {

template <typename Skel>
struct SkelDeleter {
  void operator()(Skel* s) const { Skel::destroy(s); }
};
template <typename Skel>
using SkelPtr = std::unique_ptr<Skel, SkelDeleter<Skel>>;

inline bool HaveBpf() { return geteuid() == 0; }

#define XGW_REQUIRE_BPF() \
  if (!::xgw::reftest::HaveBpf()) GTEST_SKIP() << "needs root for BPF (CI runs as root)"

struct RunResult {
  int err = 0;
  uint32_t retval = 0;
  std::vector<uint8_t> out;
};

inline RunResult TestRun(int prog_fd, const std::vector<uint8_t>& frame, void* ctx_in = nullptr,
                         size_t ctx_size = 0, void* ctx_out = nullptr) {
  RunResult r;
  r.out.resize(frame.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<__u32>(frame.size());
  opts.data_out = r.out.data();
  opts.data_size_out = static_cast<__u32>(r.out.size());
  opts.ctx_in = ctx_in;
  opts.ctx_size_in = static_cast<__u32>(ctx_size);
  opts.ctx_out = ctx_out;
  opts.ctx_size_out = ctx_out ? static_cast<__u32>(ctx_size) : 0;
  opts.repeat = 1;
  r.err = bpf_prog_test_run_opts(prog_fd, &opts);
  r.retval = opts.retval;
  r.out.resize(opts.data_size_out);
  return r;
}

inline xgw_counter SumPerCpu(const std::vector<xgw_counter>& v) {
  xgw_counter s{};
  for (const auto& c : v) {
    s.packets += c.packets;
    s.bytes += c.bytes;
  }
  return s;
}

inline xgw_counter GlobalCounter(int map_fd, uint32_t index) {
  std::vector<xgw_counter> per_cpu(libbpf_num_possible_cpus());
  EXPECT_EQ(bpf_map_lookup_elem(map_fd, &index, per_cpu.data()), 0);
  return SumPerCpu(per_cpu);
}

inline xgw_counter TunnelCounter(int map_fd, uint32_t tunnel, uint32_t kind) {
  std::vector<xgw_tunnel_counters> per_cpu(libbpf_num_possible_cpus());
  EXPECT_EQ(bpf_map_lookup_elem(map_fd, &tunnel, per_cpu.data()), 0);
  xgw_counter s{};
  for (const auto& t : per_cpu) {
    s.packets += t.c[kind].packets;
    s.bytes += t.c[kind].bytes;
  }
  return s;
}

}  // namespace xgw::reftest
