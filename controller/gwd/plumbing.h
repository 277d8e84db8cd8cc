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

// With `adopt` (a restart that adopts the previous gwd's state) an existing interface is kept
// with the SAs and counters behind it, and the datapath's tunnel parameters stay as they are;
// without it, a leftover interface of the same name is replaced.
void plumb_tunnel(KernelHandles k, const config::Gateway& gw, TunnelState& t, bool adopt);
// Removes what plumb_tunnel made; best effort, logs what it could not remove.
void unplumb_tunnel(KernelHandles k, const config::Gateway& gw, TunnelState& t);
void plumb_connection(KernelHandles k, const ConnectionState& c);
void unplumb_connection(KernelHandles k, const ConnectionState& c);
// A reload changed the connection's remote networks from `previous` to c.cfg's.
void update_remote_networks(KernelHandles k, const ConnectionState& c, const std::vector<config::Cidr>& previous);

}  // namespace xgw::gwd
