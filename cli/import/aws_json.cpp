// `aws ec2 describe-vpn-connections` output (aws-reference.md §4.4): the XML inside
// CustomerGatewayConfiguration plus Options.TunnelOptions, the only place AWS states the allowed
// algorithm lists, DPD timeout and action, rekey margin and fuzz, replay window, startup action.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "cli/import/aws_connection.h"
#include "cli/import/names.h"

namespace xgw::import {
namespace {

using nlohmann::json;

// The one VpnConnection object in the document: describe (a list), create (one), or bare.
const json& connection_of(const json& doc, const std::string& origin) {
  if (doc.contains("VpnConnections")) {
    const json& list = doc["VpnConnections"];
    if (!list.is_array() || list.size() != 1) {
      std::string ids;
      if (list.is_array())
        for (const auto& v : list) ids += " " + v.value("VpnConnectionId", std::string("?"));
      throw ImportError(origin + ": VpnConnections: expected exactly one connection, found " +
                        std::to_string(list.is_array() ? list.size() : 0) + (ids.empty() ? "" : " (" + ids.substr(1) + ")") +
                        "; describe one with --vpn-connection-ids");
    }
    return list[0];
  }
  if (doc.contains("VpnConnection")) return doc["VpnConnection"];
  return doc;
}

std::vector<std::string> values(const json& opt, const char* key) {
  std::vector<std::string> out;
  if (!opt.contains(key)) return out;
  for (const auto& v : opt[key]) {
    const json& x = v.is_object() ? v["Value"] : v;
    out.push_back(x.is_string() ? x.get<std::string>() : x.dump());
  }
  return out;
}

class OptionReader {
 public:
  OptionReader(const json& o, std::string prefix) : o_(o), prefix_(std::move(prefix)) {}
  [[noreturn]] void fail(const std::string& key, const std::string& value, const std::string& rule) const {
    throw ImportError(prefix_ + key + " = " + value + ": " + rule);
  }
  std::optional<std::uint32_t> number(const char* key) const {
    if (!o_.contains(key)) return std::nullopt;
    const json& v = o_[key];
    if (!v.is_number_unsigned()) fail(key, v.dump(), "expected a non-negative whole number");
    return v.get<std::uint32_t>();
  }
  std::string text(const char* key) const {
    if (!o_.contains(key)) return "";
    if (!o_[key].is_string()) fail(key, o_[key].dump(), "expected a string");
    return o_[key].get<std::string>();
  }
  std::vector<std::string> encryption(const char* key, bool phase1) const {
    std::vector<std::string> out;
    for (const auto& v : values(o_, key)) {
      auto n = encryption_name(v);
      if (!n) fail(key, '"' + v + '"', "unknown encryption algorithm");
      // IKEv1 has no AEAD: GCM in phase 1 only applies to IKEv2, which gwd does not speak.
      if (phase1 && n->find("gcm") != std::string::npos) continue;
      out.push_back(*n);
    }
    if (o_.contains(key) && out.empty()) fail(key, "[]", "no algorithm usable with IKEv1 (AES128 or AES256)");
    return out;
  }
  std::vector<std::string> integrity(const char* key) const {
    std::vector<std::string> out;
    for (const auto& v : values(o_, key)) {
      auto n = integrity_name(v);
      if (!n) fail(key, '"' + v + '"', "unknown integrity algorithm");
      out.push_back(*n);
    }
    return out;
  }
  std::vector<int> groups(const char* key) const {
    std::vector<int> out;
    for (const auto& v : values(o_, key)) {
      auto g = dh_group(v);
      if (!g) fail(key, v, "expected a DH group number");
      // RFC 5114 groups 22-24 are left out: gwd offers them only with allow_rfc5114_groups,
      // and AWS always also allows a stronger group from the same list.
      if (*g >= 22 && *g <= 24) continue;
      out.push_back(*g);
    }
    if (o_.contains(key) && out.empty()) fail(key, "[]", "no group gwd offers (2, 5, 14-21)");
    return out;
  }

