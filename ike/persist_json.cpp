// Encoding and checked decoding of the persisted peer state (persist_json.h). Keys and other
// byte strings are hex; addresses dotted quads; times milliseconds on the controller's clock.
#include "ike/persist_json.h"

#include <set>

#include "ike/crypto/hash.h"

namespace xgw::ike::persist {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------- encoding

std::string ip_str(std::uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string(ip >> 16 & 255) + "." + std::to_string(ip >> 8 & 255) + "." +
         std::to_string(ip & 255);
}

json endpoint_json(const Endpoint& e) { return {{"ip", ip_str(e.ip)}, {"port", e.port}}; }
json subnet_json(const Subnet& s) { return {{"addr", ip_str(s.addr)}, {"mask", ip_str(s.mask)}}; }

json esp_json(const EspSa& e) {
  return {{"spi", e.spi},
          {"src", ip_str(e.src)},
          {"dst", ip_str(e.dst)},
          {"transform", e.transform},
          {"enc_key", to_hex(e.enc_key)},
          {"integ", static_cast<int>(e.integ)},
          {"integ_key", to_hex(e.integ_key)},
          {"icv_bits", e.icv_bits},
          {"mode", e.mode == EspMode::kUdpEncapTunnel ? "udp_encap_tunnel" : "tunnel"},
          {"encap_sport", e.encap_sport},
          {"encap_dport", e.encap_dport},
          {"soft_lifetime_s", e.soft_lifetime_s},
          {"hard_lifetime_s", e.hard_lifetime_s},
          {"replay_window", e.replay_window},
          {"src_ts", subnet_json(e.src_ts)},
          {"dst_ts", subnet_json(e.dst_ts)}};
}

json ike_sa_json(const IkeSa& sa) {
  return {{"serial", sa.serial},
          {"cky_i", to_hex(sa.cky_i)},
          {"cky_r", to_hex(sa.cky_r)},
          {"initiator", sa.initiator},
          {"local", endpoint_json(sa.local)},
          {"remote", endpoint_json(sa.remote)},
          {"peer_natt", sa.peer_natt},
          {"peer_dpd", sa.peer_dpd},
          {"nat_local", sa.nat_local},
          {"nat_remote", sa.nat_remote},
          {"floated", sa.floated},
          {"suite",
           {{"key_bits", sa.choice.suite.key_bits},
            {"hash", static_cast<int>(sa.choice.suite.hash)},
            {"group", sa.choice.suite.group}}},
          {"lifetime_s", sa.choice.lifetime_s},
          // SKEYID itself only authenticates Main Mode; the cipher key is re-derived from
          // SKEYID_e (RFC 2409 App. B) on restore.
          {"skeyid_d", to_hex(sa.keys.skeyid_d)},
          {"skeyid_a", to_hex(sa.keys.skeyid_a)},
          {"skeyid_e", to_hex(sa.keys.skeyid_e)},
          {"last_p1_block", to_hex(sa.last_p1_block)},
          {"established_at", sa.established_at},
          {"rekey_at", sa.rekey_at}};
}

json child_json(const ChildSa& c) {
  return {{"serial", c.serial},
          {"rekey_of", c.rekey_of},
          {"initiator", c.initiator},
          {"ni", to_hex(c.ni)},
          {"lifetime_s", c.lifetime_s},
          {"installed_at", c.installed_at},
          {"rekey_at", c.rekey_at},
          {"outbound_active", c.outbound_active},
          {"out_installed", c.out_installed},
          {"in", esp_json(c.in)},
          {"out", esp_json(c.out)}};
}

// ---------------------------------------------------------------------------- decoding

// A field that is missing or wrong; turned into the one-line error of decode().
struct BadField {
  std::string path, what;
};
[[noreturn]] void bad(const std::string& path, std::string what) { throw BadField{path, std::move(what)}; }

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

const json& field(const json& o, std::string_view key, const std::string& path) {
  if (!o.is_object()) bad(path, "not an object");
  auto it = o.find(key);
  if (it == o.end()) bad(join(path, key), "missing");
  return *it;
}

std::uint64_t uint_field(const json& o, std::string_view key, const std::string& path, std::uint64_t max) {
  const json& v = field(o, key, path);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
    bad(join(path, key), "not an unsigned integer");
  auto x = v.get<std::uint64_t>();
  if (x > max) bad(join(path, key), std::to_string(x) + " out of range (max " + std::to_string(max) + ")");
  return x;
}

bool bool_field(const json& o, std::string_view key, const std::string& path) {
  const json& v = field(o, key, path);
  if (!v.is_boolean()) bad(join(path, key), "not a boolean");
  return v.get<bool>();
}

std::string string_field(const json& o, std::string_view key, const std::string& path) {
  const json& v = field(o, key, path);
  if (!v.is_string()) bad(join(path, key), "not a string");
  return v.get<std::string>();
}

// Hex bytes of an exact length (len) or of any length in [min, max].
Bytes hex_field(const json& o, std::string_view key, const std::string& path, std::size_t min, std::size_t max) {
  std::string s = string_field(o, key, path);
  bool ok = false;
  Bytes b = from_hex(s, &ok);
  if (!ok) bad(join(path, key), "not a hex string");
  if (b.size() < min || b.size() > max)
    bad(join(path, key), std::to_string(b.size()) + " bytes, expected " +
                             (min == max ? std::to_string(min) : std::to_string(min) + ".." + std::to_string(max)));
  return b;
}

std::uint32_t parse_ip(const std::string& s, const std::string& where) {
  std::uint32_t ip = 0;
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    std::size_t end = pos;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    if (end == pos || end - pos > 3 || (i < 3 && (end >= s.size() || s[end] != '.')) || (i == 3 && end != s.size()))
      bad(where, "'" + s + "' is not a dotted-quad IPv4 address");
    unsigned v = static_cast<unsigned>(std::stoul(s.substr(pos, end - pos)));
    if (v > 255) bad(where, "'" + s + "' is not a dotted-quad IPv4 address");
    ip = ip << 8 | v;
    pos = end + 1;
  }
  return ip;
}

