#pragma once
// The BIRD 2 configuration fragment gwd owns (docs/bgp.md). The operator's bird.conf
// includes it (`include "/etc/bird/xgw.conf";`) and sets the router id; gwd rewrites the
// fragment and tells BIRD to reconfigure whenever its BGP connections change.
//
// For tunnel id N of a BGP connection the fragment holds:
//   table xgw_tN_routes     the session's own routing table
//   protocol bgp xgw_tN     inside address .2 (AS local_asn) to the VGW's .1 (AS peer_asn),
//                           hold time as configured; imports what AWS announces, exports only
//                           the connection's `advertise` networks
//   protocol static xgw_tN_lan   those networks, so both tunnels announce them alike (AWS's
//                           MED, not ours, decides its return path)
//   protocol kernel xgw_tN_kernel  the learned routes into kernel table 7870000+N, which
//                           gwd follows over netlink (route_watch.h): a withdrawal reaches
//                           gwd at once. Nothing routes by these tables: the LAN steering is
//                           the datapath's LPM map, filled from them. The routes' MEDs come
//                           from BIRD's CLI (`show route ... all`), polled every second: BIRD
//                           2.0 can export the MED as the kernel metric, but a changed MED
//                           then adds a second kernel route and leaves the old one for good.
// One table per session (not one shared table) so gwd sees every tunnel's routes and MED,
// not only BIRD's best path.
#include <cstdint>
#include <string>
#include <vector>

#include "controller/config/config.h"

namespace xgw::gwd {

constexpr std::uint32_t kBgpKernelTableBase = 7870000;

struct BirdSession {
  std::uint32_t tunnel_id = 0;
  std::string tunnel_name;  // for the description
  std::uint32_t local_inside = 0, peer_inside = 0;  // host byte order
  config::Bgp bgp;
};

std::string bird_protocol_name(std::uint32_t tunnel_id);
std::uint32_t bgp_kernel_table(std::uint32_t tunnel_id);
// The fragment for these sessions; with none, a fragment that defines nothing (BIRD then
// drops the sessions a previous fragment made).
std::string render_bird_fragment(const std::vector<BirdSession>& sessions);

}  // namespace xgw::gwd
