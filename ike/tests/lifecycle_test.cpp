// Life of a tunnel after the handshake: DPD, Delete, NAT-T, phase 1 and phase 2 rekeys
// (including both sides at once), stale cookies and abuse limits.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "ike/codec/message.h"
#include "ike/tests/exchange_harness.h"

namespace xgw::ike::test {
namespace {

TEST(Dpd, IdlePeersExchangeRUThereAndStayUp) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  std::size_t before = h.log.size();
  h.advance(65000);
  EXPECT_GT(h.log.size(), before + 4);  // R-U-THERE and ACKs went both ways
  EXPECT_EQ(h.a.count(EventType::kDpdDead), 0u);
  EXPECT_EQ(h.b.count(EventType::kDpdDead), 0u);
  EXPECT_TRUE(h.both_up());
}

TEST(Dpd, DeadPeerIsDetectedAndInitiatorRestarts) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  h.blackhole_b = true;
  h.advance(45000);  // 10 s delay x 3 retries (AWS defaults)
  ASSERT_EQ(h.a.count(EventType::kDpdDead), 1u);
  EXPECT_EQ(to_string(h.a.last(EventType::kDpdDead)->reason), "dpd_dead");
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 1u);
  EXPECT_EQ(h.a.count(EventType::kPhase1Down), 1u);
  EXPECT_TRUE(h.a.sad_in.empty());
  EXPECT_FALSE(h.a.eng->status(h.a.peer).phase1_up);
  // The responder side has lost its state (think: AWS endpoint replaced). The initiator
  // restarts with INITIAL-CONTACT and the tunnel comes back.
  h.b.eng = std::make_unique<Engine>(h.b.rng);
  h.b.peer = h.b.eng->add_peer(default_config(false));
  h.b.timers.clear();
  h.b.sad_in.clear();
  h.b.sad_out.clear();
  h.b.out_order.clear();
  h.b.out_active.reset();
  h.blackhole_b = false;
  h.advance(60000);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

TEST(Dpd, LivenessLossChecksAtOnceAndDeclaresADeadPeerWithinRetriesTimesTheUrgentInterval) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  h.advance(3000);  // well inside the 10 s idle delay
  h.blackhole_b = true;
  Millis lost_at = h.now;
  std::size_t sent = h.sent_by(true);
  h.a.eng->on_liveness_lost(h.a.peer, h.now);
  h.pump();
  EXPECT_EQ(h.sent_by(true), sent + 1) << "R-U-THERE goes out at once";
  h.advance(3500);  // 3 retries x 1 s, then the check that finds them unanswered
  ASSERT_EQ(h.a.count(EventType::kDpdDead), 1u);
  EXPECT_EQ(h.a.last(EventType::kDpdDead)->detail, "3 R-U-THERE unanswered");
  EXPECT_LE(h.now - lost_at, 3500u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 1u);
  // The initiator restarts after its restart delay: Main Mode goes out again.
  std::size_t after_dead = h.sent_by(true);
  h.advance(default_config(true).retransmit.restart_delay_ms + 500);
  EXPECT_GT(h.sent_by(true), after_dead);
}

TEST(Dpd, LivenessLossWithAnAnsweringPeerKeepsTheTunnelAndReturnsToTheIdleDelay) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  h.a.eng->on_liveness_lost(h.a.peer, h.now);
  h.pump();  // R-U-THERE and its ACK
  std::size_t sent = h.sent_by(true);
  h.advance(5000);  // the urgent interval no longer applies once the peer answered
  EXPECT_EQ(h.sent_by(true), sent);
  EXPECT_EQ(h.a.count(EventType::kDpdDead), 0u);
  EXPECT_TRUE(h.both_up());
}