 private:
  const json& o_;
  std::string prefix_;
};

void apply_options(AwsTunnel& t, const json& o, const std::string& origin) {
  OptionReader r(o, origin + ": " + t.label() + ": TunnelOptions.");
  config::Tunnel& tun = t.tunnel;
  if (o.contains("TunnelInsideCidr")) {
    std::string s = r.text("TunnelInsideCidr");
    auto c = config::parse_cidr(s);
    if (!c) r.fail("TunnelInsideCidr", '"' + s + '"', "expected a CIDR such as 169.254.100.0/30");
    if (tun.inside_cidr.len != 0 && !(*c == tun.inside_cidr))
      r.fail("TunnelInsideCidr", '"' + s + '"', "differs from the XML's inside addresses (" + tun.inside_cidr.str() + ")");
    tun.inside_cidr = *c;
  }
  if (o.contains("PreSharedKey")) {
    std::string psk = r.text("PreSharedKey");
    // The key itself stays out of the message.
    if (!tun.psk.empty() && psk != tun.psk) r.fail("PreSharedKey", "(hidden)", "differs from the XML's pre_shared_key");
    tun.psk = psk;
  }
  if (auto v = r.number("Phase1LifetimeSeconds")) tun.ike_lifetime = *v;
  if (auto v = r.number("Phase2LifetimeSeconds")) tun.esp_lifetime = *v;
  if (auto v = r.number("RekeyMarginTimeSeconds")) tun.rekey_margin = *v;
  if (auto v = r.number("RekeyFuzzPercentage")) {
    if (*v > 100) r.fail("RekeyFuzzPercentage", std::to_string(*v), "AWS allows 0-100");
    tun.rekey_fuzz = *v;
  }
  if (auto v = r.number("ReplayWindowSize")) tun.replay_window = *v;
  if (auto v = r.number("DpdTimeoutSeconds")) {
    if (*v < 30) r.fail("DpdTimeoutSeconds", std::to_string(*v), "AWS allows 30 s or more");
    t.dpd_timeout = *v;
    // AWS clears the tunnel after DpdTimeoutSeconds without an answer. gwd declares the peer dead
    // after about interval * (retries + 1): keep the interval and fit the retries inside AWS's
    // timeout so both sides give up at the same time (40 s with a 10 s interval: 3 retries).
    std::uint32_t interval = tun.dpd_interval ? tun.dpd_interval : 10;
    tun.dpd_interval = interval;
    tun.dpd_retries = std::max<std::uint32_t>(1, *v / interval - 1);
  }
  t.dpd_action = r.text("DpdTimeoutAction");
  t.startup_action = r.text("StartupAction");
  auto enc1 = r.encryption("Phase1EncryptionAlgorithms", true);
  auto enc2 = r.encryption("Phase2EncryptionAlgorithms", false);
  auto int1 = r.integrity("Phase1IntegrityAlgorithms");
  auto int2 = r.integrity("Phase2IntegrityAlgorithms");
  auto grp1 = r.groups("Phase1DHGroupNumbers");
  auto grp2 = r.groups("Phase2DHGroupNumbers");
  if (!enc1.empty()) tun.algorithms.ike_encryption = enc1;
  if (!enc2.empty()) tun.algorithms.esp_encryption = enc2;
  if (!int1.empty()) tun.algorithms.ike_integrity = int1;
  if (!int2.empty()) tun.algorithms.esp_integrity = int2;
  if (!grp1.empty()) tun.algorithms.ike_dh_groups = grp1;
  if (!grp2.empty()) tun.algorithms.esp_pfs_groups = grp2;
  t.ike_versions = values(o, "IkeVersions");
  if (!t.ike_versions.empty() && std::find(t.ike_versions.begin(), t.ike_versions.end(), "ikev1") == t.ike_versions.end())
    r.fail("IkeVersions", "[" + t.ike_versions[0] + "]",
           "gwd speaks IKEv1; allow ikev1 on this tunnel (aws ec2 modify-vpn-tunnel-options)");
}

// Without the XML (deleted connections, or trimmed output) the tunnels come from TunnelOptions
// alone; only a static connection can be built that way, BGP needs the XML's ASNs.
void tunnels_from_options(AwsConnection& c, const json& conn, const json& opts, const std::string& origin) {
  if (!opts.value("StaticRoutesOnly", false))
    throw ImportError(origin + ": CustomerGatewayConfiguration: missing; a BGP connection needs it for the ASNs "
                               "(describe the connection while it is available)");
  int n = 0;
  for (const auto& o : opts.value("TunnelOptions", json::array())) {
    AwsTunnel t;
    t.number = ++n;
    std::string ip = o.value("OutsideIpAddress", std::string());
    auto a = config::parse_ipv4(ip);
    if (!a) throw ImportError(origin + ": tunnel " + std::to_string(n) + ": TunnelOptions.OutsideIpAddress = \"" + ip + "\": expected an IPv4 address");
    t.tunnel.peer_address = *a;
    t.tunnel.inside_cidr = config::Cidr{};
    c.tunnels.push_back(t);
  }
  (void)conn;
  c.routing = config::Routing::kStatic;
}

}  // namespace

AwsConnection parse_json(const std::string& text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ImportError(origin + ": JSON parse error at byte " + std::to_string(e.byte) + ": " + e.what() + " (nothing imported)");
  } catch (const json::exception& e) {
    // out_of_range for a number no double holds, e.g. 9E9999 (found by fuzz_aws_import:
    // it escaped and ended gwctl).
    throw ImportError(origin + ": JSON parse error: " + e.what() + " (nothing imported)");
  }
  const json& conn = connection_of(doc, origin);
  const json opts = conn.value("Options", json::object());
  AwsConnection c;
  if (conn.contains("CustomerGatewayConfiguration") && conn["CustomerGatewayConfiguration"].is_string()) {
    c = parse_xml(conn["CustomerGatewayConfiguration"].get<std::string>(), origin + " (CustomerGatewayConfiguration)");
  } else {
    tunnels_from_options(c, conn, opts, origin);
  }
  c.origin = origin;
  c.vpn_id = conn.value("VpnConnectionId", c.vpn_id);
  c.cgw_id = conn.value("CustomerGatewayId", c.cgw_id);
  c.vgw_id = conn.value("VpnGatewayId", conn.value("TransitGatewayId", c.vgw_id));
  if (opts.contains("StaticRoutesOnly") && opts["StaticRoutesOnly"].get<bool>() != (c.routing == config::Routing::kStatic))
    throw ImportError(origin + ": Options.StaticRoutesOnly = " + opts["StaticRoutesOnly"].dump() +
                      ": contradicts the XML, which describes a " + config::to_string(c.routing) + " connection");
  for (const char* key : {"LocalIpv4NetworkCidr", "RemoteIpv4NetworkCidr"}) {
    if (!opts.contains(key)) continue;
    auto cidr = config::parse_cidr(opts[key].get<std::string>());
    if (!cidr) throw ImportError(origin + ": Options." + key + " = " + opts[key].dump() + ": expected an IPv4 CIDR");
    (std::string(key) == "LocalIpv4NetworkCidr" ? c.local_selector : c.remote_selector) = *cidr;
  }

