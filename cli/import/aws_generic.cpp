// AWS's "Generic" text configuration (aws-reference.md §4.3): `- Label : value` lines under
// numbered section headers. The labels "Customer Gateway" and "Virtual Private Gateway" repeat
// under "Outside IP Addresses" and "Inside IP Addresses", so the parser tracks the subsection.
#include <algorithm>
#include <cctype>
#include <sstream>

#include "cli/import/aws_connection.h"
#include "cli/import/tunnel_fields.h"

namespace xgw::import {
namespace {

// Lowercase, single spaces, trimmed; "VPN Gateway" and "IPsec" spelled one way, since AWS's
// wording changed over the years.
std::string norm(const std::string& s) {
  std::string out;
  for (char ch : s) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  for (auto [from, to] : {std::pair<const char*, const char*>{"vpn gateway", "virtual private gateway"}}) {
    auto p = out.find(from);
    if (p != std::string::npos) out.replace(p, std::string(from).size(), to);
  }
  return out;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

struct Pending {
  int number;
  int line;  // where the tunnel starts, for messages
  TunnelFields fields;
};

// The TunnelFields key for a label in a section/subsection; empty when not imported.
std::string key_for(int section, const std::string& sub, const std::string& label) {
  if (section == 1) {
    if (label == "pre-shared key") return "psk";
    if (label == "authentication algorithm") return "ike_integrity";
    if (label == "encryption algorithm") return "ike_encryption";
    if (label == "lifetime") return "ike_lifetime";
    if (label == "phase 1 negotiation mode") return "ike_mode";
    if (label == "diffie-hellman" || label == "perfect forward secrecy") return "ike_group";
    if (label == "ike version") return "ike_version";
  } else if (section == 2) {
    if (label == "protocol") return "esp_protocol";
    if (label == "authentication algorithm") return "esp_integrity";
    if (label == "encryption algorithm") return "esp_encryption";
    if (label == "lifetime") return "esp_lifetime";
    if (label == "mode") return "esp_mode";
    if (label == "perfect forward secrecy") return "esp_group";
    if (label == "dpd interval") return "dpd_interval";
    if (label == "dpd retries") return "dpd_retries";
    if (label == "tcp mss adjustment") return "mss";
  } else if (section == 3) {
    if (label == "tunnel interface mtu") return "mtu";
    std::string side = label == "customer gateway" ? "cgw" : label == "virtual private gateway" ? "vgw" : "";
    if (side.empty() || sub.empty()) return "";
    return side + "_" + sub;
  } else if (section == 4) {
    if (label == "customer gateway asn") return "cgw_asn";
    if (label == "virtual private gateway asn") return "vgw_asn";
    if (label == "neighbor hold time") return "hold_time";
    if (label == "neighbor ip address") return "neighbor";
  }
  return "";
}

}  // namespace

AwsConnection parse_generic(const std::string& text, const std::string& origin) {
  AwsConnection c;
  c.origin = origin;
  std::vector<Pending> tunnels;
  int section = 0;
  std::string sub;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string line = trim(raw);
    std::string n = norm(line);
    if (n.empty()) continue;
    if (n.rfind("ipsec tunnel #", 0) == 0) {
      tunnels.push_back({static_cast<int>(tunnels.size()) + 1, line_no, {}});
      section = 0;
      sub.clear();
      continue;
    }
    if (n.size() > 2 && n[0] == '#' && std::isdigit(static_cast<unsigned char>(n[1])) && n.find(':') != std::string::npos) {
      section = n[1] - '0';
      sub.clear();
      continue;
    }
    if (n == "outside ip addresses:") { sub = "outside"; continue; }
    if (n == "inside ip addresses:") { sub = "inside"; continue; }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string label = norm(line.substr(0, colon));
    std::string value = trim(line.substr(colon + 1));
    if (label.rfind("- ", 0) == 0) label = label.substr(2);
    else if (label.rfind("your ", 0) == 0) {
      if (label == "your vpn connection id") c.vpn_id = value;
      if (label == "your virtual private gateway id") c.vgw_id = value;
      if (label == "your customer gateway id") c.cgw_id = value;
      continue;
    } else {
      continue;  // prose
    }
    if (tunnels.empty()) continue;
    if (label == "tunnel interface mtu") sub.clear();  // the MTU line ends the inside-address block
    std::string key = key_for(section, sub, label);
    if (key.empty()) continue;
    std::string where = "line " + std::to_string(line_no) + " \"" + trim(line.substr(0, colon)).substr(2) + "\"";
    TunnelFields& f = tunnels.back().fields;
    if (key == "cgw_inside" || key == "vgw_inside") {
      // "169.254.100.2/30": the address and the prefix length.
      auto slash = value.find('/');
      f.set(key, value.substr(0, slash), where);
      if (slash != std::string::npos) f.set("inside_prefix", value.substr(slash + 1), where);
      continue;
    }
    if (key == "ike_version") {
      if (norm(value) != "ikev1")
        throw ImportError(origin + ": " + where + " = \"" + value + "\": gwd speaks IKEv1; download the IKEv1 configuration");
      continue;
    }
    if (key == "ike_mode" || key == "esp_protocol" || key == "esp_mode") value = norm(value);
    f.set(key, value, where);
  }
  if (tunnels.size() != 2)
    throw ImportError(origin + ": \"IPSec Tunnel #N\" sections: found " + std::to_string(tunnels.size()) +
                      ", expected 2 (AWS gives every VPN connection two tunnels)");
  std::vector<std::optional<config::Bgp>> bgp;
  for (auto& p : tunnels) {
    c.tunnels.push_back(build_tunnel(p.fields, p.number, origin));
    bgp.push_back(build_bgp(p.fields, c.tunnels.back(), origin));
    // The BGP neighbor AWS names must be its inside address, or the session will never come up.
    auto it = p.fields.values.find("neighbor");
    if (it != p.fields.values.end()) {
      auto a = config::parse_ipv4(it->second.first);
      if (!a || *a != c.tunnels.back().tunnel.peer_inside())
        throw ImportError(origin + ": " + c.tunnels.back().label() + ": " + it->second.second + " = \"" +
                          it->second.first + "\": expected the virtual private gateway inside address " +
                          config::ipv4_str(c.tunnels.back().tunnel.peer_inside()));
    }
  }
  set_routing(c, bgp, false);
  return c;
}

}  // namespace xgw::import