TEST(QuickMode, ResponderInstallsInboundWithQm2AndRemovesItWhenQm3NeverComes) {
  Harness h;
  int qm_from_a = 0;
  h.drop = [&](const Packet& p) {
    auto hdr = codec::decode_header(p.d.data);
    return p.from_a && hdr && hdr->exchange == Exchange::kQuickMode && qm_from_a++ >= 1;  // QM3 and on
  };
  h.start();
  // The initiator may send on the new SA right after QM2: the responder already receives.
  ASSERT_EQ(h.b.sad_in.size(), 1u);
  EXPECT_FALSE(h.b.out_active.has_value()) << "outbound waits for QM3";
  ASSERT_TRUE(h.a.out_active.has_value());
  EXPECT_EQ(h.b.sad_in.count(*h.a.out_active), 1u);
  h.advance(120000);  // QM2 retransmissions run out (2 + 4 + 8 + 16 + 30 s)
  EXPECT_TRUE(h.b.sad_in.empty()) << "the early inbound SA is removed with the failed Quick Mode";
  ASSERT_NE(h.b.last(EventType::kFailure), nullptr);
  EXPECT_EQ(to_string(h.b.last(EventType::kFailure)->reason), "no_reply:QM2");
}

TEST(Delete, TerminateDeletesEspThenIsakmpOnBothSides) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  std::uint32_t b_in = *h.b.out_active;
  h.a.eng->terminate(h.a.peer, h.now);
  h.pump();
  EXPECT_TRUE(h.a.sad_in.empty());
  EXPECT_TRUE(h.b.sad_in.empty());
  EXPECT_TRUE(h.b.sad_out.empty());
  EXPECT_EQ(h.b.count(EventType::kPeerDelete), 2u);  // ESP, then ISAKMP
  ASSERT_NE(h.b.last(EventType::kPhase2Down), nullptr);
  EXPECT_EQ(h.b.last(EventType::kPhase2Down)->spi_out, b_in);
  EXPECT_EQ(h.b.count(EventType::kPhase1Down), 1u);
  EXPECT_FALSE(h.b.eng->status(h.b.peer).phase1_up);
  h.advance(100000);  // nothing restarts: the initiator was told to stop
  EXPECT_FALSE(h.a.eng->status(h.a.peer).phase1_up);
}

TEST(Delete, PeerDeleteOfIsakmpSaKeepsEspAndReconnects) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  // The responder (AWS maintenance) deletes everything; the CGW re-initiates.
  h.b.eng->terminate(h.b.peer, h.now);
  h.pump();
  EXPECT_EQ(h.a.count(EventType::kPeerDelete), 2u);
  EXPECT_EQ(h.a.count(EventType::kPhase1Down), 1u);
  h.advance(20000);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

TEST(NatT, InitiatorBehindNatFloatsTo4500AndUsesUdpEncap) {
  Harness h(default_config(true), default_config(false), /*nat=*/true);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_TRUE(h.a.eng->status(h.a.peer).nat_detected);
  EXPECT_TRUE(h.b.eng->status(h.b.peer).nat_detected);
  for (std::size_t i = 0; i < h.log.size(); ++i) {
    const auto& d = h.log[i].d;
    bool floated = i >= 4;  // MM5 and later (RFC 3947 §4)
    EXPECT_EQ(d.local.port, floated ? kNatTPort : kIkePort) << i;
    EXPECT_EQ(d.non_esp_marker, floated) << i;
  }
  const EspSa& out = h.a.sad_out.at(*h.a.out_active);
  EXPECT_EQ(out.mode, EspMode::kUdpEncapTunnel);
  EXPECT_EQ(out.encap_sport, kNatTPort);
  EXPECT_EQ(out.encap_dport, kNatTPort);
  EXPECT_EQ(out.src, kCgwPrivateIp);
  const EspSa& bout = h.b.sad_out.at(*h.b.out_active);
  EXPECT_EQ(bout.encap_dport, 44500);  // the NAT's mapped port
  EXPECT_EQ(bout.dst, kCgwIp);
  h.advance(30000);  // DPD over 4500 keeps working
  EXPECT_TRUE(h.both_up());
  EXPECT_GE(h.a.keepalives, 1u);  // only the side behind the NAT keeps the mapping open
  EXPECT_EQ(h.b.keepalives, 0u);
}

