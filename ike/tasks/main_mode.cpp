// Main Mode with pre-shared keys (RFC 2409 §5, §5.4 figure for PSK), initiator and responder:
//
//      Initiator                          Responder
//     -----------                        -----------
//  MM1 HDR, SA, VID(DPD), VID(NAT-T)  -->
//                                     <--  HDR, SA, VID(DPD), VID(NAT-T)          MM2
//  MM3 HDR, KE, Ni, NAT-D, NAT-D      -->
//                                     <--  HDR, KE, Nr, NAT-D, NAT-D              MM4
//  (both float to UDP 4500 here if NAT-D showed a NAT, RFC 3947 §4)
//  MM5 HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)] -->
//                                     <--  HDR*, IDir, HASH_R                      MM6
#include <utility>
#include <openssl/crypto.h>

#include <algorithm>

#include "ike/crypto/hash.h"
#include "ike/engine_core.h"

namespace xgw::ike {
namespace {

constexpr std::size_t kNonceLen = 32;

bool has_vid(const std::vector<codec::RawPayload>& pl, const std::uint8_t* vid, std::size_t n) {
  return std::any_of(pl.begin(), pl.end(), [&](const auto& p) {
    return p.type == PayloadType::kVendorId && p.body.size() == n && std::equal(p.body.begin(), p.body.end(), vid);
  });
}

const codec::RawPayload* find(const std::vector<codec::RawPayload>& pl, PayloadType t) {
  for (const auto& p : pl)
    if (p.type == t) return &p;
  return nullptr;
}

Bytes vid(const std::uint8_t (&v)[16]) { return Bytes(v, v + 16); }

Reason notify_reason(std::uint16_t type) {
  switch (static_cast<NotifyType>(type)) {
    case NotifyType::kNoProposalChosen: return Reason::kNotifyNoProposalChosen;
    case NotifyType::kAuthenticationFailed: return Reason::kNotifyAuthenticationFailed;
    case NotifyType::kPayloadMalformed: return Reason::kNotifyPayloadMalformed;
    case NotifyType::kInvalidIdInformation: return Reason::kNotifyInvalidIdInformation;
    default: return Reason::kNotifyOther;
  }
}

Bytes id_v4(std::uint32_t ip) { return codec::encode_id({kIdIpv4Addr, 0, 0, u32_bytes(ip)}); }

}  // namespace

void Engine::Core::mm_start(Peer& p, std::uint64_t replaces) {
  if (usable_ike_suites(p.cfg).empty()) {
    // A configuration error, not a peer problem: nothing to offer, so no retries either.
    emit(Event{EventType::kFailure, p.id, Reason::kProposalMismatchMM1,
               "no usable phase 1 suite configured (DH groups 22-24 need allow_rfc5114_groups)"});
    return;
  }
  auto sa = std::make_unique<IkeSa>();
  sa->serial = next_serial++;
  sa->cky_i = new_cookie();
  sa->initiator = true;
  sa->state = IkeSa::State::kI1;
  sa->local = {p.cfg.local_ip, kIkePort};
  sa->remote = {p.cfg.remote_ip, kIkePort};
  sa->replaces = replaces;
  sa->sai_b = codec::encode_sa(build_phase1_sa(p.cfg));
  std::vector<codec::RawPayload> pl{{PayloadType::kSa, sa->sai_b}, {PayloadType::kVendorId, vid(kVidDpd)}};
  if (p.cfg.nat_t) pl.push_back({PayloadType::kVendorId, vid(kVidNatT)});
  codec::Header h;
  h.cky_i = sa->cky_i;
  h.exchange = Exchange::kIdentityProtection;
  sa->retx.last_out = codec::encode_plain(h, pl);
  send(p, *sa, sa->retx.last_out);
  start_retx(p, sa->retx, TimerKind::kRetxMM, sa->serial, 0);
  p.sas.push_back(std::move(sa));
}

void Engine::Core::mm_respond_mm1(Peer& p, const codec::Header& h, Endpoint local, Endpoint remote, ByteView data) {
  // Abuse limits: cap half-open responder exchanges in total and per source.
  std::size_t mine = 0;
  for (const auto& s : p.sas)
    if (!s->initiator && !s->established()) ++mine;
  if (half_open_total() >= limits.max_half_open || mine >= limits.max_half_open_per_peer) {
    emit(Event{EventType::kFailure, p.id, Reason::kHalfOpenLimit, "MM1 dropped"});
    return;
  }
  auto msg = codec::decode_plain(data);
  if (!msg || msg->payloads.empty() || msg->payloads[0].type != PayloadType::kSa) return;
  auto offer = codec::decode_sa(msg->payloads[0].body);
  if (!offer) return;
  std::string why;
  auto choice = select_phase1(*offer, p.cfg, why);
  if (!choice) {
    // One unprotected notify (RFC 2408 §5.4); no state is kept.
    codec::Header nh = h;
    nh.exchange = Exchange::kInformational;
    nh.flags = 0;
    codec::NotifyPayload n;
    n.protocol = static_cast<std::uint8_t>(ProtocolId::kIsakmp);
    n.type = static_cast<std::uint16_t>(NotifyType::kNoProposalChosen);
    n.spi = concat({h.cky_i, h.cky_r});
    SendDatagram d{p.id, local, remote, false, codec::encode_plain(nh, {{PayloadType::kNotify, codec::encode_notify(n)}})};
    out.emplace_back(std::move(d));
    emit(Event{EventType::kFailure, p.id, Reason::kProposalMismatchMM1, why});
    return;
  }
  auto sa = std::make_unique<IkeSa>();
  sa->serial = next_serial++;
  sa->cky_i = h.cky_i;
  sa->cky_r = new_cookie();
  sa->initiator = false;
  sa->state = IkeSa::State::kR2;
  sa->local = local;
  sa->remote = remote;
  sa->peer_dpd = has_vid(msg->payloads, kVidDpd, 16);
  sa->peer_natt = p.cfg.nat_t && (has_vid(msg->payloads, kVidNatT, 16) || has_vid(msg->payloads, kVidNatTDraft02, 16));
  sa->sai_b = msg->payloads[0].body;  // HASH_I/HASH_R cover the initiator's SA body as sent
  sa->choice = std::move(*choice);
  std::vector<codec::RawPayload> pl{{PayloadType::kSa, codec::encode_sa(sa->choice.reply)},
                                    {PayloadType::kVendorId, vid(kVidDpd)}};
  if (sa->peer_natt) pl.push_back({PayloadType::kVendorId, vid(kVidNatT)});
  codec::Header rh = h;
  rh.cky_r = sa->cky_r;
  rh.flags = 0;
  sa->retx.last_in.assign(data.begin(), data.end());
  sa->retx.last_out = codec::encode_plain(rh, pl);
  sa->retx.sent_at = now;  // MM3 answers it: a round-trip sample for our Quick Mode timers
  send(p, *sa, sa->retx.last_out);
  sa->half_open_timer = arm(limits.half_open_timeout_ms, TimerRef{p.id, TimerKind::kHalfOpen, sa->serial});
  p.sas.push_back(std::move(sa));
}

void Engine::Core::mm_on_message(Peer& p, IkeSa* sap, const codec::Header& h, Endpoint local, Endpoint remote,
                                 ByteView data) {
  IkeSa& sa = *sap;
  // A retransmitted request: answer from the cache, exactly one packet.
  if (!sa.retx.last_in.empty() && std::equal(data.begin(), data.end(), sa.retx.last_in.begin(), sa.retx.last_in.end())) {
    if (!sa.initiator && !sa.retx.last_out.empty()) {
      send(p, sa, sa.retx.last_out);
      ++sa.retx.tries;  // which copy the next message answers is now unknown (Karn)
    }
    if (!sa.initiator && !sa.lifetime_notice.empty()) send(p, sa, sa.lifetime_notice);  // after MM6 again
    return;
  }
  using S = IkeSa::State;
  if (h.exchange == Exchange::kInformational) {
    // An unauthenticated error notify before keys exist: report it, it is only a hint.
    if (!sa.initiator || (sa.state != S::kI1 && sa.state != S::kI3)) return;
    auto msg = codec::decode_plain(data);
    if (!msg) return;
    for (const auto& pl : msg->payloads) {
      if (pl.type != PayloadType::kNotify) continue;
      auto n = codec::decode_notify(pl.body);
      if (!n || n->type >= 16384) continue;  // only error types (RFC 2408 §3.14.1)
      fail_sa(p, sa, notify_reason(n->type), "peer notify " + std::to_string(n->type) + " in Main Mode");
      return;
    }
    return;
  }
  HashAlg hash = sa.choice.suite.hash;
  switch (sa.state) {
    case S::kI1: {  // MM2 received
      auto msg = codec::decode_plain(data);
      if (!msg) return;
      const auto* sap2 = find(msg->payloads, PayloadType::kSa);
      if (!sap2) return;
      auto reply = codec::decode_sa(sap2->body);
      if (!reply) return;
      std::string why;
      auto choice = accept_phase1(*reply, p.cfg, why);
      if (!choice) {
        fail_sa(p, sa, Reason::kMalformed, "MM2: " + why);
        return;
      }
      answered(p, sa.retx);
      sa.choice = std::move(*choice);
      sa.cky_r = h.cky_r;
      sa.peer_dpd = has_vid(msg->payloads, kVidDpd, 16);
      sa.peer_natt = p.cfg.nat_t && (has_vid(msg->payloads, kVidNatT, 16) || has_vid(msg->payloads, kVidNatTDraft02, 16));
      auto dh = crypto::DhKey::generate(sa.choice.suite.group, rng, dh_options(p.cfg));
      if (!dh) {
        fail_sa(p, sa, Reason::kInvalidKe, dh.error().reason);
        return;
      }
      sa.dh.emplace(std::move(dh.value()));
      sa.ni.resize(kNonceLen);
      rng.fill(sa.ni);
      sa.g_xi = sa.dh->public_value();
      std::vector<codec::RawPayload> pl{{PayloadType::kKe, sa.g_xi}, {PayloadType::kNonce, sa.ni}};
      if (sa.peer_natt)
        for (auto& n : natd_payloads(sa)) pl.push_back(std::move(n));
      codec::Header oh;
      oh.cky_i = sa.cky_i;
      oh.cky_r = sa.cky_r;
      oh.exchange = Exchange::kIdentityProtection;
      sa.retx.last_out = codec::encode_plain(oh, pl);
      sa.state = S::kI3;
      send(p, sa, sa.retx.last_out);
      start_retx(p, sa.retx, TimerKind::kRetxMM, sa.serial, 0);
      return;
    }
    case S::kR2:    // MM3 received
    case S::kI3: {  // MM4 received
      auto msg = codec::decode_plain(data);
      if (!msg) return;
      const auto* ke = find(msg->payloads, PayloadType::kKe);
      const auto* nonce = find(msg->payloads, PayloadType::kNonce);
      if (!ke || !nonce || nonce->body.size() < 8 || nonce->body.size() > 256) return;  // RFC 2409 §5: 8..256 bytes
      answered(p, sa.retx);  // MM3 answers our MM2, MM4 our MM3
      if (sa.state == S::kR2) {
        auto dh = crypto::DhKey::generate(sa.choice.suite.group, rng, dh_options(p.cfg));
        if (!dh) return;
        sa.dh.emplace(std::move(dh.value()));
        sa.nr.resize(kNonceLen);
        rng.fill(sa.nr);
        sa.ni = nonce->body;
        sa.g_xi = ke->body;
        sa.g_xr = sa.dh->public_value();
      } else {
        sa.nr = nonce->body;
        sa.g_xr = ke->body;
      }
      auto gxy = sa.dh->shared_secret(ke->body);
      if (!gxy) {
        fail_sa(p, sa, Reason::kInvalidKe, gxy.error().reason);
        return;
      }
      sa.keys = crypto::derive_phase1_psk(hash, p.cfg.psk, sa.ni, sa.nr, *gxy, sa.cky_i, sa.cky_r,
                                          sa.choice.suite.key_bits / 8u);
      auto cipher = crypto::AesCbc::make(sa.keys.enc_key);
      if (!cipher) {
        fail_sa(p, sa, Reason::kMalformed, "phase 1 cipher: " + cipher.error().reason);
        return;
      }
      sa.cipher.emplace(std::move(cipher.value()));
      sa.iv = crypto::phase1_iv(hash, sa.g_xi, sa.g_xr);
      if (sa.peer_natt) natd_check(sa, msg->payloads, local, remote);
      if (sa.state == S::kR2) {
        std::vector<codec::RawPayload> pl{{PayloadType::kKe, sa.g_xr}, {PayloadType::kNonce, sa.nr}};
        if (sa.peer_natt)
          for (auto& n : natd_payloads(sa)) pl.push_back(std::move(n));
        codec::Header oh = h;
        oh.flags = 0;
        sa.retx.last_in.assign(data.begin(), data.end());
        sa.retx.last_out = codec::encode_plain(oh, pl);
        sa.state = S::kR4;
        sa.retx.tries = 0;
        sa.retx.sent_at = now;
        send(p, sa, sa.retx.last_out);
        return;
      }
      // Initiator: float to 4500 from MM5 on when a NAT was detected (RFC 3947 §4).
      if (sa.nat()) {
        sa.floated = true;
        sa.local.port = kNatTPort;
        sa.remote.port = kNatTPort;
      }
      Bytes idii = id_v4(p.cfg.local_id);
      Bytes hi = crypto::hash_i(hash, sa.keys.skeyid, sa.g_xi, sa.g_xr, sa.cky_i, sa.cky_r, sa.sai_b, idii);
      std::vector<codec::RawPayload> pl{{PayloadType::kId, idii}, {PayloadType::kHash, hi}};
      if (p.cfg.initial_contact && !newest_established(p) && p.children.empty()) {
        // INITIAL-CONTACT (RFC 2407 §4.6.3.3) only when we hold no other SA with this peer:
        // the peer then drops its stale state from before our restart. Sent during a
        // re-authentication it would make the peer delete the SAs carrying traffic.
        codec::NotifyPayload n;
        n.protocol = static_cast<std::uint8_t>(ProtocolId::kIsakmp);
        n.type = static_cast<std::uint16_t>(NotifyType::kInitialContact);
        n.spi = concat({sa.cky_i, sa.cky_r});
        pl.push_back({PayloadType::kNotify, codec::encode_notify(n)});
      }
      sa.retx.last_out = encrypt(sa, Exchange::kIdentityProtection, 0, sa.iv, pl);
      sa.state = S::kI5;
      send(p, sa, sa.retx.last_out);
      start_retx(p, sa.retx, TimerKind::kRetxMM, sa.serial, 0);
      return;
    }
    case S::kR4:    // MM5 received
    case S::kI5: {  // MM6 received
      if (!(h.flags & kFlagEncryption)) return;
      if (sa.state == S::kR4 && local.port == kNatTPort) {
        // The initiator floated; follow its (possibly NAT-mapped) port.
        sa.floated = true;
        sa.local = local;
        sa.remote = remote;
      }
      std::vector<codec::RawPayload> pl;
      Bytes rest;
      std::string why;
      Bytes iv = sa.iv;
      if (!decrypt(sa, data, iv, pl, rest, why)) {
        // With a wrong PSK the message decrypts to garbage: this is how a PSK mismatch looks.
        fail_sa(p, sa, Reason::kAuthFailedHashMismatch, (sa.initiator ? "MM6 " : "MM5 ") + why);
        return;
      }
      const auto* id = find(pl, PayloadType::kId);
      const auto* hp = find(pl, PayloadType::kHash);
      if (!id || !hp) {
        fail_sa(p, sa, Reason::kAuthFailedHashMismatch, "missing ID or HASH (PSK mismatch?)");
        return;
      }
      Bytes expect = sa.initiator
                         ? crypto::hash_r(hash, sa.keys.skeyid, sa.g_xi, sa.g_xr, sa.cky_i, sa.cky_r, sa.sai_b, id->body)
                         : crypto::hash_i(hash, sa.keys.skeyid, sa.g_xi, sa.g_xr, sa.cky_i, sa.cky_r, sa.sai_b, id->body);
      if (expect.size() != hp->body.size() || CRYPTO_memcmp(expect.data(), hp->body.data(), expect.size()) != 0) {
        fail_sa(p, sa, Reason::kAuthFailedHashMismatch, sa.initiator ? "HASH_R" : "HASH_I");
        return;
      }
      auto idp = codec::decode_id(id->body);
      if (!idp || idp->type != kIdIpv4Addr || get_u32(idp->data.data()) != p.cfg.remote_id) {
        fail_sa(p, sa, Reason::kInvalidId, "peer ID does not match the configured remote ID");
        return;
      }
      sa.iv = iv;
      // Authenticated: a re-authentication may come from a new NAT mapping (RFC 3947 §7).
      if (local.port == kNatTPort) follow_nat_mapping(p, sa, remote);
      bool initial_contact = false;
      for (const auto& x : pl) {
        if (x.type != PayloadType::kNotify) continue;
        auto n = codec::decode_notify(x.body);
        if (n && n->type == static_cast<std::uint16_t>(NotifyType::kInitialContact)) initial_contact = true;
      }
      if (sa.initiator) {
        sa.last_p1_block = sa.iv;
        if (p.cfg.initial_contact) p.initial_contact_sent = true;
      } else {
        answered(p, sa.retx);  // MM5 answers our MM4
        Bytes idir = id_v4(p.cfg.local_id);
        Bytes hr = crypto::hash_r(hash, sa.keys.skeyid, sa.g_xi, sa.g_xr, sa.cky_i, sa.cky_r, sa.sai_b, idir);
        sa.retx.last_in.assign(data.begin(), data.end());
        sa.retx.last_out = encrypt(sa, Exchange::kIdentityProtection, 0, sa.iv, {{PayloadType::kId, idir}, {PayloadType::kHash, hr}});
        sa.last_p1_block = sa.iv;  // last CBC block of MM6: the base of phase 2 IVs
        send(p, sa, sa.retx.last_out);
        if (initial_contact) {
          // The peer restarted: what we established with it before is stale (RFC 2407
          // §4.6.3.3). Exchanges still in progress belong to its new incarnation and stay.
          std::vector<std::uint64_t> old;
          for (auto& s : p.sas)
            if (s->serial != sa.serial && s->established()) old.push_back(s->serial);
          for (auto s : old) remove_sa(p, s);
          while (!p.children.empty()) child_remove(p, p.children.front().serial, false, true);
        }
      }
      mm_established(p, sa);
      return;
    }
    default: return;  // duplicates of answers we already processed
  }
}

void Engine::Core::mm_established(Peer& p, IkeSa& sa) {
  sa.state = IkeSa::State::kEstablished;
  sa.established_at = now;
  cancel(sa.half_open_timer);
  if (sa.initiator) {
    answered(p, sa.retx);  // MM6
    cancel(sa.retx.timer);
  }
  sa.dh.reset();  // the DH private value is no longer needed
  heard_from(p);
  emit(Event{EventType::kPhase1Up, p.id, Reason::kNone, sa.nat() ? "NAT detected" : ""});
  if (p.cfg.emit_keys) {
    Event e{EventType::kKeysEstablished, p.id};
    KeysEstablished k;
    k.cky_i.assign(sa.cky_i.begin(), sa.cky_i.end());
    k.cky_r.assign(sa.cky_r.begin(), sa.cky_r.end());
    k.enc_key = sa.keys.enc_key.bytes();
    e.keys = std::move(k);
    emit(std::move(e));
  }
  Millis rekey_in = rekey_delay(p.cfg, sa.choice.lifetime_s, sa.initiator);
  sa.rekey_at = now + rekey_in;
  sa.rekey_timer = arm(rekey_in, TimerRef{p.id, TimerKind::kIkeRekey, sa.serial});
  sa.expire_timer = arm(Millis{sa.choice.lifetime_s} * 1000, TimerRef{p.id, TimerKind::kIkeExpire, sa.serial});
  p1_send_responder_lifetime(p, sa);  // responder: our lifetime is shorter than proposed
  if (sa.replaces && find_sa(p, sa.replaces)) {
    // Re-authentication done: the new ISAKMP SA takes over, make-before-break
    // (isakmp_retire.cpp).
    retire_after_renewal(p, sa, sa.replaces);
  }
  watch_duplicate_isakmp(p);
  if (sa.nat_local && p.cfg.nat_keepalive_s && !p.keepalive_timer)
    p.keepalive_timer = arm(Millis{p.cfg.nat_keepalive_s} * 1000, TimerRef{p.id, TimerKind::kKeepalive});
  if (sa.peer_dpd && p.cfg.dpd_delay_s && !p.dpd_timer)
    p.dpd_timer = arm(Millis{p.cfg.dpd_delay_s} * 1000, TimerRef{p.id, TimerKind::kDpd});
  if (p.pending_child_rekey) {
    std::uint64_t c = p.pending_child_rekey;
    p.pending_child_rekey = 0;
    if (find_child(p, c)) {
      qm_start(p, sa, c);
      return;
    }
  }
  // Whoever wants the tunnel up starts Quick Mode, even on an ISAKMP SA the peer initiated
  // (both ends initiating at once end up here as responders for one of the two).
  if (p.want_up && p.children.empty() && !quick_mode_under_way(p)) qm_start(p, sa, 0);
}

}  // namespace xgw::ike