std::uint32_t ip_field(const json& o, std::string_view key, const std::string& path) {
  return parse_ip(string_field(o, key, path), join(path, key));
}

Endpoint endpoint_field(const json& o, std::string_view key, const std::string& path) {
  const json& e = field(o, key, path);
  std::string p = join(path, key);
  return {ip_field(e, "ip", p), static_cast<std::uint16_t>(uint_field(e, "port", p, 65535))};
}

Subnet subnet_field(const json& o, std::string_view key, const std::string& path) {
  const json& e = field(o, key, path);
  std::string p = join(path, key);
  return {ip_field(e, "addr", p), ip_field(e, "mask", p)};
}

void expect_ip(std::uint32_t got, std::uint32_t want, const std::string& path) {
  if (got != want) bad(path, ip_str(got) + " is not the configured " + ip_str(want));
}

Cookie cookie_field(const json& o, std::string_view key, const std::string& path) {
  Bytes b = hex_field(o, key, path, kCookieLen, kCookieLen);
  Cookie c{};
  std::copy(b.begin(), b.end(), c.begin());
  if (c == Cookie{}) bad(join(path, key), "zero cookie");
  return c;
}

EspSa esp_field(const json& o, std::string_view key, const std::string& path) {
  const json& j = field(o, key, path);
  std::string p = join(path, key);
  EspSa e;
  e.spi = static_cast<std::uint32_t>(uint_field(j, "spi", p, 0xffffffffu));
  if (e.spi < 256) bad(join(p, "spi"), "SPIs below 256 are reserved (RFC 4303 §2.1)");
  e.src = ip_field(j, "src", p);
  e.dst = ip_field(j, "dst", p);
  e.transform = static_cast<std::uint8_t>(uint_field(j, "transform", p, 255));
  bool gcm = e.transform == kEspAesGcm8 || e.transform == kEspAesGcm12 || e.transform == kEspAesGcm16;
  if (e.transform != kEspAesCbc && !gcm) bad(join(p, "transform"), "unsupported ESP transform");
  // AES-128/192/256, plus the 4-byte salt for GCM (RFC 4106 §8.1).
  e.enc_key = hex_field(j, "enc_key", p, 16, 36);
  std::size_t k = e.enc_key.size() - (gcm ? 4 : 0);
  if (k != 16 && k != 24 && k != 32) bad(join(p, "enc_key"), "not an AES key length");
  auto integ = uint_field(j, "integ", p, 0xffff);
  e.integ = static_cast<EspAuth>(integ);
  bool integ_ok = e.integ == EspAuth::kNone || e.integ == EspAuth::kHmacSha1 || e.integ == EspAuth::kHmacSha256 ||
                  e.integ == EspAuth::kHmacSha384 || e.integ == EspAuth::kHmacSha512;
  if (!integ_ok || (gcm != (e.integ == EspAuth::kNone))) bad(join(p, "integ"), "unsupported for this transform");
  std::size_t ik = esp_integ_key_len(e.integ);
  e.integ_key = hex_field(j, "integ_key", p, ik, ik);
  e.icv_bits = static_cast<std::uint16_t>(uint_field(j, "icv_bits", p, 512));
  std::string mode = string_field(j, "mode", p);
  if (mode == "tunnel") e.mode = EspMode::kTunnel;
  else if (mode == "udp_encap_tunnel") e.mode = EspMode::kUdpEncapTunnel;
  else bad(join(p, "mode"), "'" + mode + "' is neither tunnel nor udp_encap_tunnel");
  e.encap_sport = static_cast<std::uint16_t>(uint_field(j, "encap_sport", p, 65535));
  e.encap_dport = static_cast<std::uint16_t>(uint_field(j, "encap_dport", p, 65535));
  e.soft_lifetime_s = uint_field(j, "soft_lifetime_s", p, 0xffffffffu);
  e.hard_lifetime_s = uint_field(j, "hard_lifetime_s", p, 0xffffffffu);
  e.replay_window = static_cast<std::uint32_t>(uint_field(j, "replay_window", p, 0xffffffffu));
  e.src_ts = subnet_field(j, "src_ts", p);
  e.dst_ts = subnet_field(j, "dst_ts", p);
  return e;
}

