#include "cli/doctor/config_checks.h"

#include "cli/aws/mtu.h"
#include "cli/aws/rules.h"

namespace xgw::doctor {
namespace {

Check tunnel_rules(const config::Tunnel& t) {
  Check c{"config.tunnel", "tunnel " + t.name + " against AWS's tunnel option rules", Status::kPass, "", ""};
  std::string fails, warns;
  for (const auto& v : aws::check_tunnel(t)) {
    std::string& into = v.severity == aws::Severity::kFail ? fails : warns;
    into += (into.empty() ? "" : "; ") + v.str();
  }
  if (!fails.empty()) {
    c.status = Status::kFail;
    c.detail = fails + (warns.empty() ? "" : "; " + warns);
    c.fix = "set the tunnel's values to what AWS accepts (or change the tunnel options at AWS to match), then re-import";
  } else if (!warns.empty()) {
    c.status = Status::kWarn;
    c.detail = warns;
    c.fix = "use AWS's recommended values (DPD 10 s x 3, replay window 64-2048)";
  } else {
    c.detail = "PSK, inside CIDR, lifetimes, rekey margin and algorithms within AWS's ranges";
  }
  return c;
}

Check both_tunnels(const config::Connection& conn) {
  Check c{"config.tunnels", "connection " + conn.name + " has both AWS tunnels", Status::kPass, "", ""};
  if (conn.tunnels.size() != 2) {
    c.status = Status::kFail;
    c.detail = std::to_string(conn.tunnels.size()) + " tunnels";
    c.fix = "configure both tunnels from AWS's file: AWS moves traffic to the other one during maintenance";
  } else if (conn.tunnels[0].peer_address == conn.tunnels[1].peer_address ||
             conn.tunnels[0].inside_cidr == conn.tunnels[1].inside_cidr) {
    c.status = Status::kFail;
    c.detail = "the two tunnels share an AWS endpoint or inside CIDR";
    c.fix = "take each tunnel's outside IP and inside CIDR from its own <ipsec_tunnel> block";
  } else {
    c.detail = config::ipv4_str(conn.tunnels[0].peer_address) + " and " + config::ipv4_str(conn.tunnels[1].peer_address);
  }
  return c;
}

Check mtu_mss(const config::Tunnel& t, bool nat_t) {
  aws::MtuMss r = aws::recommended(t.algorithms, nat_t);
  Check c{"config.mtu", "tunnel " + t.name + " MTU/MSS for its ESP algorithms", Status::kPass, "", ""};
  std::string rec = "AWS recommends MTU " + std::to_string(r.mtu) + ", MSS " + std::to_string(r.mss) +
                    (nat_t ? " with NAT-T" : "") + " for the worst suite these lists allow";
  std::string bad;
  if (t.mtu && *t.mtu > r.mtu) bad += "mtu = " + std::to_string(*t.mtu);
  if (t.mss && *t.mss > r.mss) bad += (bad.empty() ? "" : ", ") + std::string("mss = ") + std::to_string(*t.mss);
  if (!bad.empty()) {
    // AWS does no path MTU discovery: too large a value means black-holed large packets.
    c.status = Status::kWarn;
    c.detail = bad + " above the recommendation; " + rec;
    c.fix = "set mtu <= " + std::to_string(r.mtu) + " and mss <= " + std::to_string(r.mss) + " or remove them";
  } else {
    c.detail = (t.mss ? "mss = " + std::to_string(*t.mss) + "; " : std::string()) + rec;
  }
  return c;
}

Check routing(const config::Connection& conn) {
  Check c{"config.routing", "connection " + conn.name + " routing (" + config::to_string(conn.routing) + ")", Status::kPass, "", ""};
  if (conn.routing == config::Routing::kStatic) {
    if (conn.remote_networks.empty()) {
      c.status = Status::kWarn;
      c.detail = "no remote_networks: nothing is routed into the tunnels";
      c.fix = "add the VPC CIDRs: remote_networks = [\"10.0.0.0/16\"] (gwctl import --remote-network)";
    } else {
      c.detail = std::to_string(conn.remote_networks.size()) + " remote network(s); the AWS side needs static routes to your LAN";
    }
    return c;
  }
  // AWS marks a BGP tunnel UP only once the BGP session is established.
  if (!conn.bgp || conn.bgp->advertise.empty()) {
    c.status = Status::kWarn;
    c.detail = "BGP connection with no networks to advertise: AWS learns no route to your LAN";
    c.fix = "set [connection.bgp] advertise = [\"<LAN CIDR>\"]";
  } else {
    c.detail = "AS " + std::to_string(conn.bgp->local_asn) + " -> AS " + std::to_string(conn.bgp->peer_asn) +
               " over both tunnels' inside addresses; AWS shows a tunnel DOWN until its BGP session is up";
  }
  if (conn.bgp && (conn.bgp->local_asn == 0 || conn.bgp->local_asn > 2147483647u)) {
    c.status = Status::kFail;
    c.detail = "local_asn " + std::to_string(conn.bgp->local_asn) + " outside AWS's 1-2147483647";
    c.fix = "use the customer gateway ASN registered at AWS";
  }
  return c;
}

}  // namespace

std::vector<Check> check_config(const config::Config& cfg) {
  std::vector<Check> out;
  bool nat_t = cfg.gateway.public_address.has_value();
  for (const auto& conn : cfg.connections) {
    out.push_back(both_tunnels(conn));
    for (const auto& t : conn.tunnels) out.push_back(tunnel_rules(t));
    for (const auto& t : conn.tunnels) out.push_back(mtu_mss(t, nat_t));
    out.push_back(routing(conn));
  }
  return out;
}

}  // namespace xgw::doctor
