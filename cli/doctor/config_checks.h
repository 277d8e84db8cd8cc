#pragma once
// Static checks of a loaded configuration against what AWS accepts: per-tunnel rules (PSK,
// inside CIDR, lifetimes, rekey margin, algorithm sets), both tunnels, MTU/MSS for the
// algorithms, and the routing mode (static needs remote networks, BGP needs a speaker).
#include <vector>

#include "cli/doctor/check.h"
#include "controller/config/config.h"

namespace xgw::doctor {

std::vector<Check> check_config(const config::Config& cfg);

}  // namespace xgw::doctor
