#include "ike/proposal.h"

#include <algorithm>
#include <tuple>

#include "ike/crypto/hash.h"

namespace xgw::ike {
namespace {

using codec::Attribute;
using codec::Proposal;
using codec::SaPayload;
using codec::Transform;

auto key1(const IkeSuite& s) { return std::make_tuple(s.key_bits, static_cast<int>(s.hash), s.group); }
auto key2(const EspSuite& s) {
  return std::make_tuple(s.transform, s.key_bits, static_cast<int>(s.auth), s.pfs_group);
}
std::uint16_t u16(P1Attr a) { return static_cast<std::uint16_t>(a); }
std::uint16_t u16(P2Attr a) { return static_cast<std::uint16_t>(a); }

bool is_gcm(std::uint8_t t) { return t == kEspAesGcm8 || t == kEspAesGcm12 || t == kEspAesGcm16; }

// Parses one phase 1 transform into a suite; nullopt with `why` when it is not acceptable.
std::optional<std::pair<IkeSuite, std::uint32_t>> parse_p1(const Transform& t, const crypto::DhOptions& opt,
                                                             std::string& why) {
  if (t.id != kKeyIke) {
    why = "transform ID " + std::to_string(t.id);
    return std::nullopt;
  }
  IkeSuite s;
  std::uint32_t life = 0;
  bool enc = false, psk = false, hash = false, group = false;
  std::uint16_t life_type = kLifeSeconds;
  for (const auto& a : t.attrs) {
    auto v = a.as_int();
    if (!v) {
      why = "attribute " + std::to_string(a.type) + " too long";
      return std::nullopt;
    }
    switch (static_cast<P1Attr>(a.type)) {
      case P1Attr::kEncryption: enc = *v == kP1EncAesCbc; break;
      case P1Attr::kKeyLength: s.key_bits = static_cast<std::uint16_t>(*v); break;
      case P1Attr::kHash:
        hash = crypto::hash_supported(static_cast<std::uint16_t>(*v));
        s.hash = static_cast<HashAlg>(*v);
        break;
      case P1Attr::kAuthMethod: psk = *v == kAuthPsk; break;
      case P1Attr::kGroupDesc:
        group = crypto::dh_group_supported(static_cast<std::uint16_t>(*v), opt);
        s.group = static_cast<std::uint16_t>(*v);
        break;
      case P1Attr::kLifeType: life_type = static_cast<std::uint16_t>(*v); break;
      case P1Attr::kLifeDuration:
        if (life_type == kLifeSeconds) life = static_cast<std::uint32_t>(std::min<std::uint64_t>(*v, 0xffffffffu));
        break;
      default:
        why = "unsupported phase 1 attribute " + std::to_string(a.type);
        return std::nullopt;
    }
  }
  if (!enc || !psk || !hash || !group || (s.key_bits != 128 && s.key_bits != 256)) {
    why = "not AES-CBC-128/256 + PSK + supported hash/group";
    return std::nullopt;
  }
  return std::make_pair(s, life);
}

struct P2Parsed {
  EspSuite suite;
  std::uint32_t life = 0;
  EncapMode mode = EncapMode::kTunnel;
};

std::optional<P2Parsed> parse_p2(const Transform& t, std::string& why) {
  P2Parsed p;
  p.suite.transform = t.id;
  p.suite.auth = EspAuth::kNone;
  p.suite.pfs_group = 0;
  p.suite.key_bits = 0;
  if (t.id != kEspAesCbc && !is_gcm(t.id)) {
    why = "ESP transform " + std::to_string(t.id);
    return std::nullopt;
  }
  std::uint16_t life_type = kLifeSeconds;
  for (const auto& a : t.attrs) {
    auto v = a.as_int();
    if (!v) {
      why = "attribute too long";
      return std::nullopt;
    }
    switch (static_cast<P2Attr>(a.type)) {
      case P2Attr::kLifeType: life_type = static_cast<std::uint16_t>(*v); break;
      case P2Attr::kLifeDuration:
        if (life_type == kLifeSeconds) p.life = static_cast<std::uint32_t>(std::min<std::uint64_t>(*v, 0xffffffffu));
        break;
      case P2Attr::kGroupDesc: p.suite.pfs_group = static_cast<std::uint16_t>(*v); break;
      case P2Attr::kEncapMode: p.mode = static_cast<EncapMode>(*v); break;
      case P2Attr::kAuthAlg: p.suite.auth = static_cast<EspAuth>(*v); break;
      case P2Attr::kKeyLength: p.suite.key_bits = static_cast<std::uint16_t>(*v); break;
      default:
        why = "unsupported phase 2 attribute " + std::to_string(a.type);
        return std::nullopt;
    }
  }
  if (p.suite.key_bits != 128 && p.suite.key_bits != 256) {
    why = "key length " + std::to_string(p.suite.key_bits);
    return std::nullopt;
  }
  return p;
}

bool mode_ok(EncapMode m, bool nat) {
  if (nat) return m == EncapMode::kUdpTunnel || m == EncapMode::kUdpTunnelDraft;
  return m == EncapMode::kTunnel;
}

}  // namespace

std::vector<IkeSuite> sorted_lowest_first(std::vector<IkeSuite> s) {
  std::stable_sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return key1(a) < key1(b); });
  return s;
}
std::vector<EspSuite> sorted_lowest_first(std::vector<EspSuite> s) {
  std::stable_sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return key2(a) < key2(b); });
  return s;
}

