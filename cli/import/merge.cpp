// Combining two descriptions of one connection, and the final AWS-rule check.
#include <fstream>
#include <sstream>

#include "cli/aws/rules.h"
#include "cli/import/aws_connection.h"

namespace xgw::import {
namespace {

const AwsTunnel* by_peer(const AwsConnection& c, std::uint32_t peer) {
  for (const auto& t : c.tunnels)
    if (t.tunnel.peer_address == peer) return &t;
  return nullptr;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImportError(path + ": cannot open it");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Format detect_format(const std::string& text) {
  auto p = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (p != std::string::npos && text[p] == '<') return Format::kXml;
  if (p != std::string::npos && text[p] == '{') return Format::kJson;
  return Format::kGeneric;
}

AwsConnection parse_any(const std::string& text, const std::string& origin) {
  switch (detect_format(text)) {
    case Format::kXml: return parse_xml(text, origin);
    case Format::kJson: return parse_json(text, origin);
    case Format::kGeneric: break;
  }
  return parse_generic(text, origin);
}

AwsConnection merge(const AwsConnection& a, const AwsConnection& b) {
  const std::string where = a.origin + " + " + b.origin;
  if (!a.vpn_id.empty() && !b.vpn_id.empty() && a.vpn_id != b.vpn_id)
    throw ImportError(where + ": VPN connection id: " + a.vpn_id + " vs " + b.vpn_id + ": the files describe different connections");
  if (a.routing != b.routing)
    throw ImportError(where + ": routing: " + std::string(config::to_string(a.routing)) + " vs " +
                      config::to_string(b.routing) + ": the files must describe the same connection");
  if (a.tunnels.size() != b.tunnels.size())
    throw ImportError(where + ": tunnels: " + std::to_string(a.tunnels.size()) + " vs " + std::to_string(b.tunnels.size()));
  // The side with TunnelOptions is the richer one; the other only has to agree with it.
  const AwsConnection& rich = b.has_tunnel_options && !a.has_tunnel_options ? b : a;
  const AwsConnection& other = &rich == &a ? b : a;
  AwsConnection out = rich;
  out.origin = where;
  if (out.vpn_id.empty()) out.vpn_id = other.vpn_id;
  if (out.cgw_id.empty()) out.cgw_id = other.cgw_id;
  if (out.vgw_id.empty()) out.vgw_id = other.vgw_id;
  if (!out.bgp) out.bgp = other.bgp;
  for (auto& t : out.tunnels) {
    const AwsTunnel* o = by_peer(other, t.tunnel.peer_address);
    std::string prefix = where + ": " + t.label() + ": ";
    if (!o) throw ImportError(prefix + "peer_address: not in " + other.origin + " (tunnels are matched by AWS outside address)");
    if (o->tunnel.psk != t.tunnel.psk)
      throw ImportError(prefix + "psk: differs between " + a.origin + " and " + b.origin);
    if (!(o->tunnel.inside_cidr == t.tunnel.inside_cidr))
      throw ImportError(prefix + "inside_cidr: " + t.tunnel.inside_cidr.str() + " vs " + o->tunnel.inside_cidr.str());
    if (t.cgw_outside && o->cgw_outside && t.cgw_outside != o->cgw_outside)
      throw ImportError(prefix + "customer gateway outside address: " + config::ipv4_str(t.cgw_outside) + " vs " +
                        config::ipv4_str(o->cgw_outside));
    if (!t.cgw_outside) t.cgw_outside = o->cgw_outside;
    if (!t.tunnel.mtu) t.tunnel.mtu = o->tunnel.mtu;
    if (!t.tunnel.mss) t.tunnel.mss = o->tunnel.mss;
    if (t.status.empty()) {
      t.status = o->status;
      t.status_message = o->status_message;
    }
  }
  return out;
}

void validate(const AwsConnection& c) {
  for (const auto& t : c.tunnels)
    for (const auto& v : aws::check_tunnel(t.tunnel))
      if (v.severity == aws::Severity::kFail) throw ImportError(c.origin + ": " + t.label() + ": " + v.str());
  if (c.tunnels.size() == 2 && c.tunnels[0].tunnel.peer_address == c.tunnels[1].tunnel.peer_address)
    throw ImportError(c.origin + ": both tunnels name AWS endpoint " + config::ipv4_str(c.tunnels[0].tunnel.peer_address));
  if (c.tunnels.size() == 2 && c.tunnels[0].cgw_outside && c.tunnels[1].cgw_outside &&
      c.tunnels[0].cgw_outside != c.tunnels[1].cgw_outside)
    throw ImportError(c.origin + ": customer gateway outside address differs between the tunnels (" +
                      config::ipv4_str(c.tunnels[0].cgw_outside) + ", " + config::ipv4_str(c.tunnels[1].cgw_outside) + ")");
}

AwsConnection import_files(const std::vector<std::string>& paths) {
  if (paths.empty()) throw ImportError("no input files");
  std::optional<AwsConnection> acc;
  for (const auto& p : paths) {
    std::string name = p.substr(p.rfind('/') == std::string::npos ? 0 : p.rfind('/') + 1);
    AwsConnection c = parse_any(read_all(p), name);
    acc = acc ? merge(*acc, c) : c;
  }
  validate(*acc);
  return *acc;
}

}  // namespace xgw::import
