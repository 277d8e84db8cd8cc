// A C++ statement of the WAN classifier and allow-list rules (bpf/lib/parse.h, allow.h),
// written from the rules in xgw_abi.h rather than from the BPF code, for differential tests.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <utility>

#include "xgw_abi.h"

namespace xgw::reftest {

struct RefState {
  uint32_t config_flags = 0;                                // XGW_CFG_*
  std::map<uint32_t, xgw_peer> peers;                       // key: address, network order
  std::map<std::pair<uint32_t, uint32_t>, xgw_spi_info> spis;  // (peer n.o., SPI host order)
};

struct RefResult {
  uint32_t cls = XGW_CLASS_OTHER;
  uint32_t reason = XGW_DROP_NONE;  // XGW_DROP_NONE = pass
  uint32_t tunnel = 0;
  uint32_t kind = XGW_TCTR_MAX;     // per-tunnel counter bumped, XGW_TCTR_MAX = none
  bool mm1 = false;                 // a new Main Mode first message (rate limiting applies)
  bool unknown_spi = false;

  bool pass() const { return reason == XGW_DROP_NONE; }
};

// Classifies one Ethernet frame as the XDP program must, with rate limiting disabled.
RefResult ReferenceClassify(std::span<const uint8_t> frame, const RefState& state);

}  // namespace xgw::reftest