std::unique_ptr<IkeSa> ike_sa_field(const json& j, const std::string& p, const PeerConfig& cfg) {
  auto sa = std::make_unique<IkeSa>();
  sa->serial = uint_field(j, "serial", p, UINT64_MAX);
  if (sa->serial == 0) bad(join(p, "serial"), "zero");
  sa->cky_i = cookie_field(j, "cky_i", p);
  sa->cky_r = cookie_field(j, "cky_r", p);
  sa->initiator = bool_field(j, "initiator", p);
  sa->state = IkeSa::State::kEstablished;
  sa->local = endpoint_field(j, "local", p);
  expect_ip(sa->local.ip, cfg.local_ip, join(p, "local.ip"));
  sa->remote = endpoint_field(j, "remote", p);
  sa->peer_natt = bool_field(j, "peer_natt", p);
  sa->peer_dpd = bool_field(j, "peer_dpd", p);
  sa->nat_local = bool_field(j, "nat_local", p);
  sa->nat_remote = bool_field(j, "nat_remote", p);
  sa->floated = bool_field(j, "floated", p);
  const json& suite = field(j, "suite", p);
  std::string sp = join(p, "suite");
  IkeSuite& s = sa->choice.suite;
  s.key_bits = static_cast<std::uint16_t>(uint_field(suite, "key_bits", sp, 65535));
  if (s.key_bits != 128 && s.key_bits != 192 && s.key_bits != 256) bad(join(sp, "key_bits"), "not an AES key length");
  auto hash = uint_field(suite, "hash", sp, 65535);
  if (!crypto::hash_supported(static_cast<std::uint16_t>(hash))) bad(join(sp, "hash"), "unsupported hash");
  s.hash = static_cast<HashAlg>(hash);
  s.group = static_cast<std::uint16_t>(uint_field(suite, "group", sp, 65535));
  sa->choice.lifetime_s = static_cast<std::uint32_t>(uint_field(j, "lifetime_s", p, 0xffffffffu));
  if (sa->choice.lifetime_s == 0) bad(join(p, "lifetime_s"), "zero");
  std::size_t hl = crypto::hash_len(s.hash);
  sa->keys.skeyid_d = crypto::Secret(hex_field(j, "skeyid_d", p, hl, hl));
  sa->keys.skeyid_a = crypto::Secret(hex_field(j, "skeyid_a", p, hl, hl));
  sa->keys.skeyid_e = crypto::Secret(hex_field(j, "skeyid_e", p, hl, hl));
  sa->last_p1_block = hex_field(j, "last_p1_block", p, kAesBlock, kAesBlock);
  sa->established_at = uint_field(j, "established_at", p, UINT64_MAX);
  sa->rekey_at = uint_field(j, "rekey_at", p, UINT64_MAX);
  return sa;
}

ChildSa child_field(const json& j, const std::string& p, const PeerConfig& cfg) {
  ChildSa c;
  c.serial = uint_field(j, "serial", p, UINT64_MAX);
  if (c.serial == 0) bad(join(p, "serial"), "zero");
  c.rekey_of = uint_field(j, "rekey_of", p, UINT64_MAX);
  c.initiator = bool_field(j, "initiator", p);
  c.ni = hex_field(j, "ni", p, 8, 256);  // RFC 2409 §5: nonces of 8..256 bytes
  c.lifetime_s = static_cast<std::uint32_t>(uint_field(j, "lifetime_s", p, 0xffffffffu));
  if (c.lifetime_s == 0) bad(join(p, "lifetime_s"), "zero");
  c.installed_at = uint_field(j, "installed_at", p, UINT64_MAX);
  c.rekey_at = uint_field(j, "rekey_at", p, UINT64_MAX);
  c.outbound_active = bool_field(j, "outbound_active", p);
  c.out_installed = bool_field(j, "out_installed", p);
  if (c.outbound_active && !c.out_installed) bad(join(p, "outbound_active"), "set on a pair whose outbound SA is not installed");
  c.in = esp_field(j, "in", p);
  c.out = esp_field(j, "out", p);
  expect_ip(c.in.dst, cfg.local_ip, join(p, "in.dst"));
  expect_ip(c.out.src, cfg.local_ip, join(p, "out.src"));
  return c;
}

