#include "cli/import/tunnel_fields.h"

#include <cctype>
#include <charconv>

#include "cli/import/names.h"

namespace xgw::import {
namespace {

class Reader {
 public:
  Reader(const TunnelFields& f, std::string prefix) : f_(f), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& rule) const {
    auto it = f_.values.find(key);
    if (it == f_.values.end()) throw ImportError(prefix_ + key + ": " + rule);
    throw ImportError(prefix_ + it->second.second + " = \"" + it->second.first + "\": " + rule);
  }
  const std::string& text(const std::string& key, const std::string& where_if_missing) const {
    auto it = f_.values.find(key);
    if (it == f_.values.end()) throw ImportError(prefix_ + where_if_missing + ": missing");
    return it->second.first;
  }
  std::uint32_t number(const std::string& key, const std::string& where_if_missing) const {
    const std::string& s = text(key, where_if_missing);
    // Units in the generic text ("28800 seconds", "1379 bytes") follow the number.
    std::uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p == s.data() || (p != s.data() + s.size() && *p != ' ')) fail(key, "expected a number");
    return v;
  }
  std::uint32_t address(const std::string& key, const std::string& where_if_missing) const {
    auto a = config::parse_ipv4(text(key, where_if_missing));
    if (!a) fail(key, "expected an IPv4 address");
    return *a;
  }
  void prefix(std::string p) { prefix_ = std::move(p); }

 private:
  const TunnelFields& f_;
  std::string prefix_;
};

std::string tunnel_prefix(const std::string& origin, int number, std::uint32_t peer) {
  std::string p = origin + ": tunnel " + std::to_string(number);
  if (peer) p += " (" + config::ipv4_str(peer) + ")";
  return p + ": ";
}

}  // namespace

std::string AwsTunnel::label() const {
  return "tunnel " + std::to_string(number) + " (" + config::ipv4_str(tunnel.peer_address) + ")";
}

AwsTunnel build_tunnel(const TunnelFields& f, int number, const std::string& origin) {
  AwsTunnel at;
  at.number = number;
  Reader r(f, tunnel_prefix(origin, number, 0));
  config::Tunnel& t = at.tunnel;
  t.peer_address = r.address("vgw_outside", "virtual private gateway outside address");
  r.prefix(tunnel_prefix(origin, number, t.peer_address));
  at.cgw_outside = r.address("cgw_outside", "customer gateway outside address");

  // Inside addresses: AWS takes .1 of the /30, the customer gateway .2 (the BGP neighbor is .1).
  std::uint32_t cgw_in = r.address("cgw_inside", "customer gateway inside address");
  std::uint32_t vgw_in = r.address("vgw_inside", "virtual private gateway inside address");
  std::uint32_t len = r.number("inside_prefix", "inside prefix length");
  if (len != 30) r.fail("inside_prefix", "AWS requires a /30 inside CIDR");
  config::Cidr c{cgw_in & 0xFFFFFFFCu, 30};
  if (cgw_in != c.addr + 2 || vgw_in != c.addr + 1)
    r.fail("cgw_inside", "expected the customer gateway at .2 and AWS at .1 of the /30 (AWS is " +
                             config::ipv4_str(vgw_in) + ")");
  t.inside_cidr = c;

  t.psk = r.text("psk", "pre-shared key");
  // Case-insensitive: hand-edited and older files vary ("Main", "ESP").
  auto is = [&](const char* key, const char* want) {
    std::string v = r.text(key, "");
    for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return v == want;
  };
  if (f.has("ike_mode") && !is("ike_mode", "main")) r.fail("ike_mode", "AWS's IKEv1 uses main mode only");
  if (f.has("esp_protocol") && !is("esp_protocol", "esp")) r.fail("esp_protocol", "AWS uses ESP");
  if (f.has("esp_mode") && !is("esp_mode", "tunnel")) r.fail("esp_mode", "AWS uses tunnel mode");

  auto enc = [&](const char* key, const char* what) {
    auto n = encryption_name(r.text(key, what));
    if (!n) r.fail(key, "unknown encryption algorithm (AWS uses aes-128-cbc, aes-256-cbc, AES-GCM-16)");
    return *n;
  };
  auto integ = [&](const char* key, const char* what) {
    auto n = integrity_name(r.text(key, what));
    if (!n) r.fail(key, "unknown integrity algorithm (AWS uses sha1, sha2-256, sha2-384, sha2-512)");
    return *n;
  };
  auto group = [&](const char* key, const char* what) {
    auto g = dh_group(r.text(key, what));
    if (!g) r.fail(key, "expected a Diffie-Hellman group such as group2");
    return *g;
  };
  t.algorithms.ike_encryption = {enc("ike_encryption", "phase 1 encryption")};
  t.algorithms.ike_integrity = {integ("ike_integrity", "phase 1 authentication")};
  t.algorithms.ike_dh_groups = {group("ike_group", "phase 1 Diffie-Hellman group")};
  t.algorithms.esp_encryption = {enc("esp_encryption", "phase 2 encryption")};
  t.algorithms.esp_integrity = {integ("esp_integrity", "phase 2 authentication")};
  t.algorithms.esp_pfs_groups = {group("esp_group", "phase 2 perfect forward secrecy")};
  t.ike_lifetime = r.number("ike_lifetime", "phase 1 lifetime");
  t.esp_lifetime = r.number("esp_lifetime", "phase 2 lifetime");
  if (f.has("dpd_interval")) t.dpd_interval = r.number("dpd_interval", "");
  if (f.has("dpd_retries")) t.dpd_retries = r.number("dpd_retries", "");
  // AWS's XML value wins over the table (aws-reference.md §2: "use the XML value when present").
  if (f.has("mss")) t.mss = r.number("mss", "");
  if (f.has("mtu")) t.mtu = r.number("mtu", "");
  return at;
}

