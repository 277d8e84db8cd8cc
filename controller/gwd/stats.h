#pragma once
// Traffic statistics per tunnel (`gwctl stats`, schema in docs/cli.md) and their Prometheus
// rendering. Pure: the gateway gathers the numbers, these functions only shape them.
//
// Two views of the same traffic, side by side: the datapath's per-tunnel counters (XDP on
// the WAN: every SPI of the tunnel since the datapath was loaded, so they survive rekeys) and
// the kernel's XFRM counters of the active SA pair (reset by each rekey).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "datapath_maps.h"
#include "kernel_ipsec.h"

namespace xgw::gwd {

struct TunnelStats {
  std::string name, connection;
  bool active = false;
  bool phase1_up = false, phase2_up = false;
  std::optional<datapath::TunnelCounters> datapath;  // none when the datapath is off
  kernel::SaCounters xfrm_in, xfrm_out;              // zeros without an SA pair
  // Seconds; -1 when there is no such SA.
  std::int64_t phase1_age_s = -1, phase2_age_s = -1, phase1_rekey_in_s = -1, phase2_rekey_in_s = -1;
  std::uint32_t failovers = 0;  // of the tunnel's connection
  std::uint64_t phase1_established = 0, phase2_established = 0;  // since gwd started
  std::map<std::string, std::uint64_t> failures;                 // engine reason -> count
  double probe_rtt_ms = 0;
  bool probe_alive = false;
};

nlohmann::json stats_json(const std::vector<TunnelStats>& tunnels, const std::optional<datapath::GlobalCounters>& global);

// Prometheus text exposition format 0.0.4 of a stats_json() document.
std::string prometheus_text(const nlohmann::json& stats);

}  // namespace xgw::gwd