  // TunnelOptions and telemetry: matched by AWS outside address, never by position.
  auto find = [&](const std::string& ip, const char* what) -> AwsTunnel& {
    auto a = config::parse_ipv4(ip);
    for (auto& t : c.tunnels)
      if (a && t.tunnel.peer_address == *a) return t;
    throw ImportError(origin + ": " + what + ".OutsideIpAddress = \"" + ip + "\": matches no tunnel of the connection");
  };
  std::size_t matched = 0;
  for (const auto& o : opts.value("TunnelOptions", json::array())) {
    apply_options(find(o.value("OutsideIpAddress", std::string()), "TunnelOptions"), o, origin);
    ++matched;
  }
  if (matched != 0 && matched != c.tunnels.size())
    throw ImportError(origin + ": Options.TunnelOptions: " + std::to_string(matched) + " entries for " +
                      std::to_string(c.tunnels.size()) + " tunnels");
  c.has_tunnel_options = matched != 0;
  for (const auto& v : conn.value("VgwTelemetry", json::array())) {
    AwsTunnel& t = find(v.value("OutsideIpAddress", std::string()), "VgwTelemetry");
    t.status = v.value("Status", std::string());
    t.status_message = v.value("StatusMessage", std::string());
  }
  for (const auto& t : c.tunnels)
    if (t.tunnel.psk.empty() || t.tunnel.inside_cidr.len == 0)
      throw ImportError(origin + ": " + t.label() + ": TunnelOptions: missing PreSharedKey or TunnelInsideCidr");
  return c;
}

}  // namespace xgw::import