crypto::DhOptions dh_options(const PeerConfig& cfg) { return crypto::DhOptions{cfg.allow_rfc5114_groups}; }

std::vector<IkeSuite> usable_ike_suites(const PeerConfig& cfg) {
  auto s = sorted_lowest_first(cfg.ike_suites);
  std::erase_if(s, [&](const IkeSuite& x) { return !crypto::dh_group_supported(x.group, dh_options(cfg)); });
  return s;
}

std::vector<EspSuite> usable_esp_suites(const PeerConfig& cfg) {
  auto s = sorted_lowest_first(cfg.esp_suites);
  std::erase_if(s, [&](const EspSuite& x) {
    return x.pfs_group && !crypto::dh_group_supported(x.pfs_group, dh_options(cfg));
  });
  return s;
}

SaPayload build_phase1_sa(const PeerConfig& cfg) {
  SaPayload sa;
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::kIsakmp;
  std::uint8_t n = 1;
  for (const auto& s : usable_ike_suites(cfg)) {
    Transform t;
    t.number = n++;
    t.id = kKeyIke;
    // Attribute order as strongSwan sends it (RFC 2409 App. A numbers).
    t.attrs.push_back(Attribute::make(u16(P1Attr::kEncryption), kP1EncAesCbc));
    t.attrs.push_back(Attribute::make(u16(P1Attr::kKeyLength), s.key_bits));
    t.attrs.push_back(Attribute::make(u16(P1Attr::kHash), static_cast<std::uint16_t>(s.hash)));
    t.attrs.push_back(Attribute::make(u16(P1Attr::kGroupDesc), s.group));
    t.attrs.push_back(Attribute::make(u16(P1Attr::kAuthMethod), kAuthPsk));
    t.attrs.push_back(Attribute::make(u16(P1Attr::kLifeType), kLifeSeconds));
    t.attrs.push_back(Attribute::make(u16(P1Attr::kLifeDuration), cfg.ike_lifetime_s));
    p.transforms.push_back(std::move(t));
  }
  sa.proposals.push_back(std::move(p));
  return sa;
}

std::optional<Phase1Choice> select_phase1(const SaPayload& offer, const PeerConfig& cfg, std::string& why) {
  std::optional<Phase1Choice> best;
  why = "no transform matches the configured phase 1 suites";
  const auto ours = usable_ike_suites(cfg);
  for (const auto& p : offer.proposals) {
    if (p.protocol != ProtocolId::kIsakmp) continue;
    for (const auto& t : p.transforms) {
      std::string w;
      auto parsed = parse_p1(t, dh_options(cfg), w);
      if (!parsed) continue;
      if (std::find(ours.begin(), ours.end(), parsed->first) == ours.end()) continue;
      if (best && key1(best->suite) <= key1(parsed->first)) continue;
      Phase1Choice c;
      c.suite = parsed->first;
      std::uint32_t life = parsed->second ? parsed->second : cfg.ike_lifetime_s;
      c.lifetime_s = std::min(life, cfg.ike_lifetime_s);
      c.offered_lifetime_s = parsed->second;
      c.reply.doi = offer.doi;
      c.reply.situation = offer.situation;
      Proposal rp;
      rp.number = p.number;
      rp.protocol = p.protocol;
      rp.spi = p.spi;
      rp.transforms.push_back(t);  // echo the chosen transform unchanged (RFC 2408 §4.2)
      c.reply.proposals = {rp};
      best = std::move(c);
    }
  }
  return best;
}

std::optional<Phase1Choice> accept_phase1(const SaPayload& reply, const PeerConfig& cfg, std::string& why) {
  if (reply.proposals.size() != 1 || reply.proposals[0].transforms.size() != 1) {
    why = "responder SA must hold exactly one proposal with one transform";
    return std::nullopt;
  }
  auto parsed = parse_p1(reply.proposals[0].transforms[0], dh_options(cfg), why);
  if (!parsed) return std::nullopt;
  const auto ours = usable_ike_suites(cfg);
  if (std::find(ours.begin(), ours.end(), parsed->first) == ours.end()) {
    why = "responder chose a suite we did not offer";
    return std::nullopt;
  }
  Phase1Choice c;
  c.suite = parsed->first;
  c.lifetime_s = parsed->second ? std::min(parsed->second, cfg.ike_lifetime_s) : cfg.ike_lifetime_s;
  return c;
}

