#include "controller/gwd/bird_config.h"

namespace xgw::gwd {

std::string bird_protocol_name(std::uint32_t tunnel_id) { return "xgw_t" + std::to_string(tunnel_id); }

std::uint32_t bgp_kernel_table(std::uint32_t tunnel_id) { return kBgpKernelTableBase + tunnel_id; }

std::string render_bird_fragment(const std::vector<BirdSession>& sessions) {
  std::string out =
      "# Written by gwd (xgw): every change is overwritten. Included from bird.conf; see\n"
      "# docs/bgp.md. One routing table, BGP session, static and kernel protocol per tunnel.\n"
      "# BIRD allows one device protocol, which BGP needs: bird.conf has it (Debian's does).\n";
  if (sessions.empty()) return out + "# No BGP connection is configured.\n";
  for (const BirdSession& s : sessions) {
    const std::string p = bird_protocol_name(s.tunnel_id), table = p + "_routes";
    out += "\n# tunnel " + s.tunnel_name + "\nipv4 table " + table + ";\n";
    out += "protocol static " + p + "_lan {\n  ipv4 { table " + table + "; };\n";
    for (const config::Cidr& n : s.bgp.advertise) out += "  route " + n.str() + " unreachable;\n";
    out += "}\n";
    out += "protocol kernel " + p + "_kernel {\n  ipv4 { table " + table +
           "; import none; export where source = RTS_BGP; };\n  kernel table " +
           std::to_string(bgp_kernel_table(s.tunnel_id)) + ";\n  learn off; persist off;\n}\n";
    // Retry quickly: the session can only come up once the tunnel is, and BIRD's default
    // connect retry is 120 s.
    out += "protocol bgp " + p + " {\n  description \"xgw " + s.tunnel_name + "\";\n  local " +
           config::ipv4_str(s.local_inside) + " as " + std::to_string(s.bgp.local_asn) + ";\n  neighbor " +
           config::ipv4_str(s.peer_inside) + " as " + std::to_string(s.bgp.peer_asn) + ";\n  hold time " +
           std::to_string(s.bgp.hold_time) +
           ";\n  connect delay time 1; connect retry time 5; error wait time 1, 10;\n"
           "  ipv4 { table " + table + "; import all; export where source = RTS_STATIC; };\n}\n";
  }
  return out;
}

}  // namespace xgw::gwd
