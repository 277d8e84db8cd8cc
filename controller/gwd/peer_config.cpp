#include "controller/gwd/peer_config.h"

#include <stdexcept>

namespace xgw::gwd {
namespace {

std::uint16_t key_bits(const std::string& enc) { return enc.rfind("aes256", 0) == 0 ? 256 : 128; }

ike::HashAlg hash_of(const std::string& integ) {
  if (integ == "sha2-256") return ike::HashAlg::kSha256;
  if (integ == "sha2-384") return ike::HashAlg::kSha384;
  if (integ == "sha2-512") return ike::HashAlg::kSha512;
  return ike::HashAlg::kSha1;
}

ike::EspAuth esp_auth_of(const std::string& integ) {
  if (integ == "sha2-256") return ike::EspAuth::kHmacSha256;
  if (integ == "sha2-384") return ike::EspAuth::kHmacSha384;
  if (integ == "sha2-512") return ike::EspAuth::kHmacSha512;
  return ike::EspAuth::kHmacSha1;
}

ike::Subnet subnet_of(const config::Cidr& c) {
  std::uint32_t mask = c.len == 0 ? 0 : ~std::uint32_t{0} << (32 - c.len);
  return ike::Subnet{c.addr, mask};
}

}  // namespace

ike::PeerConfig to_peer_config(const config::Gateway& gw, const config::Connection& conn, const config::Tunnel& t) {
  ike::PeerConfig p;
  p.name = t.name;
  p.local_ip = gw.local_address;
  p.remote_ip = t.peer_address;
  p.local_id = gw.identity();
  p.psk.assign(t.psk.begin(), t.psk.end());
  const config::Algorithms& a = t.algorithms;
  p.ike_suites.clear();
  for (const auto& enc : a.ike_encryption)
    for (const auto& integ : a.ike_integrity)
      for (int g : a.ike_dh_groups)
        p.ike_suites.push_back(ike::IkeSuite{key_bits(enc), hash_of(integ), static_cast<std::uint16_t>(g)});
  p.esp_suites.clear();
  for (const auto& enc : a.esp_encryption) {
    bool gcm = enc.find("gcm") != std::string::npos;
    for (int g : a.esp_pfs_groups) {
      if (gcm) {
        // RFC 4106: GCM has no separate integrity algorithm.
        p.esp_suites.push_back(ike::EspSuite{ike::kEspAesGcm16, key_bits(enc), ike::EspAuth::kNone,
                                             static_cast<std::uint16_t>(g)});
        continue;
      }
      for (const auto& integ : a.esp_integrity)
        p.esp_suites.push_back(
            ike::EspSuite{ike::kEspAesCbc, key_bits(enc), esp_auth_of(integ), static_cast<std::uint16_t>(g)});
    }
  }
  p.allow_rfc5114_groups = a.allow_rfc5114_groups;  // the engine refuses 22-24 without it
  p.ike_lifetime_s = t.ike_lifetime;
  p.esp_lifetime_s = t.esp_lifetime;
  p.rekey_margin_s = t.rekey_margin;
  p.rekey_fuzz_pct = t.rekey_fuzz;
  p.local_ts = subnet_of(conn.local_selector);
  p.remote_ts = subnet_of(conn.remote_selector);
  p.dpd_delay_s = t.dpd_interval;
  p.dpd_retries = t.dpd_retries;
  p.replay_window = t.replay_window;
  // AWS never initiates IKEv1: keep retrying, with retransmissions and restarts capped at
  // 2 s while the peer does not answer.
  p.retransmit.initial_ms = 500;
  p.retransmit.backoff = 2.0;
  p.retransmit.max_interval_ms = 2000;
  p.retransmit.tries = 4;
  p.retransmit.restart_delay_ms = 1000;
  return p;
}

}  // namespace xgw::gwd
