// Changing a running engine's peers without touching their SAs: removing a peer for good and
// applying new liveness settings (DPD, NAT keepalive) in place.
#include "ike/engine_core.h"

namespace xgw::ike {

void Engine::remove_peer(PeerId id, Millis now) {
  terminate(id, now);  // Deletes for the ESP SAs, then the ISAKMP SAs (RFC 2408 §4.8)
  Core& c = *core_;
  auto it = c.peers.find(id);
  if (it == c.peers.end()) return;
  // terminate() cancelled every timer of the peer; a stray one would only find no peer, but the
  // controller should not keep it armed either.
  for (auto t = c.timers.begin(); t != c.timers.end();) {
    if (t->second.peer != id) {
      ++t;
      continue;
    }
    c.out.emplace_back(CancelTimer{t->first});
    t = c.timers.erase(t);
  }
  // Ids come from a counter that only grows (add_peer), so this one is never handed out again
  // and a late action or timer naming it cannot reach another peer.
  c.peers.erase(it);
}

void Engine::update_liveness(PeerId id, std::uint32_t dpd_delay_s, std::uint32_t dpd_retries) {
  auto it = core_->peers.find(id);
  if (it == core_->peers.end()) return;
  const PeerConfig& cfg = it->second.cfg;
  update_liveness(id, dpd_delay_s, dpd_retries, cfg.dpd_urgent_interval_ms, cfg.nat_keepalive_s);
}

void Engine::update_liveness(PeerId id, std::uint32_t dpd_delay_s, std::uint32_t dpd_retries,
                             Millis dpd_urgent_interval_ms, std::uint32_t nat_keepalive_s) {
  Core& c = *core_;
  auto it = c.peers.find(id);
  if (it == c.peers.end()) return;
  Peer& p = it->second;
  bool keepalive_changed = p.cfg.nat_keepalive_s != nat_keepalive_s;
  p.cfg.dpd_delay_s = dpd_delay_s;
  p.cfg.dpd_retries = dpd_retries;
  p.cfg.dpd_urgent_interval_ms = dpd_urgent_interval_ms;
  p.cfg.nat_keepalive_s = nat_keepalive_s;
  // Timers are armed relative to the engine's time of its last call (c.now): there is no
  // `now` here, and the DPD deadline is counted from when the peer was last heard anyway.
  IkeSa* sa = c.newest_established(p);
  c.cancel(p.dpd_timer);
  if (sa && sa->peer_dpd && dpd_delay_s) {
    Millis delay = p.dpd_urgent ? dpd_urgent_interval_ms : Millis{dpd_delay_s} * 1000;
    // Idle: R-U-THERE once the peer has been quiet for the new delay (RFC 3706 §5.3). With
    // R-U-THEREs outstanding, the next check comes one interval from now.
    Millis due = p.dpd_outstanding || p.dpd_urgent ? c.now + delay : p.last_heard + delay;
    p.dpd_timer = c.arm(due > c.now ? due - c.now : 0, TimerRef{p.id, TimerKind::kDpd});
  }
  if (keepalive_changed) {
    c.cancel(p.keepalive_timer);
    if (sa && sa->nat_local && nat_keepalive_s)
      p.keepalive_timer = c.arm(Millis{nat_keepalive_s} * 1000, TimerRef{p.id, TimerKind::kKeepalive});
  }
}

}  // namespace xgw::ike
