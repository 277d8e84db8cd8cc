// Engine plumbing: peers, dispatch of received datagrams to exchanges, timers, retransmission
// and lifetimes. The exchanges themselves live in tasks/.
#include "ike/engine.h"

#include <algorithm>

#include "ike/engine_core.h"

namespace xgw::ike {

Engine::Engine(Random& rng, EngineLimits limits) : core_(std::make_unique<Core>(rng, limits)) {}
Engine::~Engine() = default;

std::vector<Action> Engine::take_actions() {
  std::vector<Action> a;
  if (core_->out.empty()) return a;
  a.swap(core_->out);
  core_->out.reserve(3);  // the next call's actions without regrowth (and within malloc's tcache)
  return a;
}

PeerId Engine::add_peer(PeerConfig cfg) {
  PeerId id = core_->next_peer++;
  Peer& p = core_->peers[id];
  p.id = id;
  if (!cfg.local_id) cfg.local_id = cfg.local_ip;
  if (!cfg.remote_id) cfg.remote_id = cfg.remote_ip;
  p.cfg = std::move(cfg);
  return id;
}

void Engine::initiate(PeerId id, Millis now) {
  core_->now = now;
  auto it = core_->peers.find(id);
  if (it == core_->peers.end()) return;
  Peer& p = it->second;
  p.want_up = true;
  if (auto* sa = core_->newest_established(p)) {
    if (p.children.empty() && !core_->quick_mode_under_way(p)) core_->qm_start(p, *sa, 0);
    return;
  }
  for (auto& sa : p.sas)
    if (sa->initiator && sa->state != IkeSa::State::kDead) return;  // already in progress
  core_->mm_start(p, 0);
}

void Engine::terminate(PeerId id, Millis now) {
  core_->now = now;
  auto it = core_->peers.find(id);
  if (it == core_->peers.end()) return;
  Peer& p = it->second;
  p.want_up = false;
  core_->cancel(p.restart_timer);
  core_->cancel(p.dpd_timer);
  core_->cancel(p.keepalive_timer);
  core_->cancel(p.duplicate_timer);
  IkeSa* sa = core_->newest_established(p);
  // Delete the ESP SAs first, then the ISAKMP SA (the order strongSwan uses, so the peer
  // can still authenticate the ESP Delete).
  while (!p.children.empty()) core_->child_remove(p, p.children.front().serial, sa != nullptr, false);
  std::vector<std::uint64_t> serials;
  for (auto& s : p.sas) serials.push_back(s->serial);
  for (auto serial : serials) {
    IkeSa* s = core_->find_sa(p, serial);
    if (s && s->established()) {
      core_->send_delete_isakmp(p, *s);
      core_->event(p.id, EventType::kPhase1Down, Reason::kLocalTerminate);
    }
    core_->remove_sa(p, serial);
  }
}

void Engine::on_datagram(Endpoint local, Endpoint remote, ByteView data, Millis now) {
  Core& c = *core_;
  c.now = now;
  auto h = codec::decode_header(data);
  if (!h) return;  // garbage gets no answer
  // Find the SA by cookies; a Main Mode request with a zero responder cookie is MM1.
  static const Cookie kZero{};
  for (auto& [id, p] : c.peers) {
    for (auto& sa : p.sas) {
      if (sa->cky_i != h->cky_i) continue;
      bool match = sa->cky_r == h->cky_r ||
                   (h->cky_r == kZero && !sa->initiator) ||  // retransmitted MM1
                   (sa->initiator && sa->state == IkeSa::State::kI1 && h->exchange == Exchange::kIdentityProtection) ||
                   (sa->initiator && sa->state == IkeSa::State::kI1 && h->exchange == Exchange::kInformational &&
                    !(h->flags & kFlagEncryption));
      if (!match) continue;
      if (h->exchange == Exchange::kIdentityProtection ||
          (!sa->established() && h->exchange == Exchange::kInformational)) {
        c.mm_on_message(p, sa.get(), *h, local, remote, data);
        return;
      }
      if (!sa->established()) return;
      // The NAT mapping is learnt from MM5 (RFC 3947 §4); a later change is followed only once
      // the message authenticated (tasks/natd.cpp).
      if (h->exchange == Exchange::kQuickMode) {
        c.qm_on_message(p, *sa, *h, local, remote, data);
      } else if (h->exchange == Exchange::kInformational) {
        c.info_on_message(p, *sa, *h, local, remote, data);
      }
      return;
    }
  }
  // A new Main Mode from a configured peer (we are the responder). Anything else with
  // unknown cookies (a stale cookie after a restart, a forged packet) is dropped silently.
  if (h->exchange != Exchange::kIdentityProtection || h->cky_r != kZero || h->message_id != 0) return;
  for (auto& [id, p] : c.peers) {
    if (p.cfg.remote_ip != remote.ip) continue;
    c.mm_respond_mm1(p, *h, local, remote, data);
    return;
  }
}

void Engine::on_timer(TimerId id, Millis now) {
  Core& c = *core_;
  c.now = now;
  auto it = c.timers.find(id);
  if (it == c.timers.end()) return;
  TimerRef ref = it->second;
  c.timers.erase(it);
  auto pit = c.peers.find(ref.peer);
  if (pit == c.peers.end()) return;
  Peer& p = pit->second;
  switch (ref.kind) {
    case TimerKind::kRestart:
      p.restart_timer = 0;
      if (p.want_up) initiate(p.id, now);
      return;
    case TimerKind::kDpd:
      p.dpd_timer = 0;
      c.dpd_tick(p);
      return;
    case TimerKind::kKeepalive:
      p.keepalive_timer = 0;
      c.keepalive_tick(p);
      return;
    case TimerKind::kDuplicateIsakmp:
      p.duplicate_timer = 0;
      c.retire_duplicate_isakmp(p);
      return;
    default: break;
  }
  if (ref.kind == TimerKind::kChildRekey || ref.kind == TimerKind::kChildExpire || ref.kind == TimerKind::kSwitchOut) {
    ChildSa* ch = c.find_child(p, ref.serial);
    if (!ch) return;
    if (ref.kind == TimerKind::kChildRekey) {
      ch->rekey_timer = 0;
      c.child_rekey_due(p, *ch);
    } else if (ref.kind == TimerKind::kSwitchOut) {
      ch->switch_timer = 0;
      c.child_switch_due(p, *ch);
    } else {
      ch->expire_timer = 0;
      bool active = ch->outbound_active;
      std::uint32_t in = ch->in.spi, o = ch->out.spi;
      c.child_remove(p, ref.serial, true, false);
      if (active) c.event(p.id, EventType::kPhase2Down, Reason::kExpired, {}, in, o);
      if (p.children.empty()) c.schedule_restart(p);  // no rekey made it in time: a new pair
    }
    return;
  }
  IkeSa* sa = c.find_sa(p, ref.serial);
  if (!sa) return;
  switch (ref.kind) {
    case TimerKind::kRetxMM:
    case TimerKind::kRetxQM: {
      Retx* r = &sa->retx;
      QuickMode* qm = nullptr;
      if (ref.kind == TimerKind::kRetxQM) {
        auto q = sa->qms.find(ref.mid);
        if (q == sa->qms.end()) return;
        qm = &q->second;
        r = &qm->retx;
      }
      r->timer = 0;
      if (r->tries >= p.cfg.retransmit.tries) {
        c.unanswered(p);
        if (qm) {
          Reason why = qm->initiator ? Reason::kNoReplyQM1 : Reason::kNoReplyQM2;
          c.emit(Event{EventType::kFailure, p.id, why, "Quick Mode " + std::to_string(qm->mid) + " timed out"});
          c.drop_early_inbound(p, *sa, *qm);
          std::uint64_t rekey_of = qm->initiator ? qm->rekey_of : 0;
          sa->qms.erase(ref.mid);
          // A failed first Quick Mode is retried on the next restart; a failed rekey of ours
          // keeps the old pair (never tear down the only working SA) and is tried again.
          if (rekey_of) c.rekey_failed(p, rekey_of);
          else c.schedule_restart(p);
          return;
        }
        Reason why = sa->state == IkeSa::State::kI1   ? Reason::kNoReplyMM1
                     : sa->state == IkeSa::State::kI3 ? Reason::kNoReplyMM3
                                                      : Reason::kNoValidReplyMM5;
        c.fail_sa(p, *sa, why, "no answer after " + std::to_string(r->tries) + " retransmissions");
        return;
      }
      ++r->tries;
      Bytes copy = r->last_out;
      c.send(p, *sa, std::move(copy));
      r->interval = c.retx_backoff(p, r->interval);
      r->timer = c.arm(r->interval, ref);
      return;
    }
    case TimerKind::kHalfOpen:
      sa->half_open_timer = 0;
      if (!sa->established()) c.remove_sa(p, sa->serial);
      return;
    case TimerKind::kIkeRekey:
      sa->rekey_timer = 0;
      // Re-authenticate with a new Main Mode while this SA lives (IKEv1 has no phase 1 rekey).
      if (!sa->rekeyed && sa->established() && c.newest_established(p) == sa) {
        sa->rekeyed = true;
        c.mm_start(p, sa->serial);
      }
      return;
    case TimerKind::kIkeExpire: {
      sa->expire_timer = 0;
      bool was_up = sa->established();
      if (was_up) c.send_delete_isakmp(p, *sa);
      c.remove_sa(p, sa->serial);
      if (was_up && !c.newest_established(p)) c.event(p.id, EventType::kPhase1Down, Reason::kExpired);
      return;
    }
    default: return;
  }
}

void Engine::on_esp_inbound(std::uint32_t spi, Millis now) {
  core_->now = now;
  for (auto& [id, p] : core_->peers)
    for (auto& ch : p.children)
      if (ch.in.spi == spi && !ch.outbound_active) {
        core_->child_switch_outbound(p, ch);
        return;
      }
}

void Engine::on_liveness_lost(PeerId id, Millis now) {
  core_->now = now;
  auto it = core_->peers.find(id);
  if (it == core_->peers.end()) return;
  Peer& p = it->second;
  IkeSa* sa = core_->newest_established(p);
  if (!sa || !sa->peer_dpd || !p.cfg.dpd_delay_s || p.dpd_urgent) return;
  p.dpd_urgent = true;
  core_->cancel(p.dpd_timer);
  core_->dpd_tick(p);
}

void Engine::on_sa_hard_expired(std::uint32_t spi, Millis now) {
  core_->now = now;
  for (auto& [id, p] : core_->peers)
    for (auto& ch : p.children)
      if (ch.in.spi == spi || ch.out.spi == spi) {
        bool active = ch.outbound_active;
        std::uint32_t in = ch.in.spi, o = ch.out.spi;
        core_->child_remove(p, ch.serial, true, false);
        if (active) core_->event(p.id, EventType::kPhase2Down, Reason::kExpired, "kernel hard expiry", in, o);
        if (p.children.empty()) core_->schedule_restart(p);
        return;
      }
}

PeerStatus Engine::status(PeerId id) const {
  PeerStatus s;
  auto it = core_->peers.find(id);
  if (it == core_->peers.end()) return s;
  const Peer& p = it->second;
  for (const auto& sa : p.sas) {
    if (sa->established()) {
      ++s.ike_sas;
      s.nat_detected = s.nat_detected || sa->nat();
      if (sa->established_at >= s.ike_established_at) {
        s.ike_established_at = sa->established_at;
        s.ike_rekey_at = sa->rekey_at;
      }
    } else if (sa->state != IkeSa::State::kDead) {
      ++s.half_open;
    }
  }
  s.phase1_up = s.ike_sas > 0;
  s.child_sas = p.children.size();
  for (const auto& c : p.children)
    if (c.outbound_active) {
      s.active_spi_in = c.in.spi;
      s.active_spi_out = c.out.spi;
      s.child_installed_at = c.installed_at;
      s.child_rekey_at = c.rekey_at;
    }
  return s;
}

// ---------------------------------------------------------------------------- Core plumbing

TimerId Engine::Core::arm(Millis delay, TimerRef ref) {
  TimerId id = next_timer++;
  timers[id] = ref;
  out.emplace_back(ArmTimer{id, now + delay});
  return id;
}

void Engine::Core::cancel(TimerId& id) {
  if (!id) return;
  if (timers.erase(id)) out.emplace_back(CancelTimer{id});
  id = 0;
}

void Engine::Core::event(PeerId p, EventType t, Reason r, std::string detail, std::uint32_t in, std::uint32_t o) {
  Event e;
  e.type = t;
  e.peer = p;
  e.reason = r;
  e.detail = std::move(detail);
  e.spi_in = in;
  e.spi_out = o;
  emit(std::move(e));
}

void Engine::Core::send(Peer& p, const IkeSa& sa, Bytes data) {
  SendDatagram d;
  d.peer = p.id;
  d.local = sa.local;
  d.remote = sa.remote;
  d.non_esp_marker = sa.floated;  // on UDP 4500 every IKE message carries the marker (RFC 3948 §2.2)
  d.data = std::move(data);
  out.emplace_back(std::move(d));
}

Cookie Engine::Core::new_cookie() {
  // Cookies must be unique: 64 random bits, never reused; a zero cookie is reserved for MM1.
  Cookie c{};
  static const Cookie kZero{};
  auto in_use = [&](const Cookie& k) {
    for (const auto& [id, p] : peers)
      for (const auto& s : p.sas)
        if (s->cky_i == k || s->cky_r == k) return true;
    return false;
  };
  do {
    rng.fill(c);
  } while (c == kZero || in_use(c));
  return c;
}

IkeSa* Engine::Core::find_sa(Peer& p, std::uint64_t serial) {
  for (auto& s : p.sas)
    if (s->serial == serial) return s.get();
  return nullptr;
}

ChildSa* Engine::Core::find_child(Peer& p, std::uint64_t serial) {
  for (auto& c : p.children)
    if (c.serial == serial) return &c;
  return nullptr;
}

IkeSa* Engine::Core::find_sa_by_cookies(Peer& p, ByteView spi) {
  if (spi.size() != 16) return nullptr;
  for (auto& s : p.sas)
    if (std::equal(s->cky_i.begin(), s->cky_i.end(), spi.begin()) &&
        std::equal(s->cky_r.begin(), s->cky_r.end(), spi.begin() + 8))
      return s.get();
  return nullptr;
}

IkeSa* Engine::Core::newest_established(Peer& p) {
  IkeSa* best = nullptr;
  for (auto& s : p.sas)
    if (s->established() && (!best || s->serial > best->serial)) best = s.get();
  return best;
}

void Engine::Core::remove_sa(Peer& p, std::uint64_t serial) {
  auto it = std::find_if(p.sas.begin(), p.sas.end(), [&](const auto& s) { return s->serial == serial; });
  if (it == p.sas.end()) return;
  IkeSa& sa = **it;
  cancel(sa.retx.timer);
  cancel(sa.rekey_timer);
  cancel(sa.expire_timer);
  cancel(sa.half_open_timer);
  for (auto& [mid, qm] : sa.qms) {
    cancel(qm.retx.timer);
    drop_early_inbound(p, sa, qm);
  }
  p.sas.erase(it);  // keys are wiped by crypto::Secret
  resume_reauth_schedule(p);
}

void Engine::Core::fail_sa(Peer& p, IkeSa& sa, Reason r, std::string detail) {
  bool initiator = sa.initiator;
  emit(Event{EventType::kFailure, p.id, r, std::move(detail)});
  remove_sa(p, sa.serial);  // state of a failed exchange is freed at once
  if (initiator) schedule_restart(p);
}

void Engine::Core::schedule_restart(Peer& p) {
  if (!p.want_up || p.restart_timer) return;
  p.restart_timer = arm(p.cfg.retransmit.restart_delay_ms, TimerRef{p.id, TimerKind::kRestart});
}

std::size_t Engine::Core::half_open_total() const {
  std::size_t n = 0;
  for (const auto& [id, p] : peers)
    for (const auto& s : p.sas)
      if (!s->initiator && !s->established()) ++n;
  return n;
}

Millis Engine::Core::rekey_delay(const PeerConfig& cfg, std::uint32_t lifetime_s, bool we_initiated) {
  if (we_initiated) return fuzzed_rekey_delay(cfg, lifetime_s);
  // Half the margin before expiry: later than any initiator that uses the same margin.
  std::uint64_t life = lifetime_s, backstop = std::min<std::uint64_t>(cfg.rekey_margin_s, life / 2) / 2;
  return (life - backstop) * 1000;
}

Millis Engine::Core::fuzzed_rekey_delay(const PeerConfig& cfg, std::uint32_t lifetime_s) {
  // Rekey at lifetime - (margin + random(0 .. margin * fuzz%)), as strongSwan and AWS do.
  std::uint64_t margin = cfg.rekey_margin_s;
  std::uint64_t fuzz = margin * cfg.rekey_fuzz_pct / 100;
  std::uint64_t total = margin + (fuzz ? rng.u32() % (fuzz + 1) : 0);
  std::uint64_t life = lifetime_s;
  if (total >= life) total = life / 2;
  return (life - total) * 1000;
}

}  // namespace xgw::ike