TEST(NatT, NoNatMeansNoFloat) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  EXPECT_FALSE(h.a.eng->status(h.a.peer).nat_detected);
  for (const auto& p : h.log) EXPECT_EQ(p.d.local.port, kIkePort);
}

// Phase 2 rekey: make-before-break. At no point is there no outbound SA on either side.
TEST(Rekey, Phase2MakeBeforeBreak) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.rekey_margin_s = 540;  // the initiator rekeys first (the responder takes the same lifetime)
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  std::uint32_t old_a = *h.a.out_active, old_b = *h.b.out_active;
  for (int i = 0; i < 400; ++i) {
    h.advance(10000);
    ASSERT_TRUE(h.a.out_active.has_value());
    ASSERT_TRUE(h.b.out_active.has_value());
  }
  EXPECT_NE(*h.a.out_active, old_a);
  EXPECT_NE(*h.b.out_active, old_b);
  h.expect_matching_sas();
  EXPECT_EQ(h.a.sad_in.size(), 1u);  // old pair deleted after the switch
  EXPECT_EQ(h.b.sad_in.size(), 1u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Down), 0u);
}

TEST(Rekey, OutboundSwitchesOnFirstInboundPacket) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.rekey_margin_s = 540;
  ca.outbound_switch_delay_ms = 60000;
  Harness h(ca, cb);
  h.start();
  std::uint32_t old_a = *h.a.out_active;
  h.advance((3600 - 540) * 1000ull + 10);
  ASSERT_EQ(h.a.sad_in.size(), 2u);  // new inbound installed, outbound not yet switched
  EXPECT_EQ(*h.a.out_active, old_a);
  // The responder switched on QM3; its new outbound SPI is our new inbound SPI.
  std::uint32_t new_in = *h.b.out_active;
  ASSERT_TRUE(h.a.sad_in.count(new_in));
  h.a.eng->on_esp_inbound(new_in, h.now);
  h.pump();
  EXPECT_NE(*h.a.out_active, old_a);
  h.expect_matching_sas();
  EXPECT_EQ(h.a.sad_in.size(), 1u);
}

// A responder like strongSwan does not retransmit QM2 when QM3 is lost: this harness's
// responder does, so its retransmissions are dropped too. QM is exchange 32; QM3 is the
// only Quick Mode message without SA, nonce and KE, so the shortest by far.
struct LoseQm3 {
  int qm3_to_lose = 1;
  std::set<std::uint32_t> answered;  // Quick Modes B has sent QM2 for
  bool operator()(const Packet& p) {
    auto h = codec::decode_header(p.d.data);
    if (!h || h->exchange != Exchange::kQuickMode) return false;
    if (p.from_a && p.d.data.size() <= 80 && qm3_to_lose > 0) {
      --qm3_to_lose;
      return true;
    }
    if (!p.from_a) return !answered.insert(h->message_id).second;  // QM2 retransmissions
    return false;
  }
};

TEST(Rekey, LostQm3IsSentAgainInsteadOfSwitchingBlind) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.rekey_margin_s = 540;
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  std::uint32_t old_a = *h.a.out_active, old_b = *h.b.out_active;
  auto lose = std::make_shared<LoseQm3>();
  h.drop = [lose](const Packet& p) { return (*lose)(p); };
  h.advance((3600 - 540) * 1000ull + 10);  // A rekeys; B never sees QM3
  ASSERT_EQ(h.a.sad_in.size(), 2u);
  EXPECT_EQ(*h.b.out_active, old_b) << "B has no new pair";
  h.advance(ca.outbound_switch_delay_ms);  // no packet on the new inbound SA: QM3 again
  EXPECT_EQ(*h.a.out_active, old_a) << "A must not switch into a pair B does not have";
  ASSERT_NE(*h.b.out_active, old_b) << "B got the resent QM3 and switched";
  std::uint32_t new_in = *h.b.out_active;
  h.a.eng->on_esp_inbound(new_in, h.now);  // B's first packet on the new pair
  h.pump();
  EXPECT_NE(*h.a.out_active, old_a);
  h.expect_matching_sas();
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
}

