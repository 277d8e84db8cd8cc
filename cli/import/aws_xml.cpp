// AWS's CustomerGatewayConfiguration XML (aws-reference.md §4.1). The XML always shows the
// minimum proposal; the allowed lists come from DescribeVpnConnections (aws_json.cpp).
#include <pugixml.hpp>

#include "cli/import/aws_connection.h"
#include "cli/import/tunnel_fields.h"

namespace xgw::import {
namespace {

// Line and column (1-based) of a byte offset, for parse errors the operator can jump to.
std::string position(const std::string& text, std::ptrdiff_t offset) {
  int line = 1, col = 1;
  for (std::ptrdiff_t i = 0; i < offset && i < static_cast<std::ptrdiff_t>(text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

void take(TunnelFields& f, const pugi::xml_node& n, const char* path, const char* key) {
  pugi::xpath_node x = n.select_node(path);
  if (!x) return;
  std::string v = x.node().child_value();
  // Trim: hand-edited files put the value on its own line.
  auto b = v.find_first_not_of(" \t\r\n"), e = v.find_last_not_of(" \t\r\n");
  v = b == std::string::npos ? "" : v.substr(b, e - b + 1);
  f.set(key, v, path);
}

}  // namespace

AwsConnection parse_xml(const std::string& text, const std::string& origin) {
  pugi::xml_document doc;
  pugi::xml_parse_result res = doc.load_buffer(text.data(), text.size());
  if (!res)
    throw ImportError(origin + ":" + position(text, res.offset) + ": XML parse error: " + res.description() +
                      " (nothing imported)");
  pugi::xml_node root = doc.child("vpn_connection");
  if (!root) throw ImportError(origin + ": expected a <vpn_connection> document (AWS CustomerGatewayConfiguration)");

  AwsConnection c;
  c.origin = origin;
  c.vpn_id = root.attribute("id").value();
  c.cgw_id = root.child_value("customer_gateway_id");
  c.vgw_id = root.child_value("vpn_gateway_id");
  bool static_marker = std::string(root.child_value("vpn_connection_attributes")) == "NoBGPVPNConnection";

  std::vector<std::optional<config::Bgp>> bgp;
  int number = 0;
  for (pugi::xml_node t : root.children("ipsec_tunnel")) {
    ++number;
    TunnelFields f;
    take(f, t, "customer_gateway/tunnel_outside_address/ip_address", "cgw_outside");
    take(f, t, "vpn_gateway/tunnel_outside_address/ip_address", "vgw_outside");
    take(f, t, "customer_gateway/tunnel_inside_address/ip_address", "cgw_inside");
    take(f, t, "vpn_gateway/tunnel_inside_address/ip_address", "vgw_inside");
    take(f, t, "customer_gateway/tunnel_inside_address/network_cidr", "inside_prefix");
    take(f, t, "customer_gateway/bgp/asn", "cgw_asn");
    take(f, t, "customer_gateway/bgp/hold_time", "hold_time");
    take(f, t, "vpn_gateway/bgp/asn", "vgw_asn");
    take(f, t, "ike/authentication_protocol", "ike_integrity");
    take(f, t, "ike/encryption_protocol", "ike_encryption");
    take(f, t, "ike/lifetime", "ike_lifetime");
    take(f, t, "ike/perfect_forward_secrecy", "ike_group");
    take(f, t, "ike/mode", "ike_mode");
    take(f, t, "ike/pre_shared_key", "psk");
    take(f, t, "ipsec/protocol", "esp_protocol");
    take(f, t, "ipsec/authentication_protocol", "esp_integrity");
    take(f, t, "ipsec/encryption_protocol", "esp_encryption");
    take(f, t, "ipsec/lifetime", "esp_lifetime");
    take(f, t, "ipsec/perfect_forward_secrecy", "esp_group");
    take(f, t, "ipsec/mode", "esp_mode");
    take(f, t, "ipsec/tcp_mss_adjustment", "mss");
    take(f, t, "ipsec/dead_peer_detection/interval", "dpd_interval");
    take(f, t, "ipsec/dead_peer_detection/retries", "dpd_retries");
    c.tunnels.push_back(build_tunnel(f, number, origin));
    bgp.push_back(build_bgp(f, c.tunnels.back(), origin));
  }
  if (c.tunnels.size() != 2)
    throw ImportError(origin + ": ipsec_tunnel: found " + std::to_string(c.tunnels.size()) +
                      ", expected 2 (AWS gives every VPN connection two tunnels)");
  set_routing(c, bgp, static_marker);
  return c;
}

}  // namespace xgw::import
