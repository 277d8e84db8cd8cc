#pragma once
// Live checks: what gwd reports about each tunnel, turned into AWS's troubleshooting checklist.
//
// The seam: gwd's control socket will answer a status request with the JSON below; until it
// does, `gwctl doctor --status FILE` feeds the same JSON from a file (and tests feed it
// directly). Schema (fields optional unless noted):
//   {"tunnels": [{"name": "vpn1/1" (required), "phase1": "up|down|connecting",
//                 "phase2": "up|down|connecting", "last_failure": "no_reply:MM1",
//                 "esp_in_packets": 0, "esp_out_packets": 12, "phase2_age_s": 30,
//                 "bgp": "established|idle|..."}]}
#include <nlohmann/json.hpp>

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

std::vector<Check> live_checks(const nlohmann::json& status, const config::Config& cfg);

}  // namespace xgw::doctor