TEST(Rekey, WithNoTrafficTheSwitchHappensAfterTheQm3Resends) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.rekey_margin_s = 540;
  Harness h(ca, cb);
  h.start();
  std::uint32_t old_a = *h.a.out_active;
  h.advance((3600 - 540) * 1000ull + 10);
  std::size_t qm_before = 0;
  for (const auto& p : h.log) qm_before += p.from_a && p.d.data.size() <= 80;
  h.advance(3 * ca.outbound_switch_delay_ms + 10);  // three resends, nothing received
  EXPECT_EQ(*h.a.out_active, old_a);
  h.advance(ca.outbound_switch_delay_ms);
  EXPECT_NE(*h.a.out_active, old_a) << "switched after the last resend, as before";
  std::size_t qm_after = 0;
  for (const auto& p : h.log) qm_after += p.from_a && p.d.data.size() <= 80;
  EXPECT_GE(qm_after, qm_before + 3);
  h.expect_matching_sas();
}

TEST(Rekey, SimultaneousPhase2RekeyEndsWithOneMatchingPair) {
  // No fuzz, and the responder's margin twice the initiator's: its backstop rekey (half its
  // margin before expiry) falls at the instant the initiator rekeys, so both sides start a
  // Quick Mode for the same pair at once, as a peer that ignores the backstop rule does.
  PeerConfig ca = default_config(true), cb = default_config(false);
  cb.rekey_margin_s = 2 * ca.rekey_margin_s;
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  for (int i = 0; i < 400; ++i) {
    h.advance(10000);
    ASSERT_TRUE(h.a.out_active.has_value());
    ASSERT_TRUE(h.b.out_active.has_value());
  }
  h.expect_matching_sas();
  EXPECT_EQ(h.a.sad_in.size(), 1u);
  EXPECT_EQ(h.b.sad_in.size(), 1u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Down), 0u);
  // Both sides really rekeyed at once: each saw its own and the peer's new pair come up.
  EXPECT_EQ(h.a.count(EventType::kPhase2Up), 3u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Up), 3u);
}

// A peer such as strongSwan deletes the child SAs it negotiated under an ISAKMP SA together
// with it, so the re-authenticating side renews the active pair on the new ISAKMP SA
// (make-before-break) and only then deletes the old ISAKMP SA.
TEST(Rekey, Phase1ReauthenticationRenewsTheChildPairBeforeDeletingTheOldSa) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.ike_lifetime_s = cb.ike_lifetime_s = 3000;
  ca.rekey_margin_s = 540;  // the initiator re-authenticates first
  ca.esp_lifetime_s = cb.esp_lifetime_s = 28800;
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  std::uint32_t spi = *h.a.out_active;
  h.advance(3000 * 1000);
  EXPECT_EQ(h.a.count(EventType::kPhase1Up), 2u);
  EXPECT_EQ(h.a.count(EventType::kPhase1Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase1Down), 0u);
  EXPECT_EQ(h.a.eng->status(h.a.peer).ike_sas, 1u);
  EXPECT_EQ(h.b.eng->status(h.b.peer).ike_sas, 1u);
  EXPECT_NE(*h.a.out_active, spi) << "the pair was renewed on the new ISAKMP SA";
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Down), 0u);
  EXPECT_EQ(h.a.sad_in.size(), 1u);
  EXPECT_EQ(h.b.sad_in.size(), 1u);
  h.expect_matching_sas();
  // The responder saw the new pair come up before the old ISAKMP SA was deleted.
  std::size_t renewed = 0, deleted = 0;
  for (std::size_t i = 0; i < h.b.events.size(); ++i) {
    const Event& e = h.b.events[i];
    if (e.type == EventType::kPhase2Up) renewed = i;
    if (e.type == EventType::kPeerDelete && e.detail == "ISAKMP SA") deleted = i;
  }
  EXPECT_GT(deleted, 0u);
  EXPECT_LT(renewed, deleted);
  h.advance(20000);  // DPD and Informationals run on the new ISAKMP SA
  EXPECT_TRUE(h.both_up());
}

