// The retransmission timer of the requests we send (RFC 2408 §5: the initiator of an exchange
// retransmits), adapted to the measured round trip (RFC 6298) so that a slow answer is
// waited for rather than asked for again.
#include <algorithm>

#include "ike/engine_core.h"

namespace xgw::ike {

namespace {

// However slow the answers, a lost message is resent within this.
constexpr Millis kMaxTimeoutMs = 10000;

Millis timeout_of(const RttEstimate& e) { return e.srtt + 4 * e.rttvar; }  // RFC 6298 §2.3

}  // namespace

void RttEstimate::sample(Millis rtt) {
  if (!sampled) {  // RFC 6298 §2.2
    srtt = rtt;
    rttvar = rtt / 2;
    sampled = true;
    return;
  }
  // §2.3 with alpha = 1/8, beta = 1/4.
  Millis diff = srtt > rtt ? srtt - rtt : rtt - srtt;
  rttvar = (3 * rttvar + diff) / 4;
  srtt = (7 * srtt + rtt) / 8;
}

// From the round trips measured, without Karn's backoff.
Millis Engine::Core::measured_timeout(const Peer& p) const {
  const RttEstimate& e = p.rtt.sampled ? p.rtt : rtt;
  Millis t = p.cfg.retransmit.initial_ms;  // the floor: also the start without any sample
  if (e.sampled) t = std::max(t, timeout_of(e));
  return std::min(t, std::max(kMaxTimeoutMs, p.cfg.retransmit.initial_ms));
}

Millis Engine::Core::retx_timeout(const Peer& p) const {
  return std::max(measured_timeout(p), std::min(p.rtt.backoff, kMaxTimeoutMs));
}

Millis Engine::Core::retx_backoff(const Peer& p, Millis interval) const {
  Millis next = static_cast<Millis>(static_cast<double>(interval) * p.cfg.retransmit.backoff);
  // The configured cap keeps a peer that does not answer at all (an endpoint that died, AWS
  // maintenance) asked every few seconds; a peer measured slower than that gets its own.
  // Karn's backoff does not raise the cap: it is a guess, and a peer that went silent
  // right after one must still be asked at the configured pace (gw-failover's endpoint
  // restart took 6.4 s instead of 2-4 s when it did).
  return std::min(next, std::max(p.cfg.retransmit.max_interval_ms, measured_timeout(p)));
}

void Engine::Core::unanswered(Peer& p) { p.rtt.backoff = 0; }

void Engine::Core::start_retx(Peer& p, Retx& r, TimerKind kind, std::uint64_t serial, std::uint32_t mid) {
  cancel(r.timer);
  r.tries = 0;
  r.sent_at = now;
  r.interval = retx_timeout(p);
  r.timer = arm(r.interval, TimerRef{p.id, kind, serial, mid});
}

void Engine::Core::answered(Peer& p, const Retx& r) {
  if (r.tries == 0) {
    Millis sample = now - r.sent_at;
    p.rtt.sample(sample);
    rtt.sample(sample);
    p.rtt.backoff = 0;  // a valid sample collapses the backoff (RFC 6298 §5, after rule 5.7)
    return;
  }
  // Which transmission this answers is unknown (Karn): no sample, but the next exchange
  // starts from the backed-off timeout, so that it can be answered before it is resent.
  Millis next = static_cast<Millis>(static_cast<double>(r.interval) * p.cfg.retransmit.backoff);
  p.rtt.backoff = std::min(std::max(p.rtt.backoff, next), kMaxTimeoutMs);
}

}  // namespace xgw::ike
