// Informational exchanges under an ISAKMP SA (RFC 2408 §4.8, RFC 2409 §5.7):
//   HDR*, HASH(1), N/D      with HASH(1) = prf(SKEYID_a, M-ID | N/D)
// Each one is a single message with a fresh message ID and its own phase 2 IV. Carries Delete
// (ISAKMP and ESP SAs), error notifies, and DPD R-U-THERE / R-U-THERE-ACK (RFC 3706 §5) with
// CKY-I | CKY-R as SPI and a 32-bit sequence number as data.
#include <openssl/crypto.h>

#include <algorithm>

#include "ike/crypto/hash.h"
#include "ike/engine_core.h"

namespace xgw::ike {

Bytes Engine::Core::info_send(Peer& p, IkeSa& sa, codec::RawPayload payload) {
  std::uint32_t mid;
  do {
    mid = rng.u32();
  } while (mid == 0 || sa.qms.count(mid) || sa.seen_info.count(mid));
  HashAlg hash = sa.choice.suite.hash;
  Bytes iv = crypto::phase2_iv(hash, sa.last_p1_block, mid);
  std::vector<codec::RawPayload> pl{std::move(payload)};
  Bytes h = crypto::info_hash(hash, sa.keys.skeyid_a, mid, codec::encode_chain(pl));
  pl.insert(pl.begin(), {PayloadType::kHash, h});
  Bytes msg = encrypt(sa, Exchange::kInformational, mid, iv, pl);
  send(p, sa, msg);
  return msg;
}

void Engine::Core::send_delete_isakmp(Peer& p, IkeSa& sa) {
  codec::DeletePayload d;
  d.protocol = static_cast<std::uint8_t>(ProtocolId::kIsakmp);
  d.spi_size = 16;  // CKY-I | CKY-R (RFC 2408 §3.15)
  d.spis.push_back(concat({sa.cky_i, sa.cky_r}));
  info_send(p, sa, {PayloadType::kDelete, codec::encode_delete(d)});
}

void Engine::Core::send_delete_esp(Peer& p, const ChildSa& c) {
  IkeSa* sa = newest_established(p);
  if (!sa) return;
  codec::DeletePayload d;
  d.protocol = static_cast<std::uint8_t>(ProtocolId::kEsp);
  d.spi_size = 4;
  d.spis.push_back(u32_bytes(c.in.spi));  // the SPI we receive on, as strongSwan does
  info_send(p, *sa, {PayloadType::kDelete, codec::encode_delete(d)});
}

void Engine::Core::remember_message_id(IkeSa& sa, std::uint32_t mid) {
  // Bound the replay cache: the oldest entries go once the table grows.
  if (sa.seen_info.size() > 256) {
    auto oldest = std::min_element(sa.seen_info.begin(), sa.seen_info.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
    sa.seen_info.erase(oldest);
  }
  sa.seen_info[mid] = now;
}

void Engine::Core::info_on_message(Peer& p, IkeSa& sa, const codec::Header& h, Endpoint local, Endpoint remote,
                                   ByteView data) {
  if (!(h.flags & kFlagEncryption) || h.message_id == 0) return;
  if (sa.seen_info.count(h.message_id)) return;  // duplicate: processed once, never answered twice
  HashAlg hash = sa.choice.suite.hash;
  Bytes iv = crypto::phase2_iv(hash, sa.last_p1_block, h.message_id);
  std::vector<codec::RawPayload> pl;
  Bytes rest;
  std::string why;
  if (!decrypt(sa, data, iv, pl, rest, why)) return;
  Bytes expect = crypto::info_hash(hash, sa.keys.skeyid_a, h.message_id, rest);
  if (pl.front().type != PayloadType::kHash || pl.front().body.size() != expect.size() ||
      CRYPTO_memcmp(pl.front().body.data(), expect.data(), expect.size()) != 0)
    return;  // unauthenticated informationals are ignored
  remember_message_id(sa, h.message_id);
  authenticated_from(p, sa, local, remote);
  std::uint64_t sa_serial = sa.serial;
  for (std::size_t i = 1; i < pl.size(); ++i) {
    const auto& x = pl[i];
    if (x.type == PayloadType::kNotify) {
      auto n = codec::decode_notify(x.body);
      if (!n) continue;
      auto type = static_cast<NotifyType>(n->type);
      if (type == NotifyType::kRUThere) {
        IkeSa* cur = find_sa(p, sa_serial);
        if (!cur) return;
        codec::NotifyPayload ack = *n;
        ack.type = static_cast<std::uint16_t>(NotifyType::kRUThereAck);
        info_send(p, *cur, {PayloadType::kNotify, codec::encode_notify(ack)});
      } else if (type == NotifyType::kRUThereAck) {
        if (n->data.size() == 4 && get_u32(n->data.data()) == p.dpd_pending) p.dpd_outstanding = 0;
      } else if (type == NotifyType::kResponderLifetime && n->protocol == static_cast<std::uint8_t>(ProtocolId::kIsakmp)) {
        // Phase 1 RESPONDER-LIFETIME (RFC 2407 §4.6.3.1) for the ISAKMP SA named by the SPI
        // (CKY-I | CKY-R), or this one when the SPI is empty.
        IkeSa* target = n->spi.empty() ? find_sa(p, sa_serial) : find_sa_by_cookies(p, n->spi);
        auto secs = responder_lifetime_seconds(*n);
        if (target && secs) p1_shorten_lifetime(p, *target, *secs);
      } else if (n->type < 16384) {
        // An error notify about one of our Quick Modes (e.g. NO-PROPOSAL-CHOSEN).
        IkeSa* cur = find_sa(p, sa_serial);
        if (!cur) return;
        Reason r = type == NotifyType::kNoProposalChosen       ? Reason::kNotifyNoProposalChosen
                   : type == NotifyType::kInvalidIdInformation ? Reason::kNotifyInvalidIdInformation
                   : type == NotifyType::kPayloadMalformed     ? Reason::kNotifyPayloadMalformed
                                                                : Reason::kNotifyOther;
        for (auto it = cur->qms.begin(); it != cur->qms.end();) {
          if (it->second.initiator && it->second.state == QuickMode::State::kSentQM1) {
            cancel(it->second.retx.timer);
            std::uint64_t rekey_of = it->second.rekey_of;
            it = cur->qms.erase(it);
            if (rekey_of) rekey_failed(p, rekey_of);
          } else {
            ++it;
          }
        }
        emit(Event{EventType::kFailure, p.id, r, "peer notify " + std::to_string(n->type)});
      }
      continue;
    }
    if (x.type != PayloadType::kDelete) continue;
    auto d = codec::decode_delete(x.body);
    if (!d) continue;
    if (d->protocol == static_cast<std::uint8_t>(ProtocolId::kIsakmp)) {
      for (const auto& spi : d->spis) {
        IkeSa* s = find_sa_by_cookies(p, spi);
        if (!s) continue;
        remove_sa(p, s->serial);
        // Child SAs survive their ISAKMP SA in IKEv1; only report phase 1 down when no
        // other ISAKMP SA with the peer is left.
        emit(Event{EventType::kPeerDelete, p.id, Reason::kPeerDelete, "ISAKMP SA"});
        if (!newest_established(p)) {
          event(p.id, EventType::kPhase1Down, Reason::kPeerDelete);
          cancel(p.dpd_timer);
          schedule_restart(p);
        }
      }
      if (!find_sa(p, sa_serial)) return;
    } else if (d->protocol == static_cast<std::uint8_t>(ProtocolId::kEsp)) {
      for (const auto& spi : d->spis) {
        if (spi.size() != 4) continue;
        std::uint32_t v = get_u32(spi.data());
        for (auto& c : p.children) {
          if (c.out.spi != v) continue;  // the peer deletes the SPI it receives on
          bool active = c.outbound_active;
          std::uint32_t in = c.in.spi, o = c.out.spi;
          child_remove(p, c.serial, false, true);
          event(p.id, EventType::kPeerDelete, Reason::kPeerDelete, "ESP SA", in, o);
          if (active && !active_child(p)) event(p.id, EventType::kPhase2Down, Reason::kPeerDelete, {}, in, o);
          // The peer deleted the last pair but kept the ISAKMP SA: as the side that keeps the
          // tunnel up (AWS never initiates IKEv1), negotiate a new one.
          if (p.children.empty()) schedule_restart(p);
          break;
        }
      }
    }
  }
}

void Engine::Core::dpd_tick(Peer& p) {
  IkeSa* sa = newest_established(p);
  if (!sa || !p.cfg.dpd_delay_s) return;
  Millis delay = p.dpd_urgent ? p.cfg.dpd_urgent_interval_ms : Millis{p.cfg.dpd_delay_s} * 1000;
  // R-U-THERE only when the peer has been idle for the whole delay (RFC 3706 §5.3), unless
  // the controller already knows the tunnel stopped carrying traffic.
  if (!p.dpd_urgent && p.dpd_outstanding == 0 && now < p.last_heard + delay) {
    p.dpd_timer = arm(p.last_heard + delay - now, TimerRef{p.id, TimerKind::kDpd});
    return;
  }
  if (p.dpd_outstanding >= static_cast<int>(p.cfg.dpd_retries)) {
    peer_dead(p, Reason::kDpdDead, std::to_string(p.dpd_outstanding) + " R-U-THERE unanswered");
    return;
  }
  if (p.dpd_seq == 0) p.dpd_seq = rng.u32() & 0x7fffffff;  // random start (RFC 3706 §7)
  p.dpd_pending = ++p.dpd_seq;
  ++p.dpd_outstanding;
  codec::NotifyPayload n;
  n.protocol = static_cast<std::uint8_t>(ProtocolId::kIsakmp);
  n.type = static_cast<std::uint16_t>(NotifyType::kRUThere);
  n.spi = concat({sa->cky_i, sa->cky_r});
  n.data = u32_bytes(p.dpd_pending);
  info_send(p, *sa, {PayloadType::kNotify, codec::encode_notify(n)});
  p.dpd_timer = arm(delay, TimerRef{p.id, TimerKind::kDpd});
}

void Engine::Core::peer_dead(Peer& p, Reason r, std::string detail) {
  emit(Event{EventType::kDpdDead, p.id, r, detail});
  unanswered(p);
  while (!p.children.empty()) {
    ChildSa& c = p.children.front();
    bool active = c.outbound_active;
    std::uint32_t in = c.in.spi, o = c.out.spi;
    child_remove(p, c.serial, false, false);
    if (active) event(p.id, EventType::kPhase2Down, r, {}, in, o);
  }
  std::vector<std::uint64_t> serials;
  for (auto& s : p.sas) serials.push_back(s->serial);
  for (auto s : serials) remove_sa(p, s);
  event(p.id, EventType::kPhase1Down, r, std::move(detail));
  p.dpd_outstanding = 0;
  p.dpd_urgent = false;
  cancel(p.keepalive_timer);
  // DPD action "restart" (what AWS recommends for a customer gateway).
  schedule_restart(p);
}

}  // namespace xgw::ike
