// Carrying a peer's established SAs across a controller restart (Engine::snapshot / restore).
//
// The kernel keeps the ESP SAs and keeps forwarding while gwd is down (kill -9, upgrade). The
// restarted gwd restores the snapshot it took after the last SA change, so it answers the
// peer's DPD and Quick Modes on the SAME ISAKMP SA (same cookies, keys and phase 2 IV base)
// and rekeys on schedule: the peer never notices the restart, and no new negotiation runs.
//
// What a restored peer does not have (known limits):
//  - exchanges in progress (Main Mode, Quick Mode, a pending re-authentication or child
//    rekey): they are restarted by the re-armed timers, which fire at once when overdue;
//  - the replay cache of processed message IDs (IkeSa::seen_info): an authenticated
//    Informational or QM1 from before the restart could be processed once more. A replayed
//    R-U-THERE only gets another ACK; a replayed QM1 gets a QM2 but never a QM3 (the replayer
//    has no keys), so its early inbound SA is removed when the exchange times out;
//  - the Main Mode retransmission cache: a retransmitted MM5 after the restart goes unanswered
//    (the initiator then uses the SA anyway or times out and starts over).
#include <algorithm>

#include "ike/crypto/keys.h"
#include "ike/engine_core.h"
#include "ike/persist_json.h"

