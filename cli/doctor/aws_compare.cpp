#include "cli/doctor/aws_compare.h"

#include <algorithm>

namespace xgw::doctor {
namespace {

template <typename T>
bool intersects(const std::vector<T>& ours, const std::vector<T>& aws) {
  return std::any_of(ours.begin(), ours.end(), [&](const T& x) { return std::find(aws.begin(), aws.end(), x) != aws.end(); });
}

std::string ip(std::uint32_t a) { return config::ipv4_str(a); }

}  // namespace

std::vector<Check> compare_with_aws(const config::Config& cfg, const import::AwsConnection& aws) {
  std::vector<Check> out;
  for (const auto& at : aws.tunnels) {
    const config::Connection* conn = nullptr;
    const config::Tunnel* t = nullptr;
    for (const auto& c : cfg.connections)
      for (const auto& x : c.tunnels)
        if (x.peer_address == at.tunnel.peer_address) conn = &c, t = &x;
    Check c{"aws.tunnel", "AWS " + at.label() + " against the config", Status::kPass, "", ""};
    std::vector<std::string> fails;
    std::string fix;
    if (!t) {
      c.status = Status::kFail;
      c.detail = "no tunnel has peer_address " + ip(at.tunnel.peer_address) + ": AWS shows this tunnel DOWN";
      c.fix = "configure both tunnels: gwctl import aws " + aws.origin;
      out.push_back(c);
      continue;
    }
    c.title = "AWS " + at.label() + " against tunnel " + t->name;
    if (t->psk != at.tunnel.psk) fails.push_back("pre-shared key differs from AWS's");
    if (!(t->inside_cidr == at.tunnel.inside_cidr))
      fails.push_back("inside_cidr " + t->inside_cidr.str() + ", AWS has " + at.tunnel.inside_cidr.str());
    if (at.cgw_outside && cfg.gateway.identity() != at.cgw_outside)
      fails.push_back("our IKE identity is " + ip(cfg.gateway.identity()) + ", AWS knows the customer gateway as " +
                      ip(at.cgw_outside) + (cfg.gateway.public_address ? "" : " (behind NAT? set public_address)"));
    if (aws.routing == config::Routing::kBgp && conn->routing != config::Routing::kBgp)
      fails.push_back("AWS runs BGP on this connection but routing = \"static\": AWS shows the tunnel DOWN until BGP is established");
    if (aws.routing == config::Routing::kStatic && conn->routing == config::Routing::kBgp)
      fails.push_back("AWS's connection is static (no BGP peer) but routing = \"bgp\"");
    if (aws.bgp && conn->bgp && (aws.bgp->local_asn != conn->bgp->local_asn || aws.bgp->peer_asn != conn->bgp->peer_asn))
      fails.push_back("BGP ASNs " + std::to_string(conn->bgp->local_asn) + "/" + std::to_string(conn->bgp->peer_asn) +
                      ", AWS has " + std::to_string(aws.bgp->local_asn) + "/" + std::to_string(aws.bgp->peer_asn));
    if (aws.has_tunnel_options) {
      // AWS picks from the intersection: an empty one is NO-PROPOSAL-CHOSEN.
      const auto &ours = t->algorithms, &theirs = at.tunnel.algorithms;
      if (!intersects(ours.ike_encryption, theirs.ike_encryption) || !intersects(ours.ike_integrity, theirs.ike_integrity) ||
          !intersects(ours.ike_dh_groups, theirs.ike_dh_groups))
        fails.push_back("no phase 1 proposal AWS allows for this tunnel");
      if (!intersects(ours.esp_encryption, theirs.esp_encryption) || !intersects(ours.esp_pfs_groups, theirs.esp_pfs_groups) ||
          (!intersects(ours.esp_integrity, theirs.esp_integrity) &&
           !std::any_of(ours.esp_encryption.begin(), ours.esp_encryption.end(), [](const std::string& e) { return e.find("gcm") != std::string::npos; })))
        fails.push_back("no phase 2 proposal AWS allows for this tunnel");
      if (t->ike_lifetime > at.tunnel.ike_lifetime || t->esp_lifetime > at.tunnel.esp_lifetime)
        fails.push_back("lifetimes " + std::to_string(t->ike_lifetime) + "/" + std::to_string(t->esp_lifetime) +
                        " s above AWS's " + std::to_string(at.tunnel.ike_lifetime) + "/" + std::to_string(at.tunnel.esp_lifetime));
    }
    if (!fails.empty()) {
      c.status = Status::kFail;
      for (const auto& f : fails) c.detail += (c.detail.empty() ? "" : "; ") + f;
      c.fix = "re-import (gwctl import aws " + aws.origin + ") or correct the named fields of tunnel " + t->name;
    } else {
      c.detail = "addresses, key, routing" + std::string(aws.has_tunnel_options ? ", proposals and lifetimes" : "") + " agree";
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace xgw::doctor
