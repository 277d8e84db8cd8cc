#pragma once
// Live checks: what gwd reports about each tunnel (its control socket's status, schema
// version 1 in docs/cli.md, or the same JSON from a file), turned into AWS's troubleshooting
// checklist. Fields used per tunnel: name, admin, phase1, phase2, last_failure,
// esp_in_packets, esp_out_packets, phase2_since; per connection: on_demand, demand_up.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "cli/doctor/check.h"
#include "controller/config/config.h"

namespace xgw::doctor {

struct Diagnosis {
  std::string cause;  // what most likely happened, in AWS's terms
  std::string fix;    // what to check or change
};

// Engine failure reason ("no_reply:MM1", "no_valid_reply:MM5", "notify:NO-PROPOSAL-CHOSEN", ...)
// -> cause and fix. `tunnel` (may be null) lets the message name the tunnel's peer and proposal.
Diagnosis translate_failure(const std::string& reason, const config::Tunnel* tunnel);

// Phase 2 up this long with outbound but no inbound ESP means AWS's ESP does not reach us.
inline constexpr int kNoInboundEspAfterS = 20;

// `now_unix`: the current time, to age phase2_since.
std::vector<Check> live_checks(const nlohmann::json& status, const config::Config& cfg, std::int64_t now_unix);

}  // namespace xgw::doctor
