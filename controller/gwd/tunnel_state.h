#pragma once
// What gwd knows about each tunnel and connection at run time.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "controller/config/config.h"
#include "controller/gwd/liveness.h"
#include "ike/actions.h"

namespace xgw::gwd {

struct TunnelState {
  // Both point into the owning ConnectionState's config, whose address never changes.
  const config::Connection* conn = nullptr;
  const config::Tunnel* cfg = nullptr;
  std::uint32_t id = 0;            // datapath tunnel index and XFRM if_id (1-based)
  std::uint32_t connection = 0;    // datapath connection index
  std::string ifname;              // its XFRM interface, "xgw<id>"
  int ifindex = 0;
  std::uint32_t mark = 0, table = 0, rule_priority = 0;
  ike::PeerId peer = 0;
  bool admin_up = true;
  bool phase1_up = false;
  bool phase2_up = false;
  std::uint32_t spi_in = 0, spi_out = 0;
  bool nat_t = false;
  std::uint32_t mtu = 0;  // set on the XFRM interface from the negotiated algorithms; 0 = not yet
  ike::Reason last_failure = ike::Reason::kNone;
  std::string last_failure_detail;
  std::int64_t phase1_since = 0, phase2_since = 0, last_failure_at = 0;  // unix seconds
  // For stats and metrics, since gwd started.
  std::uint64_t phase1_established = 0, phase2_established = 0;
  std::map<std::string, std::uint64_t> failures;  // engine reason -> count
  // Failure log lines per reason, rate-limited (Gateway::log_failure): gwd's clock, ms.
  struct FailureLog {
    std::uint64_t logged_at = 0, suppressed = 0;
  };
  std::map<std::string, FailureLog> failure_log;
  std::unique_ptr<LivenessProbe> probe;
  // A new inbound SA whose first packet the engine waits for (Gateway::watch_inbound).
  std::uint32_t awaiting_inbound_spi = 0;
  std::uint64_t awaiting_inbound_since = 0;
  // BGP connections: the session as BIRD reports it (bgp_watch.h) and since when (unix s),
  // and the routes learned over this tunnel: prefix -> lowest MED.
  std::string bgp_info;  // BIRD's Info column, "" before the first poll
  bool bgp_established = false;
  std::int64_t bgp_since = 0;
  std::map<std::pair<std::uint32_t, std::uint8_t>, std::uint32_t> bgp_routes;
  // Last idle check (on-demand): the SA pair's packet counters and the probe's own packets.
  struct IdleSample {
    std::uint32_t spi_in = 0, spi_out = 0;
    std::uint64_t sa_packets = 0, probe_packets = 0;
  } idle_sample;
};

struct ConnectionState {
  config::Connection cfg;  // owned: a reload changes it in place
  std::uint32_t id = 0;
  std::uint32_t tunnels[2] = {0, 0};  // tunnel ids
  std::uint32_t active = 0;           // tunnel id carrying LAN traffic, 0 = none yet
  std::uint32_t failovers = 0;
  std::string last_switch_reason;
  // On-demand: the tunnels are negotiated only after traffic met the policies (an acquire).
  bool demand_up = false;
  // Idle teardown: when traffic other than the liveness probe's was last seen (gwd's clock, ms).
  std::uint64_t idle_since = 0;
  // BGP: the networks learned from AWS over either tunnel, steered like remote_networks; and
  // whether routes have been learned over the active tunnel since it became active (a switch
  // away from it is then a failover, not the initial settling).
  std::vector<config::Cidr> learned_networks;
  bool active_bgp_seen = false;
};

}  // namespace xgw::gwd
