#pragma once
// The XML and the generic text describe a tunnel with the same facts under different names.
// Their parsers collect those facts as text under one set of keys; this turns them into an
// AwsTunnel with one conversion and one set of error messages.
#include <map>
#include <optional>
#include <string>

#include "cli/import/aws_connection.h"

namespace xgw::import {

// Keys: cgw_outside vgw_outside cgw_inside vgw_inside inside_prefix psk ike_integrity
// ike_encryption ike_lifetime ike_group ike_mode esp_protocol esp_integrity esp_encryption
// esp_lifetime esp_group esp_mode mss mtu dpd_interval dpd_retries cgw_asn vgw_asn hold_time.
// `where` names the field in the source format for messages, e.g. "ike/lifetime".
struct TunnelFields {
  std::map<std::string, std::pair<std::string, std::string>> values;  // key -> (value, where)
  void set(const std::string& key, const std::string& value, const std::string& where) {
    values[key] = {value, where};
  }
  bool has(const std::string& key) const { return values.count(key) != 0; }
};

// Builds the tunnel; throws ImportError "ORIGIN: tunnel N (ip): WHERE = VALUE: RULE".
AwsTunnel build_tunnel(const TunnelFields& f, int number, const std::string& origin);

// The connection-level BGP facts from one tunnel (nullopt when the tunnel has none); both
// tunnels of a connection must agree.
std::optional<config::Bgp> build_bgp(const TunnelFields& f, const AwsTunnel& t, const std::string& origin);

// Checks that both tunnels agree on BGP and sets routing; throws when they disagree.
void set_routing(AwsConnection& c, const std::vector<std::optional<config::Bgp>>& per_tunnel, bool static_marker);

}  // namespace xgw::import
