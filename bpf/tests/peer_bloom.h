// Sets allow-list pre-filter bits directly in a map (tests and benchmarks; the controller
// uses DatapathMaps).
#pragma once

#include <bpf/bpf.h>

#include <cstdint>

#include "xgw_abi.h"

namespace xgw::reftest {

// Sets the pre-filter bit of a peer address (network order).
inline int SetPeerBloomBit(int bloom_fd, uint32_t addr) {
  uint32_t h = xgw_peer_bloom_hash(addr), word = h / 64;
  uint64_t bits = 0;
  if (int err = bpf_map_lookup_elem(bloom_fd, &word, &bits)) return err;
  bits |= uint64_t{1} << (h % 64);
  return bpf_map_update_elem(bloom_fd, &word, &bits, BPF_ANY);
}

}  // namespace xgw::reftest