// Loses every Quick Mode message (either way) while the clock is in [from, to).
void lose_quick_modes(Harness& h, Millis from, Millis to) {
  h.drop = [&h, from, to](const Packet& p) {
    auto hd = codec::decode_header(p.d.data);
    return hd && hd->exchange == Exchange::kQuickMode && h.now >= from && h.now < to;
  };
}

// The pair expires at 3600 s; A rekeys it at 3060 s, B only as the backstop at 3597.5 s.
Harness a_rekeys_first() {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.rekey_margin_s = 540;
  cb.rekey_margin_s = 10;
  return Harness(ca, cb);
}

// A rekey that got no answer (the peer unreachable for a few minutes) is tried again while
// the pair lives, not left for the pair to expire.
TEST(Rekey, UnansweredRekeyIsTriedAgain) {
  Harness h = a_rekeys_first();
  h.start();
  ASSERT_TRUE(h.both_up());
  std::uint32_t first = *h.a.out_active;
  lose_quick_modes(h, 3000 * 1000, 3300 * 1000);  // A's first attempt fails
  h.advance(3400 * 1000);
  ASSERT_TRUE(h.both_up());
  EXPECT_NE(*h.a.out_active, first);
  EXPECT_GE(h.a.count(EventType::kFailure), 1u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
  h.expect_matching_sas();
}

// A pair that expired because no rekey got through (every attempt of both ends lost until after
// the expiry) is replaced by a new one under the ISAKMP SA that still lives: phase 2 does not stay
// down until the next re-authentication.
TEST(Rekey, ExpiredPairIsReplacedWhileTheIsakmpSaLives) {
  Harness h = a_rekeys_first();
  h.start();
  ASSERT_TRUE(h.both_up());
  // B's backstop rekey (3597.5 s) gives up after its five retransmissions, at about 3657 s.
  lose_quick_modes(h, 3000 * 1000, 3660 * 1000);
  h.advance(3800 * 1000);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 1u);  // expired at 3600 s
  EXPECT_EQ(h.a.count(EventType::kPhase1Down), 0u);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

TEST(Rekey, SimultaneousPhase1ReauthenticationConverges) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.ike_lifetime_s = cb.ike_lifetime_s = 3000;
  ca.esp_lifetime_s = cb.esp_lifetime_s = 28800;
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.advance(2800 * 1000);
  EXPECT_TRUE(h.both_up());
  EXPECT_GE(h.a.eng->status(h.a.peer).ike_sas, 1u);
  EXPECT_GE(h.b.eng->status(h.b.peer).ike_sas, 1u);
  h.expect_matching_sas();
  h.advance(3000 * 1000);
  EXPECT_TRUE(h.both_up());
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
}

TEST(StaleCookie, ResponderDropsUnknownCookiesSilently) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  // The responder restarts and forgets everything; the initiator's next Informational and
  // Quick Mode carry cookies it no longer knows.
  h.b.eng = std::make_unique<Engine>(h.b.rng);
  h.b.peer = h.b.eng->add_peer(default_config(false));
  h.b.timers.clear();
  h.b.sad_in.clear();
  h.b.sad_out.clear();
  h.b.out_order.clear();
  h.b.out_active.reset();
  std::size_t b_before = h.sent_by(false);
  h.advance(25000);
  EXPECT_EQ(h.sent_by(false), b_before);  // no answer to stale cookies
  h.advance(60000);  // DPD declares the peer dead; the initiator restarts
  EXPECT_EQ(h.a.count(EventType::kDpdDead), 1u);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

