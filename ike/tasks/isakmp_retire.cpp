// Retiring ISAKMP SAs. IKEv1 has no phase 1 rekey: a new Main Mode re-authenticates (RFC 2409
// §5), and nothing says what becomes of the old ISAKMP SA, nor of two new ones when both ends
// re-authenticate at once. Our child SAs outlive the ISAKMP SA they were negotiated under, but
// a peer such as strongSwan removes its child SAs together with that ISAKMP SA: before we
// delete one (RFC 2408 §4.8), the active pair is renewed under the one we keep.
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include "ike/bytes.h"
#include "ike/engine_core.h"

namespace xgw::ike {

namespace {

// How long the peer gets to delete the ISAKMP SAs its own re-authentication replaced before we
// delete duplicates ourselves: strongSwan deletes them 10 s after its new one is up.
constexpr Millis kDuplicateIsakmpGraceMs = 20000;

std::string cookies(const IkeSa& sa) { return to_hex(sa.cky_i) + "/" + to_hex(sa.cky_r); }

}  // namespace

void Engine::Core::retire_after_renewal(Peer& p, IkeSa& on, std::uint64_t old) {
  p.retire_ike_sa = old;
  ChildSa* act = active_child(p);
  if (!act) {
    retire_replaced_ike_sa(p);
  } else if (!act->rekeying) {
    act->rekeying = true;
    qm_start(p, on, act->serial);
  }
  // Otherwise the renewal already under way retires it when it switches (quick_mode.cpp).
}

void Engine::Core::retire_replaced_ike_sa(Peer& p) {
  std::uint64_t serial = std::exchange(p.retire_ike_sa, 0);
  IkeSa* old = serial ? find_sa(p, serial) : nullptr;
  if (!old) return;
  if (old->established()) send_delete_isakmp(p, *old);
  remove_sa(p, serial);
  watch_duplicate_isakmp(p);  // a collision may have left one more
}

// Both ends re-authenticating at once leave two new ISAKMP SAs. strongSwan, as responder,
// deletes every other ISAKMP SA with the peer 10 s after a new one is up, but only those
// established by then: when the one we initiated came up before its own, it keeps both and
// from then on re-authenticates each of them separately, two ISAKMP SAs for good (gw-rekey,
// r3). So once the peer had its chance, we keep one. Both ends must keep the same one whatever
// order they saw the exchanges finish in (another gwd may be the peer): the lowest cookies.
void Engine::Core::watch_duplicate_isakmp(Peer& p) {
  if (p.duplicate_timer) return;
  auto up = std::count_if(p.sas.begin(), p.sas.end(), [](const auto& s) { return s->established(); });
  if (up < 2) return;
  p.duplicate_timer = arm(kDuplicateIsakmpGraceMs, TimerRef{p.id, TimerKind::kDuplicateIsakmp});
}

void Engine::Core::retire_duplicate_isakmp(Peer& p) {
  IkeSa *keep = nullptr, *drop = nullptr;
  // Not while an exchange may still change the picture: a Main Mode in progress (its end
  // brings the peer's own clean-up), a retirement under way, the active pair being renewed.
  ChildSa* act = active_child(p);
  bool busy = p.retire_ike_sa != 0 || (act && act->rekeying);
  for (auto& s : p.sas) {
    if (!s->established()) {
      busy = busy || s->state != IkeSa::State::kDead;
      continue;
    }
    IkeSa* sa = s.get();
    if (!keep) {
      keep = sa;
    } else if (std::tie(sa->cky_i, sa->cky_r) < std::tie(keep->cky_i, keep->cky_r)) {
      drop = keep;
      keep = sa;
    } else {
      drop = sa;
    }
  }
  if (!drop) return;
  if (busy) {
    p.duplicate_timer = arm(kDuplicateIsakmpGraceMs, TimerRef{p.id, TimerKind::kDuplicateIsakmp});
    return;
  }
  emit(Event{EventType::kPhase1Duplicate, p.id, Reason::kNone,
             "keeping ISAKMP SA " + cookies(*keep) + ", retiring " + cookies(*drop)});
  retire_after_renewal(p, *keep, drop->serial);
}

void Engine::Core::resume_reauth_schedule(Peer& p) {
  // The re-authentication timer of an SA that was not the newest when it fired did nothing
  // (engine.cpp, kIkeRekey); if that SA is the newest now, it is due.
  IkeSa* sa = newest_established(p);
  if (!sa || sa->rekey_timer || sa->rekeyed) return;
  sa->rekey_timer = arm(sa->rekey_at > now ? sa->rekey_at - now : 0, TimerRef{p.id, TimerKind::kIkeRekey, sa->serial});
}

}  // namespace xgw::ike
