// Config -> TOML text. Every key written is one config_load.cpp reads; defaults are written
// explicitly so the file documents what gwd will do without the reader consulting docs.
#include "controller/config/config_write.h"

#include <sstream>

namespace xgw::config {
namespace {

// Comments carry text from AWS's files (ids, addresses): anything but printable ASCII becomes
// '?', so a malformed id can neither end the comment early nor make the file invalid UTF-8.
std::string comment_text(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return out;
}

// TOML basic string: escape what would end or corrupt it.
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quote(v[i]);
  return out + "]";
}

std::string list(const std::vector<int>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

std::string list(const std::vector<Cidr>& v) {
  std::vector<std::string> s;
  for (const auto& c : v) s.push_back(c.str());
  return list(s);
}

void write_gateway(std::ostringstream& os, const Gateway& g) {
  os << "[gateway]\n";
  os << "wan_interface = " << quote(g.wan_interface) << "\n";
  if (!g.lan_interface.empty()) os << "lan_interface = " << quote(g.lan_interface) << "\n";
  os << "local_address = " << quote(ipv4_str(g.local_address)) << "\n";
  if (g.public_address) os << "public_address = " << quote(ipv4_str(*g.public_address)) << "\n";
  os << "xdp_mode = " << quote(to_string(g.xdp_mode)) << "\n";
  os << "state_dir = " << quote(g.state_dir) << "\n";
  os << "control_socket = " << quote(g.control_socket) << "\n";
  if (!g.control_group.empty()) os << "control_group = " << quote(g.control_group) << "\n";
  os << "metrics_listen = " << quote(g.metrics_listen) << "\n";
  if (g.bird_socket != Gateway{}.bird_socket) os << "bird_socket = " << quote(g.bird_socket) << "\n";
  if (g.bird_config != Gateway{}.bird_config) os << "bird_config = " << quote(g.bird_config) << "\n";
}

void write_tunnel(std::ostringstream& os, const Tunnel& t, const WriteOptions& opts) {
  os << "\n";
  for (const auto& [name, notes] : opts.tunnel_notes)
    if (name == t.name)
      for (const auto& n : notes) os << "# " << comment_text(n) << "\n";
  os << "[[connection.tunnel]]  # " << t.name << "\n";
  os << "peer_address = " << quote(ipv4_str(t.peer_address)) << "\n";
  if (!t.psk_file.empty()) os << "psk_file = " << quote(t.psk_file) << "\n";
  else os << "psk = " << quote(t.psk) << "\n";
  os << "inside_cidr = " << quote(t.inside_cidr.str()) << "\n";
  const Algorithms& a = t.algorithms;
  os << "ike_encryption = " << list(a.ike_encryption) << "\n";
  os << "ike_integrity = " << list(a.ike_integrity) << "\n";
  os << "ike_dh_groups = " << list(a.ike_dh_groups) << "\n";
  os << "esp_encryption = " << list(a.esp_encryption) << "\n";
  os << "esp_integrity = " << list(a.esp_integrity) << "\n";
  os << "esp_pfs_groups = " << list(a.esp_pfs_groups) << "\n";
  if (a.allow_rfc5114_groups) os << "allow_rfc5114_groups = true\n";
  os << "ike_lifetime = " << t.ike_lifetime << "\n";
  os << "esp_lifetime = " << t.esp_lifetime << "\n";
  os << "rekey_margin = " << t.rekey_margin << "\n";
  os << "rekey_fuzz = " << t.rekey_fuzz << "\n";
  os << "dpd_interval = " << t.dpd_interval << "\n";
  os << "dpd_retries = " << t.dpd_retries << "\n";
  os << "replay_window = " << t.replay_window << "\n";
  os << "probe_interval_ms = " << t.probe_interval_ms << "\n";
  os << "probe_misses = " << t.probe_misses << "\n";
  if (t.mtu) os << "mtu = " << *t.mtu << "\n";
  if (t.mss) os << "mss = " << *t.mss << "\n";
}

void write_connection(std::ostringstream& os, const Connection& c, const WriteOptions& opts) {
  os << "\n[[connection]]\n";
  os << "name = " << quote(c.name) << "\n";
  os << "routing = " << quote(to_string(c.routing)) << "\n";
  os << "local_selector = " << quote(c.local_selector.str()) << "\n";
  os << "remote_selector = " << quote(c.remote_selector.str()) << "\n";
  // The loader wants a present list to be non-empty: an empty one is left out.
  if (!c.remote_networks.empty()) os << "remote_networks = " << list(c.remote_networks) << "\n";
  os << "failback = " << (c.failback ? "true" : "false") << "\n";
  os << "on_demand = " << (c.on_demand ? "true" : "false") << "\n";
  os << "idle_timeout = " << c.idle_timeout << "\n";
  // The loader refuses a [bgp] table on a static connection, so write it only for BGP.
  if (c.bgp && c.routing == Routing::kBgp) {
    os << "\n[connection.bgp]\n";
    os << "local_asn = " << c.bgp->local_asn << "\n";
    os << "peer_asn = " << c.bgp->peer_asn << "\n";
    os << "hold_time = " << c.bgp->hold_time << "\n";
    if (!c.bgp->advertise.empty()) os << "advertise = " << list(c.bgp->advertise) << "\n";
  }
  for (const auto& t : c.tunnels) write_tunnel(os, t, opts);
}

}  // namespace

std::string write_toml(const Config& cfg, const WriteOptions& opts) {
  std::ostringstream os;
  os << "# gwd configuration (docs/config.md).\n";
  for (const auto& h : opts.header) os << "# " << comment_text(h) << "\n";
  os << "\n";
  write_gateway(os, cfg.gateway);
  for (const auto& c : cfg.connections) write_connection(os, c, opts);
  return os.str();
}

}  // namespace xgw::config