TEST(Limits, HalfOpenCapPerPeer) {
  EngineLimits lim;
  lim.max_half_open_per_peer = 4;
  Harness h(default_config(true), default_config(false), false, lim);
  h.start();
  h.pump();
  // Replay MM1 with fresh cookies, as a flood would.
  Bytes mm1 = h.log[0].d.data;
  for (int i = 0; i < 50; ++i) {
    mm1[0] = static_cast<std::uint8_t>(i + 1);
    mm1[1] = 0x77;
    h.b.eng->on_datagram({kAwsIp, 500}, {kCgwIp, 500}, mm1, h.now);
  }
  EXPECT_LE(h.b.eng->status(h.b.peer).half_open, 4u);
  h.advance(40000);  // half-open state expires
  EXPECT_EQ(h.b.eng->status(h.b.peer).half_open, 0u);
}

TEST(Keylog, KeysEstablishedIsOptIn) {
  PeerConfig ca = default_config(true);
  ca.emit_keys = true;
  Harness h(ca);
  h.start();
  ASSERT_TRUE(h.both_up());
  EXPECT_EQ(h.b.count(EventType::kKeysEstablished), 0u);
  ASSERT_EQ(h.a.count(EventType::kKeysEstablished), 2u);  // ISAKMP SA, then ESP SAs
  const Event* e = h.a.last(EventType::kKeysEstablished);
  ASSERT_TRUE(e->keys.has_value());
  const EspSa& out = h.a.sad_out.at(*h.a.out_active);
  EXPECT_EQ(e->keys->esp_out_enc, out.enc_key);
  EXPECT_EQ(e->keys->esp_transform, out.transform);
  EXPECT_EQ(e->keys->esp_integ, out.integ);
  EXPECT_EQ(e->keys->local_ip, out.src);
  EXPECT_EQ(e->keys->remote_ip, out.dst);
}

}  // namespace
}  // namespace xgw::ike::test

namespace xgw::ike::test {
namespace {

TEST(ResponderLifetime, ShorterResponderLifetimeIsNotifiedAndHonoured) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.esp_lifetime_s = 3600;
  cb.esp_lifetime_s = 1800;
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.a.sad_out.at(*h.a.out_active).hard_lifetime_s, 1800u);
  EXPECT_EQ(h.b.sad_out.at(*h.b.out_active).hard_lifetime_s, 1800u);
}

// Phase 1: the responder's shorter ISAKMP SA lifetime arrives in an Informational after MM6
// (RFC 2407 §4.6.3.1, protocol ISAKMP); the initiator re-arms its re-authentication timer.
std::size_t informationals_from(const Harness& h, bool from_a, std::size_t upto) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < std::min(upto, h.log.size()); ++i) {
    auto hd = codec::decode_header(h.log[i].d.data);
    n += h.log[i].from_a == from_a && hd && hd->exchange == Exchange::kInformational;
  }
  return n;
}
std::size_t main_mode_starts_by_a(const Harness& h) {
  std::size_t n = 0;
  for (const auto& p : h.log) {
    auto hd = codec::decode_header(p.d.data);
    n += p.from_a && hd && hd->exchange == Exchange::kIdentityProtection && hd->cky_r == codec::Cookie{};
  }
  return n;
}
PeerConfig phase1_lifetimes(bool initiator_side, std::uint32_t ike_lifetime_s) {
  PeerConfig c = default_config(initiator_side);
  c.ike_lifetime_s = ike_lifetime_s;
  c.esp_lifetime_s = 28800;  // no phase 2 rekey in the window looked at
  // The responder would re-authenticate at 3590 s on its own: a Main Mode before that came
  // from the initiator's timer.
  if (!initiator_side) c.rekey_margin_s = 10;
  return c;
}

TEST(ResponderLifetime, Phase1ShorterLifetimeIsSentAfterMainModeAndHonoured) {
  Harness h(phase1_lifetimes(true, 28800), phase1_lifetimes(false, 3600));
  h.start();
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.log.size(), 10u);  // MM1..MM6, the responder's Informational, QM1..QM3
  EXPECT_EQ(informationals_from(h, false, h.log.size()), 1u);
  h.advance(3400 * 1000);  // initiator: 3600 - 270 s margin, not 28800 - 270
  EXPECT_EQ(main_mode_starts_by_a(h), 2u);
  EXPECT_EQ(h.a.count(EventType::kPhase1Up), 2u);
  EXPECT_EQ(h.a.count(EventType::kPhase1Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase1Down), 0u);
  EXPECT_EQ(h.a.eng->status(h.a.peer).ike_sas, 1u);
  EXPECT_EQ(h.b.eng->status(h.b.peer).ike_sas, 1u);
  EXPECT_TRUE(h.both_up());
}

