#pragma once
// From gwd's configuration of one tunnel to the IKE engine's per-peer configuration.
#include "controller/config/config.h"
#include "ike/config.h"

namespace xgw::gwd {

// Suites are the cross product of the configured lists, in configuration order (see
// ike/proposal.h for how the order meets AWS's "lowest configured value first" rule).
ike::PeerConfig to_peer_config(const config::Gateway& gw, const config::Connection& conn, const config::Tunnel& t);

}  // namespace xgw::gwd
