// Quick Mode with PFS (RFC 2409 §5.5), initiator and responder, and the child SA life cycle:
//
//      Initiator                          Responder
//  QM1 HDR*, HASH(1), SA, Ni, KE, IDci, IDcr  -->
//                                         <--  HDR*, HASH(2), SA, Nr, KE, IDci, IDcr   QM2
//  QM3 HDR*, HASH(3)                      -->
//
// A peer may add NAT-OA payloads to QM1/QM2 (RFC 3947 §5.2). They carry the original
// addresses for transport mode checksum fix-ups; in tunnel mode there is nothing to use in
// them, so they are accepted (HASH(1)/HASH(2) cover them like any payload) and ignored, as are
// other payloads this exchange does not look for.
//
// QM3 is never acknowledged, so a rekey is make-before-break: the responder installs both
// directions on QM3; the initiator installs inbound on QM2 and switches outbound after a short
// delay or on the first packet on the new inbound SPI; only then is the old pair deleted.
#include <openssl/crypto.h>

#include <algorithm>

#include "ike/crypto/hash.h"
#include "ike/engine_core.h"

namespace xgw::ike {
namespace {

constexpr std::size_t kNonceLen = 32;
constexpr Millis kDoneKeepMs = 60000;  // keep a finished exchange to answer retransmissions
constexpr int kMaxQm3Resends = 3;

const codec::RawPayload* find(const std::vector<codec::RawPayload>& pl, PayloadType t, int nth = 0) {
  for (const auto& p : pl)
    if (p.type == t && nth-- == 0) return &p;
  return nullptr;
}

Bytes ts_id(const Subnet& s) {
  return codec::encode_id({kIdIpv4AddrSubnet, 0, 0, concat({u32_bytes(s.addr), u32_bytes(s.mask)})});
}

bool hash_eq(const Bytes& a, const Bytes& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::uint32_t new_spi(Random& r) {
  std::uint32_t s;
  do {
    s = r.u32();
  } while (s < 256);  // SPIs 1..255 are reserved (RFC 4303 §2.1)
  return s;
}

}  // namespace

ChildSa* Engine::Core::active_child(Peer& p) {
  for (auto& c : p.children)
    if (c.outbound_active) return &c;
  return nullptr;
}

void Engine::Core::qm_start(Peer& p, IkeSa& sa, std::uint64_t rekey_of) {
  auto suites = usable_esp_suites(p.cfg);
  if (suites.empty()) {
    // A configuration error: nothing to offer.
    emit(Event{EventType::kFailure, p.id, Reason::kProposalMismatchQM1,
               "no usable phase 2 suite configured (PFS groups 22-24 need allow_rfc5114_groups)"});
    return;
  }
  // Drop finished exchanges kept for retransmissions.
  for (auto it = sa.qms.begin(); it != sa.qms.end();)
    it = it->second.state == QuickMode::State::kDone && now - it->second.done_at > kDoneKeepMs ? sa.qms.erase(it) : ++it;
  std::uint32_t mid;
  do {
    mid = rng.u32();
  } while (mid == 0 || sa.qms.count(mid) || sa.seen_info.count(mid));
  remember_message_id(sa, mid);
  QuickMode& qm = sa.qms[mid];
  qm.mid = mid;
  qm.initiator = true;
  qm.rekey_of = rekey_of;
  qm.my_spi = new_spi(rng);
  qm.ni.resize(kNonceLen);
  rng.fill(qm.ni);
  HashAlg hash = sa.choice.suite.hash;
  qm.iv = crypto::phase2_iv(hash, sa.last_p1_block, mid);
  std::uint16_t pfs = suites.front().pfs_group;
  EncapMode mode = sa.nat() ? EncapMode::kUdpTunnel : EncapMode::kTunnel;
  std::vector<codec::RawPayload> rest{{PayloadType::kSa, codec::encode_sa(build_esp_sa(p.cfg, qm.my_spi, mode))},
                                      {PayloadType::kNonce, qm.ni}};
  if (pfs) {
    auto dh = crypto::DhKey::generate(pfs, rng, dh_options(p.cfg));
    if (!dh) {
      sa.qms.erase(mid);
      emit(Event{EventType::kFailure, p.id, Reason::kInvalidKe, dh.error().reason});
      return;
    }
    qm.dh.emplace(std::move(dh.value()));
    rest.push_back({PayloadType::kKe, qm.dh->public_value()});
  }
  rest.push_back({PayloadType::kId, ts_id(p.cfg.local_ts)});
  rest.push_back({PayloadType::kId, ts_id(p.cfg.remote_ts)});
  Bytes h1 = crypto::qm_hash1(hash, sa.keys.skeyid_a, mid, codec::encode_chain(rest));
  rest.insert(rest.begin(), {PayloadType::kHash, h1});
  qm.retx.last_out = encrypt(sa, Exchange::kQuickMode, mid, qm.iv, rest);
  send(p, sa, qm.retx.last_out);
  start_retx(p, qm.retx, TimerKind::kRetxQM, sa.serial, mid);
  if (ChildSa* old = find_child(p, rekey_of)) old->rekeying = true;
}

void Engine::Core::qm_on_message(Peer& p, IkeSa& sa, const codec::Header& h, Endpoint local, Endpoint remote,
                                 ByteView data) {
  if (!(h.flags & kFlagEncryption) || h.message_id == 0) return;
  HashAlg hash = sa.choice.suite.hash;
  auto it = sa.qms.find(h.message_id);
  if (it != sa.qms.end()) {
    QuickMode& q = it->second;
    if (!q.retx.last_in.empty() && std::equal(data.begin(), data.end(), q.retx.last_in.begin(), q.retx.last_in.end())) {
      // A retransmitted QM1 (our QM2 was lost) or QM2 (our QM3 was lost): answer from the cache.
      if (!q.retx.last_out.empty() && !(q.initiator && q.state != QuickMode::State::kDone)) send(p, sa, q.retx.last_out);
      return;
    }
  }
  std::vector<codec::RawPayload> pl;
  Bytes rest;
  std::string why;
  if (it == sa.qms.end()) {
    // ---- Responder: QM1. A message ID seen before is a replay of a finished exchange.
    if (sa.seen_info.count(h.message_id)) return;
    Bytes iv = crypto::phase2_iv(hash, sa.last_p1_block, h.message_id);
    if (!decrypt(sa, data, iv, pl, rest, why)) return;
    if (pl.front().type != PayloadType::kHash ||
        !hash_eq(pl.front().body, crypto::qm_hash1(hash, sa.keys.skeyid_a, h.message_id, rest))) {
      emit(Event{EventType::kFailure, p.id, Reason::kAuthFailedHashMismatch, "QM1 HASH(1)"});
      return;
    }
    remember_message_id(sa, h.message_id);  // processed once, even if refused below
    authenticated_from(p, sa, local, remote);
    const auto* sap = find(pl, PayloadType::kSa);
    const auto* ni = find(pl, PayloadType::kNonce);
    const auto* ke = find(pl, PayloadType::kKe);
    const auto* idci = find(pl, PayloadType::kId, 0);
    const auto* idcr = find(pl, PayloadType::kId, 1);
    if (!sap || !ni) return;
    auto offer = codec::decode_sa(sap->body);
    std::optional<Phase2Choice> choice;
    if (offer) choice = select_esp(*offer, p.cfg, sa.nat(), why);
    if (choice && choice->suite.pfs_group &&
        (!ke || ke->body.size() != crypto::dh_public_len(choice->suite.pfs_group))) {
      choice.reset();
      why = "PFS group does not match the KE payload";
    }
    if (!choice) {
      codec::NotifyPayload n;
      n.protocol = static_cast<std::uint8_t>(ProtocolId::kEsp);
      n.type = static_cast<std::uint16_t>(NotifyType::kNoProposalChosen);
      if (offer && !offer->proposals.empty()) n.spi = offer->proposals[0].spi;
      info_send(p, sa, {PayloadType::kNotify, codec::encode_notify(n)});
      emit(Event{EventType::kFailure, p.id, Reason::kProposalMismatchQM1, why});
      return;
    }
    if (idci && idcr && (idci->body != ts_id(p.cfg.remote_ts) || idcr->body != ts_id(p.cfg.local_ts))) {
      codec::NotifyPayload n;
      n.protocol = static_cast<std::uint8_t>(ProtocolId::kEsp);
      n.type = static_cast<std::uint16_t>(NotifyType::kInvalidIdInformation);
      info_send(p, sa, {PayloadType::kNotify, codec::encode_notify(n)});
      emit(Event{EventType::kFailure, p.id, Reason::kInvalidId, "Quick Mode selectors do not match"});
      return;
    }
    QuickMode& qm = sa.qms[h.message_id];
    qm.mid = h.message_id;
    qm.initiator = false;
    qm.iv = iv;
    qm.choice = std::move(*choice);
    qm.ni = ni->body;
    qm.nr.resize(kNonceLen);
    rng.fill(qm.nr);
    qm.my_spi = new_spi(rng);
    if (ChildSa* act = active_child(p)) qm.rekey_of = act->serial;
    std::vector<codec::RawPayload> reply_pl;
    codec::SaPayload reply = qm.choice.reply;
    reply.proposals[0].spi = u32_bytes(qm.my_spi);
    reply_pl.push_back({PayloadType::kSa, codec::encode_sa(reply)});
    reply_pl.push_back({PayloadType::kNonce, qm.nr});
    if (qm.choice.suite.pfs_group) {
      auto dh = crypto::DhKey::generate(qm.choice.suite.pfs_group, rng, dh_options(p.cfg));
      if (!dh) return;
      auto s = dh->shared_secret(ke->body);
      if (!s) {
        sa.qms.erase(h.message_id);
        emit(Event{EventType::kFailure, p.id, Reason::kInvalidKe, "QM1 KE: " + s.error().reason});
        return;
      }
      qm.g_qm_xy = std::move(s.value());
      reply_pl.push_back({PayloadType::kKe, dh->public_value()});
    }
    if (idci && idcr) {
      reply_pl.push_back(*idci);
      reply_pl.push_back(*idcr);
    }
    if (qm.choice.offered_lifetime_s > qm.choice.lifetime_s) {
      // Our lifetime is shorter than proposed: tell the initiator (RFC 2407 §4.6.3.1) so both
      // ends rekey on the same schedule. The notify is covered by HASH(2).
      reply_pl.push_back(responder_lifetime(ProtocolId::kEsp, u32_bytes(qm.my_spi), qm.choice.lifetime_s));
    }
    Bytes h2 = crypto::qm_hash2(hash, sa.keys.skeyid_a, qm.mid, qm.ni, codec::encode_chain(reply_pl));
    reply_pl.insert(reply_pl.begin(), {PayloadType::kHash, h2});
    qm.retx.last_in.assign(data.begin(), data.end());
    qm.retx.last_out = encrypt(sa, Exchange::kQuickMode, qm.mid, qm.iv, reply_pl);
    qm.state = QuickMode::State::kSentQM2;
    send(p, sa, qm.retx.last_out);
    // Our inbound SA goes in now, before QM3: an initiator such as strongSwan starts sending
    // on the new SA as soon as it has processed QM2, and its first packets may arrive before
    // its QM3. The outbound SA waits for QM3 (proof that the initiator accepted QM2).
    out.emplace_back(InstallSaPair{p.id, qm_esp_sa(p, sa, qm, true), {}, false, 0});
    qm.inbound_installed = true;
    // QM3 may be lost: retransmit QM2 until it arrives.
    start_retx(p, qm.retx, TimerKind::kRetxQM, sa.serial, qm.mid);
    return;
  }
  QuickMode& qm = it->second;
  Bytes iv = qm.iv;
  if (!decrypt(sa, data, iv, pl, rest, why)) return;
  if (qm.initiator && qm.state == QuickMode::State::kSentQM1) {
    // ---- Initiator: QM2
    if (pl.front().type != PayloadType::kHash ||
        !hash_eq(pl.front().body, crypto::qm_hash2(hash, sa.keys.skeyid_a, qm.mid, qm.ni, rest))) {
      emit(Event{EventType::kFailure, p.id, Reason::kAuthFailedHashMismatch, "QM2 HASH(2)"});
      return;
    }
    authenticated_from(p, sa, local, remote);
    const auto* sap = find(pl, PayloadType::kSa);
    const auto* nr = find(pl, PayloadType::kNonce);
    const auto* ke = find(pl, PayloadType::kKe);
    auto reply = sap ? codec::decode_sa(sap->body) : Result<codec::SaPayload>(fail("no SA"));
    std::optional<Phase2Choice> choice;
    if (reply && nr) choice = accept_esp(*reply, p.cfg, why);
    if (!choice || (choice->suite.pfs_group && (!ke || !qm.dh || choice->suite.pfs_group != qm.dh->group()))) {
      cancel(qm.retx.timer);
      sa.qms.erase(it);
      emit(Event{EventType::kFailure, p.id, Reason::kMalformed, "QM2: " + (why.empty() ? "bad PFS" : why)});
      return;
    }
    if (choice->suite.pfs_group) {
      auto s = qm.dh->shared_secret(ke->body);
      if (!s) {
        cancel(qm.retx.timer);
        sa.qms.erase(it);
        emit(Event{EventType::kFailure, p.id, Reason::kInvalidKe, "QM2 KE: " + s.error().reason});
        return;
      }
      qm.g_qm_xy = std::move(s.value());
    }
    qm.dh.reset();
    // Honour a RESPONDER-LIFETIME notify (RFC 2407 §4.6.3.1): a shorter lifetime wins.
    for (const auto& x : pl) {
      if (x.type != PayloadType::kNotify) continue;
      auto n = codec::decode_notify(x.body);
      if (!n || n->protocol != static_cast<std::uint8_t>(ProtocolId::kEsp)) continue;
      if (auto secs = responder_lifetime_seconds(*n)) choice->lifetime_s = std::min(choice->lifetime_s, *secs);
    }
    qm.choice = std::move(*choice);
    qm.nr = nr->body;
    qm.iv = iv;
    Bytes h3 = crypto::qm_hash3(hash, sa.keys.skeyid_a, qm.mid, qm.ni, qm.nr);
    answered(p, qm.retx);
    cancel(qm.retx.timer);
    qm.retx.last_in.assign(data.begin(), data.end());
    qm.retx.last_out = encrypt(sa, Exchange::kQuickMode, qm.mid, qm.iv, {{PayloadType::kHash, h3}});
    qm.state = QuickMode::State::kDone;
    qm.done_at = now;
    send(p, sa, qm.retx.last_out);
    qm_install(p, sa, qm);
    return;
  }
  if (!qm.initiator && qm.state == QuickMode::State::kSentQM2) {
    // ---- Responder: QM3
    if (pl.front().type != PayloadType::kHash ||
        !hash_eq(pl.front().body, crypto::qm_hash3(hash, sa.keys.skeyid_a, qm.mid, qm.ni, qm.nr))) {
      emit(Event{EventType::kFailure, p.id, Reason::kAuthFailedHashMismatch, "QM3 HASH(3)"});
      return;
    }
    authenticated_from(p, sa, local, remote);
    qm.iv = iv;
    answered(p, qm.retx);  // QM3 answers our QM2
    cancel(qm.retx.timer);
    qm.retx.last_out.clear();  // nothing to answer: QM3 is the last message
    qm.retx.last_in.assign(data.begin(), data.end());
    qm.state = QuickMode::State::kDone;
    qm.done_at = now;
    qm_install(p, sa, qm);
  }
}

EspSa Engine::Core::qm_esp_sa(Peer& p, IkeSa& sa, QuickMode& qm, bool inbound) {
  const EspSuite& s = qm.choice.suite;
  std::size_t ek = esp_enc_key_len(s), ik = esp_integ_key_len(s.auth);
  // KEYMAT per direction: the SPI is the one chosen by the receiving side (RFC 2409 §5.5).
  Bytes spi_bytes = inbound ? u32_bytes(qm.my_spi) : qm.choice.peer_spi;
  auto km = crypto::keymat(sa.choice.suite.hash, sa.keys.skeyid_d, qm.g_qm_xy, 3, spi_bytes, qm.ni, qm.nr, ek + ik);
  std::uint32_t lifetime_s = qm.choice.lifetime_s;
  EspSa e;
  e.spi = get_u32(spi_bytes.data());
  e.src = inbound ? sa.remote.ip : sa.local.ip;
  e.dst = inbound ? sa.local.ip : sa.remote.ip;
  e.transform = s.transform;
  e.enc_key.assign(km.bytes().begin(), km.bytes().begin() + static_cast<long>(ek));
  e.integ = s.auth;
  e.integ_key.assign(km.bytes().begin() + static_cast<long>(ek), km.bytes().end());
  e.icv_bits = esp_icv_bits(s);
  bool udp = qm.choice.mode == EncapMode::kUdpTunnel || qm.choice.mode == EncapMode::kUdpTunnelDraft;
  e.mode = udp ? EspMode::kUdpEncapTunnel : EspMode::kTunnel;
  if (udp) {
    e.encap_sport = inbound ? sa.remote.port : sa.local.port;
    e.encap_dport = inbound ? sa.local.port : sa.remote.port;
  }
  e.hard_lifetime_s = lifetime_s;
  // The kernel soft limit is only a backstop behind our own rekey timer.
  e.soft_lifetime_s = lifetime_s - std::min(p.cfg.rekey_margin_s, lifetime_s / 2) / 2;
  e.replay_window = p.cfg.replay_window;
  e.src_ts = inbound ? p.cfg.remote_ts : p.cfg.local_ts;
  e.dst_ts = inbound ? p.cfg.local_ts : p.cfg.remote_ts;
  return e;
}

void Engine::Core::qm_install(Peer& p, IkeSa& sa, QuickMode& qm) {
  ChildSa c;
  c.serial = next_serial++;
  c.lifetime_s = qm.choice.lifetime_s;
  c.initiator = qm.initiator;
  c.ni = qm.ni;
  c.rekey_of = qm.rekey_of;
  c.in = qm_esp_sa(p, sa, qm, true);
  c.out = qm_esp_sa(p, sa, qm, false);
  qm.g_qm_xy.wipe();
  ChildSa* old = find_child(p, qm.rekey_of);
  ChildSa* act = active_child(p);
  std::uint32_t replaced = act ? act->out.spi : 0;
  if (act && qm.initiator) {
    // Make-before-break: inbound now, outbound after QM3 has had time to arrive.
    out.emplace_back(InstallSaPair{p.id, c.in, c.out, false, replaced});
    c.switch_timer = arm(p.cfg.outbound_switch_delay_ms, TimerRef{p.id, TimerKind::kSwitchOut, c.serial});
  } else {
    c.outbound_active = true;
    c.out_installed = true;
    if (act) act->outbound_active = false;
    // A responder's inbound SA went in with QM2; only the outbound one is new.
    if (qm.inbound_installed) out.emplace_back(SwitchOutbound{p.id, c.out, replaced});
    else out.emplace_back(InstallSaPair{p.id, c.in, c.out, true, replaced});
  }
  Millis rekey_in = rekey_delay(p.cfg, c.lifetime_s, c.initiator);
  c.installed_at = now;
  c.rekey_at = now + rekey_in;
  c.rekey_timer = arm(rekey_in, TimerRef{p.id, TimerKind::kChildRekey, c.serial});
  c.expire_timer = arm(Millis{c.lifetime_s} * 1000, TimerRef{p.id, TimerKind::kChildExpire, c.serial});
  event(p.id, EventType::kPhase2Up, Reason::kNone, old ? "rekey" : "", c.in.spi, c.out.spi);
  if (p.cfg.emit_keys) {
    Event e{EventType::kKeysEstablished, p.id};
    KeysEstablished k;
    k.cky_i.assign(sa.cky_i.begin(), sa.cky_i.end());
    k.cky_r.assign(sa.cky_r.begin(), sa.cky_r.end());
    k.esp_spi_in = c.in.spi;
    k.esp_spi_out = c.out.spi;
    k.esp_in_enc = c.in.enc_key;
    k.esp_in_integ = c.in.integ_key;
    k.esp_out_enc = c.out.enc_key;
    k.esp_out_integ = c.out.integ_key;
    k.esp_transform = c.in.transform;
    k.esp_integ = c.in.integ;
    k.local_ip = c.in.dst;
    k.remote_ip = c.in.src;
    e.keys = std::move(k);
    e.spi_in = c.in.spi;
    e.spi_out = c.out.spi;
    emit(std::move(e));
  }
  std::uint64_t serial = c.serial;
  p.children.push_back(std::move(c));
  resolve_siblings(p, serial);
}

// QM3 is never acknowledged, and a responder such as strongSwan does not retransmit QM2 when
// it goes missing: a lost QM3 leaves the peer without the new pair. Switching then would send
// into SAs the peer never installed and delete the pair it still uses, blackholing the tunnel
// until the next rekey. So while nothing has arrived on the new inbound SA (the peer switches
// its outbound on QM3), QM3 goes out again, up to kMaxQm3Resends times, one switch delay
// apart; a responder that has it already treats the copy as a retransmission (RFC 2409 §5.5
// offers only the commit bit otherwise, which AWS does not use). After that the switch
// happens regardless: a tunnel without traffic gives no other evidence.
void Engine::Core::child_switch_due(Peer& p, ChildSa& c) {
  if (c.initiator && c.qm3_resends < kMaxQm3Resends) {
    for (auto& sa : p.sas) {
      if (!sa->established()) continue;
      for (auto& [mid, qm] : sa->qms) {
        if (!qm.initiator || qm.state != QuickMode::State::kDone || qm.my_spi != c.in.spi || qm.retx.last_out.empty())
          continue;
        ++c.qm3_resends;
        send(p, *sa, qm.retx.last_out);
        c.switch_timer = arm(p.cfg.outbound_switch_delay_ms, TimerRef{p.id, TimerKind::kSwitchOut, c.serial});
        return;
      }
    }
  }
  child_switch_outbound(p, c);
}

void Engine::Core::child_switch_outbound(Peer& p, ChildSa& c) {
  if (c.outbound_active) return;
  cancel(c.switch_timer);
  ChildSa* act = active_child(p);
  std::uint32_t replaced = act ? act->out.spi : 0;
  if (act) act->outbound_active = false;
  c.outbound_active = true;
  // An outbound SA already in the kernel (a responder's, or one made active again after its
  // newer sibling went) needs no second install: the kernel uses the newest one left.
  if (!c.out_installed) out.emplace_back(SwitchOutbound{p.id, c.out, replaced});
  c.out_installed = true;
  std::uint64_t serial = c.serial, old = c.rekey_of;
  // The old pair goes only now that traffic uses the new one; we initiated the rekey, so we
  // delete it (RFC 2408 §4.8 Delete for the SPI we receive on).
  if (old && find_child(p, old)) child_remove(p, old, true, false);
  if (p.retire_ike_sa) retire_replaced_ike_sa(p);
  resolve_siblings(p, serial);
}

// Simultaneous rekey from both sides gives two new pairs replacing the same old one (or two
// first pairs when both ends initiate at once). Both ends pick the same winner (the lower
// initiator nonce); the loser's initiator deletes it.
void Engine::Core::resolve_siblings(Peer& p, std::uint64_t serial) {
  ChildSa* c = find_child(p, serial);
  if (!c) return;
  for (auto& s : p.children) {
    if (s.serial == c->serial || s.rekey_of != c->rekey_of) continue;
    ChildSa* win = s.ni < c->ni ? &s : c;
    ChildSa* lose = win == c ? &s : c;
    if (!win->outbound_active && (lose->outbound_active || !active_child(p))) child_switch_outbound(p, *win);
    if (lose->initiator) child_remove(p, lose->serial, true, false);
    return;
  }
}

void Engine::Core::child_rekey_due(Peer& p, ChildSa& c) {
  if (c.rekeying) return;
  // A pair that no longer carries our outbound traffic is not renewed; it is removed at
  // expiry or by the peer's Delete.
  ChildSa* act = active_child(p);
  if (act && act != &c) return;
  IkeSa* sa = newest_established(p);
  c.rekeying = true;
  if (!sa) {
    p.pending_child_rekey = c.serial;
    if (p.want_up) mm_start(p, 0);
    return;
  }
  qm_start(p, *sa, c.serial);
}

void Engine::Core::rekey_failed(Peer& p, std::uint64_t serial) {
  ChildSa* c = find_child(p, serial);
  if (!c) {  // it expired meanwhile
    if (p.children.empty()) schedule_restart(p);
    return;
  }
  c->rekeying = false;
  if (!c->rekey_timer)
    c->rekey_timer = arm(p.cfg.retransmit.restart_delay_ms, TimerRef{p.id, TimerKind::kChildRekey, c->serial});
}

bool Engine::Core::quick_mode_under_way(const Peer& p) const {
  for (const auto& s : p.sas)
    for (const auto& [mid, q] : s->qms)
      if (q.initiator && q.state != QuickMode::State::kDone) return true;
  return false;
}

void Engine::Core::child_remove(Peer& p, std::uint64_t serial, bool send_delete, bool) {
  auto it = std::find_if(p.children.begin(), p.children.end(), [&](const auto& c) { return c.serial == serial; });
  if (it == p.children.end()) return;
  cancel(it->rekey_timer);
  cancel(it->expire_timer);
  cancel(it->switch_timer);
  if (send_delete && newest_established(p)) send_delete_esp(p, *it);
  out.emplace_back(DeleteSaPair{p.id, it->in.spi, it->out_installed ? it->out.spi : 0, it->in.dst, it->out.dst});
  bool was_active = it->outbound_active;
  p.children.erase(it);
  if (was_active && !p.children.empty()) {
    // Keep traffic flowing on the newest remaining pair.
    ChildSa& next = p.children.back();
    if (!next.outbound_active) {
      cancel(next.switch_timer);
      next.outbound_active = true;
      if (!next.out_installed) out.emplace_back(SwitchOutbound{p.id, next.out, 0});
      next.out_installed = true;
    }
  }
}

void Engine::Core::drop_early_inbound(const Peer& p, const IkeSa& sa, QuickMode& qm) {
  if (!qm.inbound_installed || qm.state == QuickMode::State::kDone) return;
  qm.inbound_installed = false;
  out.emplace_back(DeleteSaPair{p.id, qm.my_spi, 0, sa.local.ip, sa.remote.ip});
}

}  // namespace xgw::ike
