// Reads gwd's TOML configuration (docs/config.md) into the model, checking every field.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <cstdio>
#include <set>
#include <sstream>

#include "controller/config/config.h"
#include "controller/config/fields.h"

namespace xgw::config {
namespace {

const std::set<std::string> kIkeEncryption{"aes128", "aes256"};
const std::set<std::string> kEspEncryption{"aes128", "aes256", "aes128-gcm-16", "aes256-gcm-16"};
const std::set<std::string> kIntegrity{"sha1", "sha2-256", "sha2-384", "sha2-512"};
// MODP 2 (RFC 2409), 5 and 14-18 (RFC 3526), ECP 19-21 (RFC 5903). 22-24 (RFC 5114) only
// with allow_rfc5114_groups: their primes have a questioned origin and most peers drop them.
const std::set<int> kGroups{2, 5, 14, 15, 16, 17, 18, 19, 20, 21};
const std::set<int> kRfc5114Groups{22, 23, 24};

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

// Refuses a secret-bearing file that others may read: a PSK must stay with root.
void check_private(const std::string& path, const std::string& what) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw ConfigError(what + " " + path + ": cannot read it");
  if (st.st_mode & (S_IROTH | S_IWOTH)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    throw ConfigError(what + " " + path + ": mode " + mode +
                      " lets other users read it; expected no access for others (chmod o-rwx)");
  }
}

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(what + " " + path + ": cannot open it");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string dirname_of(const std::string& path) {
  auto p = path.rfind('/');
  return p == std::string::npos ? "." : path.substr(0, p);
}

void check_names(Fields& f, const char* key, const std::vector<std::string>& names,
                 const std::set<std::string>& allowed) {
  for (const auto& n : names)
    if (!allowed.count(n)) f.fail(key, '"' + n + '"', "one of " + join(allowed));
}

void check_groups(Fields& f, const char* key, const std::vector<int>& groups, bool allow_rfc5114) {
  for (int g : groups) {
    if (kGroups.count(g)) continue;
    if (kRfc5114Groups.count(g)) {
      if (allow_rfc5114) continue;
      f.fail(key, std::to_string(g), "a group other than 22-24 unless allow_rfc5114_groups = true");
    }
    f.fail(key, std::to_string(g), "DH groups 2, 5, 14-21 (22-24 with allow_rfc5114_groups)");
  }
}

Algorithms read_algorithms(Fields& f) {
  Algorithms a;
  bool rfc5114 = f.flag("allow_rfc5114_groups", false);
  a.allow_rfc5114_groups = rfc5114;
  a.ike_encryption = f.texts("ike_encryption", a.ike_encryption);
  check_names(f, "ike_encryption", a.ike_encryption, kIkeEncryption);
  a.ike_integrity = f.texts("ike_integrity", a.ike_integrity);
  check_names(f, "ike_integrity", a.ike_integrity, kIntegrity);
  a.ike_dh_groups = f.numbers("ike_dh_groups", a.ike_dh_groups);
  check_groups(f, "ike_dh_groups", a.ike_dh_groups, rfc5114);
  a.esp_encryption = f.texts("esp_encryption", a.esp_encryption);
  check_names(f, "esp_encryption", a.esp_encryption, kEspEncryption);
  a.esp_integrity = f.texts("esp_integrity", a.esp_integrity);
  check_names(f, "esp_integrity", a.esp_integrity, kIntegrity);
  a.esp_pfs_groups = f.numbers("esp_pfs_groups", a.esp_pfs_groups);
  check_groups(f, "esp_pfs_groups", a.esp_pfs_groups, rfc5114);
  return a;
}

Tunnel read_tunnel(const toml::table& t, const std::string& origin, const std::string& name,
                   const std::string& base_dir) {
  Fields f(t, origin, "tunnel " + name);
  Tunnel tun;
  tun.name = name;
  tun.peer_address = f.address("peer_address");
  bool inline_psk = f.has("psk"), file_psk = f.has("psk_file");
  if (inline_psk == file_psk) f.fail("psk", "", "exactly one of psk or psk_file");
  if (inline_psk) {
    tun.psk = f.required_text("psk");
  } else {
    std::string p = f.required_text("psk_file");
    if (p[0] != '/') p = base_dir + "/" + p;
    check_private(p, "tunnel " + name + ": psk_file");
    tun.psk_file = p;
    tun.psk = read_file(p, "tunnel " + name + ": psk_file");
    while (!tun.psk.empty() && (tun.psk.back() == '\n' || tun.psk.back() == '\r')) tun.psk.pop_back();
    if (tun.psk.empty()) f.fail("psk_file", '"' + p + '"', "a file holding the pre-shared key (it is empty)");
  }
  tun.inside_cidr = f.cidr("inside_cidr", Cidr{});
  if (!f.has("inside_cidr")) f.fail("inside_cidr", "", "the tunnel's inside /30, e.g. \"169.254.100.0/30\"");
  if (tun.inside_cidr.len != 30) f.fail("inside_cidr", '"' + tun.inside_cidr.str() + '"', "a /30");
  tun.algorithms = read_algorithms(f);
  tun.ike_lifetime = f.number("ike_lifetime", 10, 86400, tun.ike_lifetime, "s");
  tun.esp_lifetime = f.number("esp_lifetime", 10, 86400, tun.esp_lifetime, "s");
  std::uint32_t shortest = std::min(tun.ike_lifetime, tun.esp_lifetime);
  tun.rekey_margin = f.number("rekey_margin", 0, shortest - 1, std::min(tun.rekey_margin, shortest / 2), "s (less than the shorter lifetime)");
  tun.rekey_fuzz = f.number("rekey_fuzz", 0, 100, tun.rekey_fuzz, "%");
  tun.dpd_interval = f.number("dpd_interval", 0, 3600, tun.dpd_interval, "s (0: answer only)");
  tun.dpd_retries = f.number("dpd_retries", 1, 100, tun.dpd_retries, "");
  tun.replay_window = f.number("replay_window", 0, 4096, tun.replay_window, "packets");
  tun.probe_interval_ms = f.number("probe_interval_ms", 50, 60000, tun.probe_interval_ms, "ms");
  tun.probe_misses = f.number("probe_misses", 1, 100, tun.probe_misses, "");
  if (f.has("mtu")) tun.mtu = f.number("mtu", 576, 9000, 0, "bytes");
  if (f.has("mss")) tun.mss = f.number("mss", 536, 8960, 0, "bytes");
  f.reject_unknown();
  return tun;
}

bool valid_name(const std::string& n) {
  return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

Connection read_connection(const toml::table& t, const std::string& origin, std::size_t index,
                           const std::string& base_dir) {
  Connection c;
  {
    Fields unnamed(t, origin, "connection #" + std::to_string(index + 1));
    c.name = unnamed.required_text("name");
    if (!valid_name(c.name)) unnamed.fail("name", '"' + c.name + '"', "1-64 characters of A-Z a-z 0-9 - _ .");
  }
  Fields f(t, origin, "connection '" + c.name + "'");
  f.text("name", "");
  std::string routing = f.text("routing", "static");
  if (routing == "static") c.routing = Routing::kStatic;
  else if (routing == "bgp") c.routing = Routing::kBgp;
  else f.fail("routing", '"' + routing + '"', "\"static\" or \"bgp\"");
  c.local_selector = f.cidr("local_selector", c.local_selector);
  c.remote_selector = f.cidr("remote_selector", c.remote_selector);
  c.remote_networks = f.cidrs("remote_networks");
  c.failback = f.flag("failback", c.failback);
  c.on_demand = f.flag("on_demand", c.on_demand);
  c.idle_timeout = f.number("idle_timeout", 0, 86400, c.idle_timeout, "s");
  if (const toml::table* b = f.table("bgp")) {
    Fields bf(*b, origin, "connection '" + c.name + "' bgp");
    Bgp bgp;
    // ASNs as AWS allows them for a customer gateway (1 to 2^31-1) and its own side.
    bgp.local_asn = bf.number("local_asn", 1, 4294967294u, bgp.local_asn, "");
    bgp.peer_asn = bf.number("peer_asn", 1, 4294967294u, bgp.peer_asn, "");
    bgp.hold_time = bf.number("hold_time", 3, 65535, bgp.hold_time, "s");
    bgp.advertise = bf.cidrs("advertise");
    bf.reject_unknown();
    c.bgp = bgp;
  }
  if (c.routing == Routing::kBgp && !c.bgp) c.bgp = Bgp{};
  if (c.routing == Routing::kStatic && c.bgp) f.fail("bgp", "", "no [bgp] table when routing = \"static\"");
  const toml::array* tunnels = f.array_of_tables("tunnel");
  if (!tunnels || tunnels->size() != 2)
    f.fail("tunnel", tunnels ? std::to_string(tunnels->size()) + " tunnels" : "",
           "exactly two [[connection.tunnel]] tables (AWS gives every VPN connection two tunnels)");
  for (std::size_t i = 0; i < tunnels->size(); ++i)
    c.tunnels.push_back(read_tunnel(*(*tunnels)[i].as_table(), origin, c.name + "/" + std::to_string(i + 1), base_dir));
  f.reject_unknown();
  return c;
}

Gateway read_gateway(Fields& top, const std::string& origin) {
  const toml::table* g = top.table("gateway");
  if (!g) top.fail("[gateway]", "", "a [gateway] table");
  Fields f(*g, origin, "gateway");
  Gateway gw;
  gw.wan_interface = f.required_text("wan_interface");
  gw.lan_interface = f.text("lan_interface", "");
  gw.local_address = f.address("local_address");
  if (f.has("public_address")) gw.public_address = f.address("public_address");
  std::string mode = f.text("xdp_mode", "auto");
  if (mode == "auto") gw.xdp_mode = XdpMode::kAuto;
  else if (mode == "native") gw.xdp_mode = XdpMode::kNative;
  else if (mode == "generic") gw.xdp_mode = XdpMode::kGeneric;
  else if (mode == "off") gw.xdp_mode = XdpMode::kOff;
  else f.fail("xdp_mode", '"' + mode + '"', "\"auto\", \"native\", \"generic\" or \"off\"");
  gw.state_dir = f.text("state_dir", gw.state_dir);
  gw.control_socket = f.text("control_socket", gw.control_socket);
  gw.control_group = f.text("control_group", gw.control_group);
  gw.metrics_listen = f.text("metrics_listen", gw.metrics_listen);
  if (!gw.metrics_listen.empty()) {
    auto colon = gw.metrics_listen.rfind(':');
    std::string port = colon == std::string::npos ? "" : gw.metrics_listen.substr(colon + 1);
    bool ok = colon != std::string::npos && parse_ipv4(gw.metrics_listen.substr(0, colon)) && !port.empty() &&
              port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos && std::stoul(port) >= 1 &&
              std::stoul(port) <= 65535;
    if (!ok)
      f.fail("metrics_listen", '"' + gw.metrics_listen + '"',
             "IPv4ADDRESS:PORT, e.g. \"127.0.0.1:9720\", or \"\" to serve no metrics");
  }
  gw.bird_socket = f.text("bird_socket", gw.bird_socket);
  gw.bird_config = f.text("bird_config", gw.bird_config);
  for (const auto& [key, path] : {std::pair{"bird_socket", gw.bird_socket}, std::pair{"bird_config", gw.bird_config}})
    if (path.empty() || path[0] != '/') f.fail(key, '"' + path + '"', "an absolute path");
  f.reject_unknown();
  return gw;
}

// Checks that span connections: unique names and AWS endpoints.
void check_across(const Config& cfg, const std::string& origin) {
  std::set<std::string> names;
  std::set<std::uint32_t> peers;
  for (const auto& c : cfg.connections) {
    if (!names.insert(c.name).second)
      throw ConfigError(origin + ": connection '" + c.name + "': name: expected a name no other connection uses");
    for (const auto& t : c.tunnels)
      if (!peers.insert(t.peer_address).second)
        throw ConfigError(origin + ": tunnel " + t.name + ": peer_address = \"" + ipv4_str(t.peer_address) +
                          "\": expected an address no other tunnel uses (each AWS endpoint serves one tunnel)");
  }
}

}  // namespace

Config load_string(const std::string& text, const std::string& origin, const std::string& base_dir) {
  // Every value gwd reads is ASCII (names, addresses, keys, paths), and toml++ 3.2 reaches
  // undefined behaviour on some non-ASCII bare keys (found by fuzz_config_load; the input is
  // in fuzz/findings/): non-ASCII text is refused before toml++ sees it.
  for (std::size_t i = 0, line = 1, col = 1; i < text.size(); ++i, ++col) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b == '\n') {
      ++line;
      col = 0;
    } else if (b >= 0x80) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", b);
      throw ConfigError(origin + ":" + std::to_string(line) + ":" + std::to_string(col) + ": byte " + hex +
                        ": expected ASCII (gwd's configuration is ASCII, comments included)");
    }
  }
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw ConfigError(os.str());
  }
  Fields top(root, origin, "top level");
  Config cfg;
  cfg.gateway = read_gateway(top, origin);
  if (const toml::array* conns = top.array_of_tables("connection")) {
    for (std::size_t i = 0; i < conns->size(); ++i)
      cfg.connections.push_back(read_connection(*(*conns)[i].as_table(), origin, i, base_dir));
  }
  if (cfg.connections.empty()) top.fail("connection", "", "at least one [[connection]]");
  top.reject_unknown();
  check_across(cfg, origin);
  return cfg;
}

Config load_file(const std::string& path) {
  check_private(path, "config file");
  return load_string(read_file(path, "config file"), path, dirname_of(path));
}

const char* to_string(Routing r) { return r == Routing::kBgp ? "bgp" : "static"; }

const char* to_string(XdpMode m) {
  switch (m) {
    case XdpMode::kNative: return "native";
    case XdpMode::kGeneric: return "generic";
    case XdpMode::kOff: return "off";
    case XdpMode::kAuto: break;
  }
  return "auto";
}

}  // namespace xgw::config
