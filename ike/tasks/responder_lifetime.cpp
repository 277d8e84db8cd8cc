// RESPONDER-LIFETIME (RFC 2407 §4.6.3.1): a responder whose configured lifetime is shorter
// than the one proposed tells the initiator, which then uses the shorter one, so both ends
// rekey on the same schedule. Notification data: an attribute list with the lifetime.
//  - Phase 2 (protocol ESP): in QM2, SPI = the responder's ESP SPI, IPsec DOI attributes
//    SA Life Type (1) / SA Life Duration (2) (RFC 2407 §4.5). See quick_mode.cpp.
//  - Phase 1 (protocol ISAKMP): the ISAKMP SA's lifetime cannot ride in MM6 (already fixed by
//    HASH_R), so it goes in an Informational right after Main Mode, SPI = CKY-I | CKY-R
//    (RFC 2408 §3.14) and phase 1 attributes Life Type (11) / Life Duration (12)
//    (RFC 2409 App. A).
#include <algorithm>

#include "ike/engine_core.h"

namespace xgw::ike {
namespace {

struct LifeAttrs {
  std::uint16_t type, duration;
};
LifeAttrs life_attrs(std::uint8_t protocol) {
  if (protocol == static_cast<std::uint8_t>(ProtocolId::kIsakmp))
    return {static_cast<std::uint16_t>(P1Attr::kLifeType), static_cast<std::uint16_t>(P1Attr::kLifeDuration)};
  return {static_cast<std::uint16_t>(P2Attr::kLifeType), static_cast<std::uint16_t>(P2Attr::kLifeDuration)};
}

}  // namespace

codec::RawPayload Engine::Core::responder_lifetime(ProtocolId proto, Bytes spi, std::uint32_t seconds) {
  codec::NotifyPayload n;
  n.protocol = static_cast<std::uint8_t>(proto);
  n.type = static_cast<std::uint16_t>(NotifyType::kResponderLifetime);
  n.spi = std::move(spi);
  LifeAttrs a = life_attrs(n.protocol);
  n.data = codec::encode_attributes({codec::Attribute::make(a.type, kLifeSeconds), codec::Attribute::make(a.duration, seconds)});
  return {PayloadType::kNotify, codec::encode_notify(n)};
}

std::optional<std::uint32_t> Engine::Core::responder_lifetime_seconds(const codec::NotifyPayload& n) {
  if (n.type != static_cast<std::uint16_t>(NotifyType::kResponderLifetime)) return std::nullopt;
  auto attrs = codec::decode_attributes(n.data);
  if (!attrs) return std::nullopt;
  LifeAttrs la = life_attrs(n.protocol);
  std::optional<std::uint32_t> best;
  bool seconds = true;  // a duration applies to the life type before it (RFC 2407 §4.5)
  for (const auto& a : *attrs) {
    auto v = a.as_int();
    if (!v) continue;
    if (a.type == la.type) seconds = *v == kLifeSeconds;
    if (a.type == la.duration && seconds && *v > 0 && *v <= 0xffffffffu)
      best = std::min(best.value_or(0xffffffffu), static_cast<std::uint32_t>(*v));
  }
  return best;
}

// Responder, right after MM6: our phase 1 lifetime is shorter than the initiator proposed.
void Engine::Core::p1_send_responder_lifetime(Peer& p, IkeSa& sa) {
  if (sa.initiator || sa.choice.offered_lifetime_s <= sa.choice.lifetime_s) return;
  // Kept so that a retransmitted MM5 (our MM6 was lost, and with it the initiator could not
  // read this yet) is answered with MM6 and this notify again, under the same message ID.
  sa.lifetime_notice = info_send(p, sa, responder_lifetime(ProtocolId::kIsakmp, concat({sa.cky_i, sa.cky_r}),
                                                           sa.choice.lifetime_s));
}

// Initiator: a shorter lifetime from the responder re-arms the rekey (re-authentication) and
// expiry timers of the ISAKMP SA, counted from its establishment.
void Engine::Core::p1_shorten_lifetime(Peer& p, IkeSa& sa, std::uint32_t seconds) {
  if (!sa.initiator || !sa.established() || seconds == 0 || seconds >= sa.choice.lifetime_s) return;
  sa.choice.lifetime_s = seconds;
  auto from_now = [&](Millis at) { return at > now ? at - now : 0; };
  if (!sa.rekeyed) {
    cancel(sa.rekey_timer);
    sa.rekey_at = sa.established_at + fuzzed_rekey_delay(p.cfg, seconds);
    sa.rekey_timer = arm(from_now(sa.rekey_at), TimerRef{p.id, TimerKind::kIkeRekey, sa.serial});
  }
  cancel(sa.expire_timer);
  sa.expire_timer = arm(from_now(sa.established_at + Millis{seconds} * 1000), TimerRef{p.id, TimerKind::kIkeExpire, sa.serial});
}

}  // namespace xgw::ike