PeerState decode_or_throw(const json& j, const PeerConfig& cfg) {
  auto version = uint_field(j, "version", "", UINT64_MAX);
  if (version != kVersion) bad("version", std::to_string(version) + ", expected " + std::to_string(kVersion));
  PeerState st;
  const json& peer = field(j, "peer", "");
  st.local_ip = ip_field(peer, "local_ip", "peer");
  st.remote_ip = ip_field(peer, "remote_ip", "peer");
  st.local_id = ip_field(peer, "local_id", "peer");
  st.remote_id = ip_field(peer, "remote_id", "peer");
  expect_ip(st.local_ip, cfg.local_ip, "peer.local_ip");
  expect_ip(st.remote_ip, cfg.remote_ip, "peer.remote_ip");
  expect_ip(st.local_id, cfg.local_id, "peer.local_id");
  expect_ip(st.remote_id, cfg.remote_id, "peer.remote_id");
  st.want_up = bool_field(j, "want_up", "");
  st.dpd_seq = static_cast<std::uint32_t>(uint_field(j, "dpd_seq", "", 0xffffffffu));
  st.retire_ike_sa = uint_field(j, "retire_ike_sa", "", UINT64_MAX);
  const json& sas = field(j, "ike_sas", "");
  if (!sas.is_array()) bad("ike_sas", "not an array");
  std::set<std::uint64_t> serials;
  std::set<Cookie> cookies;
  for (std::size_t i = 0; i < sas.size(); ++i) {
    std::string p = "ike_sas[" + std::to_string(i) + "]";
    auto sa = ike_sa_field(sas[i], p, cfg);
    if (!serials.insert(sa->serial).second) bad(join(p, "serial"), "used twice");
    if (!cookies.insert(sa->cky_i).second || !cookies.insert(sa->cky_r).second) bad(join(p, "cky_i"), "cookie used twice");
    st.ike_sas.push_back(std::move(sa));
  }
  if (st.retire_ike_sa && !serials.count(st.retire_ike_sa)) bad("retire_ike_sa", "names no ISAKMP SA of the snapshot");
  const json& children = field(j, "child_sas", "");
  if (!children.is_array()) bad("child_sas", "not an array");
  std::set<std::uint32_t> spis;
  for (std::size_t i = 0; i < children.size(); ++i) {
    std::string p = "child_sas[" + std::to_string(i) + "]";
    ChildSa c = child_field(children[i], p, cfg);
    if (!serials.insert(c.serial).second) bad(join(p, "serial"), "used twice");
    if (!spis.insert(c.in.spi).second) bad(join(p, "in.spi"), "used twice");
    st.children.push_back(std::move(c));
  }
  std::size_t active = 0;
  for (const auto& c : st.children) active += c.outbound_active;
  if (active > 1) bad("child_sas", "more than one pair carries outbound traffic");
  return st;
}

}  // namespace

nlohmann::json encode(const Peer& p) {
  json sas = json::array(), children = json::array();
  std::uint64_t retiring = 0;  // only an ISAKMP SA that is in the snapshot
  for (const auto& sa : p.sas) {
    if (!sa->established()) continue;
    sas.push_back(ike_sa_json(*sa));
    if (sa->serial == p.retire_ike_sa) retiring = sa->serial;
  }
  for (const auto& c : p.children) children.push_back(child_json(c));
  return {{"version", kVersion},
          {"peer",
           {{"local_ip", ip_str(p.cfg.local_ip)},
            {"remote_ip", ip_str(p.cfg.remote_ip)},
            {"local_id", ip_str(p.cfg.local_id)},
            {"remote_id", ip_str(p.cfg.remote_id)}}},
          {"want_up", p.want_up},
          {"dpd_seq", p.dpd_seq},
          {"retire_ike_sa", retiring},
          {"ike_sas", std::move(sas)},
          {"child_sas", std::move(children)}};
}

Result<PeerState> decode(const nlohmann::json& j, const PeerConfig& cfg) {
  try {
    return decode_or_throw(j, cfg);
  } catch (const BadField& b) {
    if (b.path.empty()) return fail("snapshot: " + b.what);
    return fail("snapshot field " + b.path + ": " + b.what);
  } catch (const json::exception& e) {  // a type nlohmann refuses to convert
    return fail(std::string("snapshot: ") + e.what());
  }
}

}  // namespace xgw::ike::persist