SaPayload build_esp_sa(const PeerConfig& cfg, std::uint32_t spi, EncapMode mode) {
  SaPayload sa;
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::kEsp;
  p.spi = u32_bytes(spi);
  std::uint8_t n = 1;
  for (const auto& s : usable_esp_suites(cfg)) {
    Transform t;
    t.number = n++;
    t.id = s.transform;
    t.attrs.push_back(Attribute::make(u16(P2Attr::kKeyLength), s.key_bits));
    if (s.auth != EspAuth::kNone) t.attrs.push_back(Attribute::make(u16(P2Attr::kAuthAlg), static_cast<std::uint16_t>(s.auth)));
    if (s.pfs_group) t.attrs.push_back(Attribute::make(u16(P2Attr::kGroupDesc), s.pfs_group));
    t.attrs.push_back(Attribute::make(u16(P2Attr::kEncapMode), static_cast<std::uint16_t>(mode)));
    t.attrs.push_back(Attribute::make(u16(P2Attr::kLifeType), kLifeSeconds));
    t.attrs.push_back(Attribute::make(u16(P2Attr::kLifeDuration), cfg.esp_lifetime_s));
    p.transforms.push_back(std::move(t));
  }
  sa.proposals.push_back(std::move(p));
  return sa;
}

std::optional<Phase2Choice> select_esp(const SaPayload& offer, const PeerConfig& cfg, bool nat, std::string& why) {
  std::optional<Phase2Choice> best;
  why = "no ESP transform matches the configured phase 2 suites";
  const auto ours = usable_esp_suites(cfg);
  for (const auto& p : offer.proposals) {
    if (p.protocol != ProtocolId::kEsp || p.spi.size() != 4) continue;
    for (const auto& t : p.transforms) {
      std::string w;
      auto parsed = parse_p2(t, w);
      if (!parsed) continue;
      if (!mode_ok(parsed->mode, nat)) {
        why = "encapsulation mode " + std::to_string(static_cast<int>(parsed->mode)) + " does not fit the NAT state";
        continue;
      }
      if (std::find(ours.begin(), ours.end(), parsed->suite) == ours.end()) continue;
      if (best && key2(best->suite) <= key2(parsed->suite)) continue;
      Phase2Choice c;
      c.suite = parsed->suite;
      std::uint32_t life = parsed->life ? parsed->life : cfg.esp_lifetime_s;
      c.lifetime_s = std::min(life, cfg.esp_lifetime_s);
      c.offered_lifetime_s = parsed->life;
      c.mode = parsed->mode;
      c.peer_spi = p.spi;
      c.reply.doi = offer.doi;
      c.reply.situation = offer.situation;
      Proposal rp;
      rp.number = p.number;
      rp.protocol = p.protocol;
      rp.transforms.push_back(t);
      c.reply.proposals = {rp};
      best = std::move(c);
    }
  }
  return best;
}

std::optional<Phase2Choice> accept_esp(const SaPayload& reply, const PeerConfig& cfg, std::string& why) {
  if (reply.proposals.size() != 1 || reply.proposals[0].transforms.size() != 1 ||
      reply.proposals[0].protocol != ProtocolId::kEsp || reply.proposals[0].spi.size() != 4) {
    why = "responder ESP SA must hold one ESP proposal with one transform and a 4-byte SPI";
    return std::nullopt;
  }
  auto parsed = parse_p2(reply.proposals[0].transforms[0], why);
  if (!parsed) return std::nullopt;
  const auto ours = usable_esp_suites(cfg);
  if (std::find(ours.begin(), ours.end(), parsed->suite) == ours.end()) {
    why = "responder chose an ESP suite we did not offer";
    return std::nullopt;
  }
  Phase2Choice c;
  c.suite = parsed->suite;
  c.lifetime_s = parsed->life ? std::min(parsed->life, cfg.esp_lifetime_s) : cfg.esp_lifetime_s;
  c.mode = parsed->mode;
  c.peer_spi = reply.proposals[0].spi;
  return c;
}

std::size_t esp_enc_key_len(const EspSuite& s) {
  return s.key_bits / 8 + (is_gcm(s.transform) ? 4 : 0);
}

std::size_t esp_integ_key_len(EspAuth a) {
  switch (a) {
    case EspAuth::kHmacSha1: return 20;
    case EspAuth::kHmacSha256: return 32;
    case EspAuth::kHmacSha384: return 48;
    case EspAuth::kHmacSha512: return 64;
    case EspAuth::kNone: return 0;
  }
  return 0;
}

std::uint16_t esp_icv_bits(const EspSuite& s) {
  if (s.transform == kEspAesGcm8) return 64;
  if (s.transform == kEspAesGcm12) return 96;
  if (s.transform == kEspAesGcm16) return 128;
  switch (s.auth) {
    case EspAuth::kHmacSha1: return 96;
    case EspAuth::kHmacSha256: return 128;
    case EspAuth::kHmacSha384: return 192;
    case EspAuth::kHmacSha512: return 256;
    case EspAuth::kNone: return 0;
  }
  return 0;
}

}  // namespace xgw::ike