std::optional<config::Bgp> build_bgp(const TunnelFields& f, const AwsTunnel& t, const std::string& origin) {
  if (!f.has("cgw_asn") && !f.has("vgw_asn")) return std::nullopt;
  Reader r(f, tunnel_prefix(origin, t.number, t.tunnel.peer_address));
  config::Bgp b;
  b.local_asn = r.number("cgw_asn", "customer gateway ASN");
  b.peer_asn = r.number("vgw_asn", "virtual private gateway ASN");
  if (f.has("hold_time")) b.hold_time = r.number("hold_time", "");
  // AWS: a customer gateway ASN is 1-2147483647.
  if (b.local_asn < 1 || b.local_asn > 2147483647u) r.fail("cgw_asn", "AWS allows a customer gateway ASN of 1-2147483647");
  return b;
}

void set_routing(AwsConnection& c, const std::vector<std::optional<config::Bgp>>& per_tunnel, bool static_marker) {
  bool any = false;
  for (const auto& b : per_tunnel) any = any || b.has_value();
  if (static_marker || !any) {
    if (static_marker && any)
      throw ImportError(c.origin + ": bgp: a NoBGPVPNConnection (static) connection must not carry BGP settings");
    c.routing = config::Routing::kStatic;
    return;
  }
  for (std::size_t i = 0; i < per_tunnel.size(); ++i) {
    if (!per_tunnel[i])
      throw ImportError(c.origin + ": " + c.tunnels[i].label() + ": bgp: missing while the other tunnel has it");
    if (i > 0 && !(*per_tunnel[i] == *per_tunnel[0]))
      throw ImportError(c.origin + ": " + c.tunnels[i].label() +
                        ": bgp: ASNs or hold time differ from tunnel 1 (one BGP setup per connection)");
  }
  c.routing = config::Routing::kBgp;
  c.bgp = per_tunnel[0];
}

}  // namespace xgw::import