TEST(ResponderLifetime, Phase1NotSentWhenTheProposalIsNotLonger) {
  Harness h(phase1_lifetimes(true, 3600), phase1_lifetimes(false, 28800));
  h.start();
  ASSERT_TRUE(h.both_up());
  EXPECT_EQ(h.log.size(), 9u);
  EXPECT_EQ(informationals_from(h, false, h.log.size()), 0u);
}

TEST(ResponderLifetime, Phase1NoticeIsRepeatedWithARetransmittedMm6) {
  Harness h(phase1_lifetimes(true, 28800), phase1_lifetimes(false, 3600));
  bool dropped = false;
  h.drop = [&](const Packet& p) {
    if (!dropped && p.index == 5) return dropped = true;  // the first MM6
    return false;
  };
  h.start();
  h.advance(10000);
  ASSERT_TRUE(dropped);
  ASSERT_TRUE(h.both_up());
  EXPECT_EQ(informationals_from(h, false, h.log.size()), 2u);  // once lost with MM6's answer, once read
  h.advance(3400 * 1000);
  EXPECT_EQ(main_mode_starts_by_a(h), 2u);
}

}  // namespace
}  // namespace xgw::ike::test

namespace xgw::ike::test {
namespace {

// Both ends initiate at the same instant; both tunnels are up 5 s later.
void initiate_both_at_once(Harness& h) {
  h.a.eng->initiate(h.a.peer, h.now);
  h.b.eng->initiate(h.b.peer, h.now);
  h.pump();
  h.advance(5000);
}

// Still up with matching SAs, and no pair was lost, after `ms` more.
void expect_up_without_loss_after(Harness& h, Millis ms) {
  h.advance(ms);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Down), 0u);
}

TEST(Collision, BothSidesInitiateAtOnce) {
  Harness h;
  initiate_both_at_once(h);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  expect_up_without_loss_after(h, 8000 * 1000);  // through several rekeys and re-authentications
  EXPECT_LE(h.a.sad_in.size(), 2u);
  EXPECT_LE(h.b.sad_in.size(), 2u);
}

// Both ends initiating at once leave two ISAKMP SAs, each re-authenticated by its initiator
// from then on: two for good unless one end retires one. After the grace the peer gets to
// clean up, both ends keep the same one (the lowest cookies) and delete the other once the
// active pair runs on a pair renewed under the one kept.
TEST(Collision, DuplicateIsakmpSaIsRetiredByBothEndsAlike) {
  Harness h;
  initiate_both_at_once(h);
  ASSERT_TRUE(h.both_up());
  ASSERT_EQ(h.a.eng->status(h.a.peer).ike_sas, 2u);
  ASSERT_EQ(h.b.eng->status(h.b.peer).ike_sas, 2u);
  expect_up_without_loss_after(h, 30000);
  EXPECT_EQ(h.a.eng->status(h.a.peer).ike_sas, 1u);
  EXPECT_EQ(h.b.eng->status(h.b.peer).ike_sas, 1u);
  const Event* da = h.a.last(EventType::kPhase1Duplicate);
  const Event* db = h.b.last(EventType::kPhase1Duplicate);
  ASSERT_NE(da, nullptr);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(da->detail, db->detail);
  EXPECT_EQ(h.a.count(EventType::kPhase1Down), 0u);
  // The DPD and rekeys that follow run on the ISAKMP SA kept.
  expect_up_without_loss_after(h, 8000 * 1000);
  EXPECT_EQ(h.a.count(EventType::kPhase1Duplicate), 1u);
  EXPECT_EQ(h.b.count(EventType::kPhase1Duplicate), 1u);
}

}  // namespace
}  // namespace xgw::ike::test
