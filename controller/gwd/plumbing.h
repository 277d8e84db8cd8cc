#pragma once
// The kernel objects behind one tunnel, set up before its first negotiation and removed on
// shutdown: the XFRM interface with the inside address, the 0/0 policies bound to it by
// if_id, the fwmark rule and routing table that lead into it, and the datapath entries
// (allow-list peer, tunnel parameters, interface, remote networks).
#include "controller/config/config.h"
#include "controller/gwd/tunnel_state.h"
#include "datapath_maps.h"
#include "kernel_ipsec.h"
#include "policy_routing.h"

namespace xgw::gwd {

struct KernelHandles {
  kernel::KernelIpsec& ipsec;
  kernel::PolicyRouting& routing;
  datapath::DatapathMaps* maps;  // null when the datapath is off (xdp_mode = off)
};

void plumb_tunnel(KernelHandles k, const config::Gateway& gw, TunnelState& t);
// Removes what plumb_tunnel made; best effort, logs what it could not remove.
void unplumb_tunnel(KernelHandles k, const config::Gateway& gw, TunnelState& t);
void plumb_connection(KernelHandles k, const ConnectionState& c);
void unplumb_connection(KernelHandles k, const ConnectionState& c);

}  // namespace xgw::gwd
