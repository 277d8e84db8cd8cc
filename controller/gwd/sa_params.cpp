#include "controller/gwd/sa_params.h"

#include <arpa/inet.h>

#include <bit>
#include <cstdio>
#include <stdexcept>

namespace xgw::gwd {

kernel::Addr4 to_addr4(std::uint32_t host_order) { return kernel::Addr4{htonl(host_order)}; }

datapath::Ipv4 dp_ip(std::uint32_t host_order) { return datapath::Ipv4{htonl(host_order)}; }

kernel::Prefix4 to_prefix4(const ike::Subnet& s) {
  return kernel::Prefix4{to_addr4(s.addr), static_cast<std::uint8_t>(std::popcount(s.mask))};
}

namespace {

const char* hmac_name(ike::EspAuth a) {
  switch (a) {
    case ike::EspAuth::kHmacSha1: return "hmac(sha1)";
    case ike::EspAuth::kHmacSha256: return "hmac(sha256)";
    case ike::EspAuth::kHmacSha384: return "hmac(sha384)";
    case ike::EspAuth::kHmacSha512: return "hmac(sha512)";
    case ike::EspAuth::kNone: break;
  }
  throw std::invalid_argument("ESP SA without an integrity algorithm");
}

}  // namespace

kernel::SaParams to_sa_params(const ike::EspSa& sa, std::uint32_t if_id) {
  kernel::SaParams p;
  p.src = to_addr4(sa.src);
  p.dst = to_addr4(sa.dst);
  p.spi = sa.spi;
  p.reqid = if_id;
  p.selector.src = to_prefix4(sa.src_ts);
  p.selector.dst = to_prefix4(sa.dst_ts);
  if (sa.transform == ike::kEspAesCbc) {
    p.crypt = kernel::CryptAlg{"cbc(aes)", sa.enc_key};
    // RFC 4868 / RFC 2404 truncation, as negotiated; XFRMA_ALG_AUTH_TRUNC carries it.
    p.auth = kernel::AuthAlg{hmac_name(sa.integ), sa.integ_key, sa.icv_bits};
  } else {
    // RFC 4106: the key is the AES key followed by the 4-byte salt.
    p.aead = kernel::AeadAlg{"rfc4106(gcm(aes))", sa.enc_key, sa.icv_bits};
  }
  if (sa.mode == ike::EspMode::kUdpEncapTunnel) p.encap = kernel::NatTEncap{sa.encap_sport, sa.encap_dport};
  p.replay_window = sa.replay_window;
  p.lifetime.soft_add_seconds = sa.soft_lifetime_s;
  p.lifetime.hard_add_seconds = sa.hard_lifetime_s;
  p.if_id = if_id;
  return p;
}

std::vector<SaKey> sa_keys(const ike::DeleteSaPair& d) {
  std::vector<SaKey> keys;
  if (d.outbound_spi) keys.push_back({to_addr4(d.dst), d.outbound_spi, "outbound"});
  if (d.inbound_spi) keys.push_back({to_addr4(d.src), d.inbound_spi, "inbound"});
  return keys;
}

std::string hex32(std::uint32_t v) {
  char b[11];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

}  // namespace xgw::gwd
