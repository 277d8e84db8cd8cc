// The retransmission timer follows the measured round trip (RFC 6298, Karn's rule): a peer
// that answers slowly is waited for, not asked again, and a peer that does not answer at
// all is still asked every few seconds.
#include <gtest/gtest.h>

#include <map>

#include "ike/tests/exchange_harness.h"

namespace xgw::ike::test {
namespace {

// gwd's policy (controller/gwd/peer_config.cpp): 500 ms, doubling, capped at 2 s.
PeerConfig quick_retransmits(PeerConfig c) {
  c.retransmit.initial_ms = 500;
  c.retransmit.backoff = 2.0;
  c.retransmit.max_interval_ms = 2000;
  c.retransmit.tries = 4;
  c.retransmit.restart_delay_ms = 1000;
  return c;
}

// How many times A sent each distinct message.
std::map<Bytes, int> a_sends(const Harness& h) {
  std::map<Bytes, int> n;
  for (const auto& p : h.log)
    if (p.from_a) ++n[p.d.data];
  return n;
}

TEST(Retransmit, FastPeerNeedsNoRetransmission) {
  Harness h(quick_retransmits(default_config(true)), quick_retransmits(default_config(false)));
  h.latency = 50;
  h.start();
  h.advance(3000);
  ASSERT_TRUE(h.both_up());
  for (const auto& [msg, n] : a_sends(h)) EXPECT_EQ(n, 1);
}

// Answers 1.8 s after the request (think: a gateway negotiating hundreds of tunnels at once).
// Only the first message, sent before anything was measured, is sent more than once; every
// later exchange waits for its answer.
TEST(Retransmit, SlowPeerIsWaitedForAfterItsFirstAnswer) {
  Harness h(quick_retransmits(default_config(true)), quick_retransmits(default_config(false)));
  h.latency = 900;
  h.start();
  h.advance(20000);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  int resent = 0;
  for (const auto& [msg, n] : a_sends(h)) resent += n > 1;
  EXPECT_EQ(resent, 1) << "only MM1 may be sent again";
  EXPECT_EQ(h.a.count(EventType::kFailure), 0u);
}

// The longest silence between two of A's datagrams once B went silent (DPD, retransmissions,
// restarts), after a handshake with the given one-way latency whose Quick Mode answer came
// only to the third copy of QM1 (Karn's backoff then stands at 4 s) when `late_qm2`.
Millis longest_gap_to_a_silent_peer(Millis latency, bool late_qm2 = false) {
  Harness h(quick_retransmits(default_config(true)), quick_retransmits(default_config(false)));
  h.latency = latency;
  int qm2_dropped = 0;
  if (late_qm2)
    h.drop = [&](const Packet& p) {
      auto hdr = codec::decode_header(p.d.data);
      return !p.from_a && hdr && hdr->exchange == Exchange::kQuickMode && qm2_dropped++ < 2;
    };
  h.start();
  h.advance(20000);
  EXPECT_TRUE(h.both_up());
  h.drop = nullptr;
  h.blackhole_b = true;
  const std::size_t from = h.log.size();
  h.a.eng->on_liveness_lost(h.a.peer, h.now);  // DPD at once, then restarts forever
  h.advance(90000);
  EXPECT_EQ(h.a.count(EventType::kDpdDead), 1u);
  Millis last = h.now - 90000, longest = 0;
  for (std::size_t i = from; i < h.log.size(); ++i) {
    if (!h.log[i].from_a) continue;
    longest = std::max(longest, h.log[i].at - last);
    last = h.log[i].at;
  }
  return std::max(longest, h.now - last);
}

// An endpoint that died (AWS maintenance) is asked as often as before this timer existed:
// retransmissions capped at 2 s, a restart 1 s after a failed exchange.
TEST(Retransmit, SilentFastPeerIsStillAskedEveryFewSeconds) {
  EXPECT_LE(longest_gap_to_a_silent_peer(50), 3000u);
}

// Karn's backoff is a guess about a slow peer; once the peer answers nothing at all it is
// asked at the configured pace again.
TEST(Retransmit, SilentPeerAfterAnAmbiguousAnswerIsStillAskedEveryFewSeconds) {
  EXPECT_LE(longest_gap_to_a_silent_peer(50, true), 3000u);
}

// One measured slow is asked at its own pace, never more rarely than every 10 s (+ restart).
TEST(Retransmit, SilentSlowPeerIsAskedWithinTheCap) {
  Millis gap = longest_gap_to_a_silent_peer(900);
  EXPECT_GT(gap, 3000u);
  EXPECT_LE(gap, 11000u);
}

}  // namespace
}  // namespace xgw::ike::test
