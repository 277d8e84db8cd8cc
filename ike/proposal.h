#pragma once
// Building our SA payloads from the configured suites and selecting from a peer's offer.
//
// AWS's rule: AWS evaluates a customer gateway's proposals "starting with the lowest configured
// value", whatever order they are sent in. We apply the same rule on our side so both ends land
// on the same suite whoever initiates (stable rekeys, no flapping between suites):
//  - as initiator we offer our suites sorted from the lowest value to the highest (the order is
//    informative only; AWS ignores it);
//  - as responder we take, among the offered transforms that match one of our configured suites,
//    the one with the lowest values, compared as (key length, hash/integrity, DH group) for
//    phase 1 and (cipher, key length, integrity, PFS group) for phase 2 — not the peer's first.
// A transform with any attribute we do not understand is skipped, not the whole SA.
// Suites whose DH group the engine may not use (RFC 5114 groups 22-24 without
// PeerConfig::allow_rfc5114_groups) are left out of both what we offer and what we accept.
#include <optional>
#include <string>

#include "ike/codec/payloads.h"
#include "ike/config.h"
#include "ike/crypto/dh.h"

namespace xgw::ike {

struct Phase1Choice {
  IkeSuite suite;
  std::uint32_t lifetime_s = 0;
  std::uint32_t offered_lifetime_s = 0;  // responder: what the initiator proposed (0 = not given)
  codec::SaPayload reply;  // responder: the SA payload echoing the chosen transform
};

struct Phase2Choice {
  EspSuite suite;
  std::uint32_t lifetime_s = 0;
  std::uint32_t offered_lifetime_s = 0;  // what the initiator proposed (0 = not given)
  EncapMode mode = EncapMode::kTunnel;
  Bytes peer_spi;
  codec::SaPayload reply;  // responder's SA (our SPI is filled by the caller)
};

std::vector<IkeSuite> sorted_lowest_first(std::vector<IkeSuite> s);
std::vector<EspSuite> sorted_lowest_first(std::vector<EspSuite> s);

crypto::DhOptions dh_options(const PeerConfig& cfg);
// The configured suites we may use, lowest first (see above); empty = nothing to negotiate.
std::vector<IkeSuite> usable_ike_suites(const PeerConfig& cfg);
std::vector<EspSuite> usable_esp_suites(const PeerConfig& cfg);

codec::SaPayload build_phase1_sa(const PeerConfig& cfg);
// Selects from an offer (responder). nullopt = NO-PROPOSAL-CHOSEN; `why` says what was wrong.
std::optional<Phase1Choice> select_phase1(const codec::SaPayload& offer, const PeerConfig& cfg, std::string& why);
// Parses the responder's answer (initiator): it must be exactly one transform we offered.
std::optional<Phase1Choice> accept_phase1(const codec::SaPayload& reply, const PeerConfig& cfg, std::string& why);

codec::SaPayload build_esp_sa(const PeerConfig& cfg, std::uint32_t spi, EncapMode mode);
std::optional<Phase2Choice> select_esp(const codec::SaPayload& offer, const PeerConfig& cfg, bool nat, std::string& why);
std::optional<Phase2Choice> accept_esp(const codec::SaPayload& reply, const PeerConfig& cfg, std::string& why);

// ESP key material sizes (RFC 3602, RFC 4868, RFC 4106 §8.1: GCM key + 4-byte salt).
std::size_t esp_enc_key_len(const EspSuite& s);
std::size_t esp_integ_key_len(EspAuth a);
std::uint16_t esp_icv_bits(const EspSuite& s);

}  // namespace xgw::ike