namespace xgw::ike {
namespace {

// RFC 3706 §7: R-U-THERE sequence numbers must not repeat or go backwards while the ISAKMP SA
// lives (a receiver may drop them as replays). The controller snapshots after SA changes, not
// after every R-U-THERE, so the stored number may be behind the last one sent. Skipping 65536
// ahead covers 65536 R-U-THEREs since the snapshot: 18 hours at the 1 s urgent interval, longer
// than any child SA lifetime (AWS: at most 1 h), whose rekey causes a fresh snapshot.
constexpr std::uint32_t kDpdSeqSkip = 0x10000;

Millis until(Millis at, Millis now) { return at > now ? at - now : 0; }
Millis ike_expiry(const IkeSa& sa) { return sa.established_at + Millis{sa.choice.lifetime_s} * 1000; }
Millis child_expiry(const ChildSa& c) { return c.installed_at + Millis{c.lifetime_s} * 1000; }

// The AES-CBC context of a restored ISAKMP SA, keyed as main_mode.cpp does once SKEYID_e is
// known (enc key = SKEYID_e, expanded per RFC 2409 App. B when shorter than the AES key).
std::optional<std::string> key_cipher(IkeSa& sa) {
  std::size_t len = sa.choice.suite.key_bits / 8u;
  const crypto::Secret& e = sa.keys.skeyid_e;
  sa.keys.enc_key = e.size() >= len ? crypto::Secret(e.view().first(len))
                                    : crypto::expand_enc_key(sa.choice.suite.hash, e, len);
  auto cipher = crypto::AesCbc::make(sa.keys.enc_key);
  if (!cipher) return "ISAKMP SA " + to_hex(sa.cky_i) + ": cipher: " + cipher.error().reason;
  sa.cipher.emplace(std::move(cipher.value()));
  return std::nullopt;
}

// What restore refuses before changing anything, besides a malformed snapshot.
std::optional<std::string> check_against_engine(const Engine::Core& c, const Peer& p, const persist::PeerState& st,
                                                Millis now) {
  for (const auto& sa : st.ike_sas) {
    // The controller's clock must continue across restarts (CLOCK_MONOTONIC is system wide);
    // a time in the future means it did not, and every timer would be wrong.
    if (sa->established_at > now)
      return "ISAKMP SA " + to_hex(sa->cky_i) + " established in the future (" + std::to_string(sa->established_at) +
             " > now " + std::to_string(now) + "): the controller clock did not continue";
    for (const auto& [id, other] : c.peers) {
      if (id == p.id) continue;
      for (const auto& s : other.sas)
        if (s->cky_i == sa->cky_i || s->cky_r == sa->cky_r)
          return "ISAKMP SA " + to_hex(sa->cky_i) + ": cookie already used by peer " + other.cfg.name;
    }
  }
  for (const auto& ch : st.children)
    if (ch.installed_at > now)
      return "child SA " + std::to_string(ch.in.spi) + " installed in the future (" + std::to_string(ch.installed_at) +
             " > now " + std::to_string(now) + "): the controller clock did not continue";
  return std::nullopt;
}

}  // namespace

nlohmann::json Engine::snapshot(PeerId id) const {
  auto it = core_->peers.find(id);
  if (it == core_->peers.end()) return nullptr;
  return persist::encode(it->second);
}

std::optional<std::string> Engine::restore(PeerId id, const nlohmann::json& snap, Millis now,
                                           const std::function<bool(std::uint32_t, std::uint32_t)>& kernel_has) {
  Core& c = *core_;
  auto it = c.peers.find(id);
  if (it == c.peers.end()) return "restore: no peer " + std::to_string(id);
  Peer& p = it->second;
  const std::string who = "restore of peer " + p.cfg.name + ": ";
  if (!p.sas.empty() || !p.children.empty() || p.want_up)
    return who + "the peer already has state (restore right after add_peer, before initiate)";
  if (!kernel_has) return who + "no kernel_has callback (which child pairs does the kernel still hold?)";
  auto st = persist::decode(snap, p.cfg);
  if (!st) return who + st.error().reason;
  if (auto e = check_against_engine(c, p, *st, now)) return who + *e;
  for (auto& sa : st->ike_sas)
    if (auto e = key_cipher(*sa)) return who + *e;

  // From here on nothing can fail.
  c.now = now;
  p.want_up = st->want_up;
  p.dpd_seq = st->dpd_seq ? st->dpd_seq + kDpdSeqSkip : 0;  // 0: random start at the first R-U-THERE
  if (st->dpd_seq && p.dpd_seq == 0) p.dpd_seq = 1;
  p.last_heard = now;  // the DPD idle delay counts from the restart
  std::uint64_t max_serial = 0;

  // ISAKMP SAs: one past its hard lifetime is gone at the peer too; it gets the Delete a
  // running engine sends at expiry (engine.cpp, kIkeExpire).
  for (auto& sa : st->ike_sas) {
    max_serial = std::max(max_serial, sa->serial);
    if (now >= ike_expiry(*sa)) {
      c.send_delete_isakmp(p, *sa);
      continue;
    }
    p.sas.push_back(std::move(sa));
  }
  for (auto& sa : p.sas) {
    sa->rekey_timer = c.arm(until(sa->rekey_at, now), TimerRef{p.id, TimerKind::kIkeRekey, sa->serial});
    sa->expire_timer = c.arm(until(ike_expiry(*sa), now), TimerRef{p.id, TimerKind::kIkeExpire, sa->serial});
    c.emit(Event{EventType::kPhase1Up, p.id, Reason::kNone, "restored"});
  }

  // Child SA pairs: kept only if the kernel still holds them and they are within their hard
  // lifetime. The peer is told about the others (RFC 2408 §4.8), as a running engine would
  // have at their expiry; the kernel forgets an expired pair it still holds.
  std::vector<ChildSa> gone;
  for (auto& ch : st->children) {
    max_serial = std::max(max_serial, ch.serial);
    std::uint32_t out_spi = ch.out_installed ? ch.out.spi : 0;
    bool in_kernel = kernel_has(ch.in.spi, out_spi);
    if (in_kernel && now < child_expiry(ch)) {
      p.children.push_back(std::move(ch));
      continue;
    }
    if (in_kernel) c.out.emplace_back(DeleteSaPair{p.id, ch.in.spi, out_spi, ch.in.dst, ch.out.dst});
    gone.push_back(std::move(ch));
  }
  c.next_serial = std::max(c.next_serial, max_serial + 1);
  for (const auto& ch : gone) c.send_delete_esp(p, ch);  // under the newest restored ISAKMP SA, if any
  if (!p.children.empty() && !c.active_child(p)) {
    // The pair that carried traffic is gone: carry it on the newest one left (as child_remove).
    ChildSa& next = p.children.back();
    next.outbound_active = true;
    if (!next.out_installed) c.out.emplace_back(SwitchOutbound{p.id, next.out, 0});
    next.out_installed = true;
  }
  for (auto& ch : p.children) {
    ch.rekey_timer = c.arm(until(ch.rekey_at, now), TimerRef{p.id, TimerKind::kChildRekey, ch.serial});
    ch.expire_timer = c.arm(until(child_expiry(ch), now), TimerRef{p.id, TimerKind::kChildExpire, ch.serial});
    // Make-before-break was under way (quick_mode.cpp): switch after the usual delay, as the
    // Quick Mode initiator would have.
    if (!ch.out_installed)
      ch.switch_timer = c.arm(p.cfg.outbound_switch_delay_ms, TimerRef{p.id, TimerKind::kSwitchOut, ch.serial});
  }
  // Phase2Up per pair, the one carrying outbound traffic last (the controller takes the SPIs of
  // the last one as the tunnel's).
  for (bool active : {false, true})
    for (const auto& ch : p.children)
      if (ch.outbound_active == active) c.event(p.id, EventType::kPhase2Up, Reason::kNone, "restored", ch.in.spi, ch.out.spi);

  IkeSa* sa = c.newest_established(p);
  if (sa) {
    if (sa->nat_local && p.cfg.nat_keepalive_s)
      p.keepalive_timer = c.arm(Millis{p.cfg.nat_keepalive_s} * 1000, TimerRef{p.id, TimerKind::kKeepalive});
    if (sa->peer_dpd && p.cfg.dpd_delay_s)
      p.dpd_timer = c.arm(Millis{p.cfg.dpd_delay_s} * 1000, TimerRef{p.id, TimerKind::kDpd});
  }
  // A re-authentication was waiting for the active pair to be renewed on the new ISAKMP SA
  // before deleting the old one (main_mode.cpp, mm_established): renew it again.
  if (st->retire_ike_sa && sa && sa->serial != st->retire_ike_sa && c.find_sa(p, st->retire_ike_sa)) {
    p.retire_ike_sa = st->retire_ike_sa;
    ChildSa* act = c.active_child(p);
    bool renewed = act && std::any_of(p.children.begin(), p.children.end(),
                                      [&](const ChildSa& ch) { return ch.rekey_of == act->serial; });
    if (act) {
      act->rekeying = true;
      // Renewed already, only the outbound switch was pending: it retires the old SA.
      if (!renewed) c.qm_start(p, *sa, act->serial);
    } else {
      c.retire_replaced_ike_sa(p);
    }
  }
  c.watch_duplicate_isakmp(p);  // a snapshot taken during a phase 1 collision
  // Whoever wants the tunnel up brings up what is missing, as initiate() does. A peer that
  // was only responding (want_up false) waits for the peer, as it did before the restart.
  if (p.want_up && p.children.empty()) {
    if (sa) c.qm_start(p, *sa, 0);
    else initiate(id, now);
  }
  return std::nullopt;
}

}  // namespace xgw::ike
