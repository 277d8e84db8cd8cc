// A controller restart with the kernel keeping the ESP SAs: Engine::snapshot / restore carry
// the peer's ISAKMP and child SAs over, so the peer (B, standing for the AWS endpoint) never
// sees a new negotiation. Also remove_peer and update_liveness.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ike/codec/message.h"
#include "ike/tests/exchange_harness.h"

namespace xgw::ike::test {
namespace {

using nlohmann::json;

// gwd restarts on one side: a fresh engine with its own random generator (a new process has a
// new CSPRNG state), the peer added again with its config. The kernel (the side's SAD in the
// harness) keeps its SAs.
void restart(Harness& h, Side& s, PeerConfig cfg, std::uint64_t seed = 101) {
  h.pump();
  s.eng.reset();
  s.rng = DeterministicRandom(seed);
  s.eng = std::make_unique<Engine>(s.rng);
  s.peer = s.eng->add_peer(std::move(cfg));
  s.timers.clear();
  s.events.clear();
}

std::function<bool(std::uint32_t, std::uint32_t)> kernel_of(const Side& s) {
  return [&s](std::uint32_t in, std::uint32_t out) { return s.sad_in.count(in) && (!out || s.sad_out.count(out)); };
}

std::size_t exchanges_since(const Harness& h, std::size_t from, Exchange ex, std::optional<bool> from_a = {}) {
  std::size_t n = 0;
  for (std::size_t i = from; i < h.log.size(); ++i) {
    auto hd = codec::decode_header(h.log[i].d.data);
    n += hd && hd->exchange == ex && (!from_a || h.log[i].from_a == *from_a);
  }
  return n;
}

std::size_t events_with(const Side& s, EventType t, const std::string& detail) {
  std::size_t n = 0;
  for (const auto& e : s.events) n += e.type == t && e.detail == detail;
  return n;
}

// Restores A from `snap` and returns the actions the restore produced.
std::vector<Action> restore_a(Harness& h, const json& snap) {
  std::vector<Action> acts;
  h.observe = [&](bool from_a, const Action& a) {
    if (from_a) acts.push_back(a);
  };
  auto err = h.a.eng->restore(h.a.peer, snap, h.now, kernel_of(h.a));
  EXPECT_FALSE(err.has_value()) << *err;
  h.pump();
  h.observe = nullptr;
  return acts;
}

template <class T>
std::size_t count_of(const std::vector<Action>& acts) {
  return static_cast<std::size_t>(std::count_if(acts.begin(), acts.end(), [](const Action& a) { return std::holds_alternative<T>(a); }));
}

// Both sides up, A's snapshot taken, then A restarted (not restored yet): the start of most
// tests below. a_in / a_out: A's active pair before the restart.
class PersistAfterRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    h.start();
    ASSERT_TRUE(h.both_up());
    snap = h.a.eng->snapshot(h.a.peer);
    a_in = *h.b.out_active;
    a_out = *h.a.out_active;
    restart(h, h.a, default_config(true));
  }
  Harness h;
  json snap;
  std::uint32_t a_in = 0, a_out = 0;
};

TEST(Persist, RestoredInitiatorCarriesOnWithTheSameSas) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  h.advance(30000);
  json snap = h.a.eng->snapshot(h.a.peer);
  ASSERT_EQ(snap["version"], 1);
  std::uint32_t a_in = *h.b.out_active, a_out = *h.a.out_active;
  // gwd is down for 5 s; B's traffic to A goes unanswered meanwhile. The restarted A first
  // sends no R-U-THERE itself, so every R-U-THERE below comes from B and A2 must answer it.
  PeerConfig quiet = default_config(true);
  quiet.dpd_delay_s = 0;
  restart(h, h.a, quiet);
  h.advance(5000);
  std::size_t log_before = h.log.size();
  auto acts = restore_a(h, snap);
  EXPECT_EQ(h.log.size(), log_before) << "nothing is sent at restore";
  EXPECT_EQ(count_of<InstallSaPair>(acts), 0u) << "the kernel kept the SAs";
  EXPECT_EQ(count_of<SwitchOutbound>(acts), 0u);
  EXPECT_EQ(count_of<DeleteSaPair>(acts), 0u);
  EXPECT_EQ(events_with(h.a, EventType::kPhase1Up, "restored"), 1u);
  ASSERT_EQ(events_with(h.a, EventType::kPhase2Up, "restored"), 1u);
  const Event* up = h.a.last(EventType::kPhase2Up);
  EXPECT_EQ(up->spi_in, a_in);
  EXPECT_EQ(up->spi_out, a_out);
  PeerStatus st = h.a.eng->status(h.a.peer);
  EXPECT_TRUE(st.phase1_up);
  EXPECT_EQ(st.child_sas, 1u);
  EXPECT_EQ(st.active_spi_in, a_in);
  EXPECT_EQ(st.active_spi_out, a_out);

  // B's R-U-THEREs are answered on the restored ISAKMP SA.
  h.advance(60000);
  EXPECT_GE(exchanges_since(h, log_before, Exchange::kInformational, false), 3u);
  EXPECT_GE(exchanges_since(h, log_before, Exchange::kInformational, true), 3u);
  EXPECT_EQ(h.b.count(EventType::kDpdDead), 0u);
  // A2's own DPD works too (B stops asking, so only A2 does).
  h.b.eng->update_liveness(h.b.peer, 0, 3);
  h.a.eng->update_liveness(h.a.peer, 10, 3);
  std::size_t mid = h.log.size();
  h.advance(60000);
  EXPECT_GE(exchanges_since(h, mid, Exchange::kInformational, true), 3u);
  EXPECT_EQ(h.a.count(EventType::kDpdDead), 0u);
  EXPECT_EQ(h.b.count(EventType::kDpdDead), 0u);

  // A2 rekeys the child pair as Quick Mode initiator when it is due, on the same cookies.
  h.advance(3600 * 1000);
  EXPECT_GE(events_with(h.a, EventType::kPhase2Up, "rekey"), 1u);
  EXPECT_EQ(exchanges_since(h, log_before, Exchange::kIdentityProtection), 0u) << "no new Main Mode";
  EXPECT_GE(exchanges_since(h, log_before, Exchange::kQuickMode, true), 2u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Down), 0u);
  EXPECT_EQ(h.b.eng->status(h.b.peer).ike_sas, 1u);
  EXPECT_NE(*h.a.out_active, a_out);
  h.expect_matching_sas();
  EXPECT_EQ(h.a.sad_in.size(), 1u);
  EXPECT_EQ(h.b.sad_in.size(), 1u);
  EXPECT_EQ(h.a.eng->snapshot(h.a.peer)["ike_sas"][0]["cky_i"], snap["ike_sas"][0]["cky_i"]);
}

TEST_F(PersistAfterRestart, PairTheKernelLostIsDeletedAndRenewedOnTheRestoredIsakmpSa) {
  // The kernel lost the pair (say the machine's XFRM state was flushed).
  h.a.sad_in.clear();
  h.a.sad_out.clear();
  h.a.out_order.clear();
  h.a.out_active.reset();
  std::size_t log_before = h.log.size();
  auto acts = restore_a(h, snap);
  EXPECT_EQ(count_of<DeleteSaPair>(acts), 0u) << "nothing to remove from the kernel";
  EXPECT_EQ(events_with(h.a, EventType::kPhase1Up, "restored"), 1u);
  EXPECT_EQ(events_with(h.a, EventType::kPhase2Up, "restored"), 0u);
  h.advance(5000);
  ASSERT_GE(h.b.count(EventType::kPeerDelete), 1u);
  const Event* del = h.b.last(EventType::kPeerDelete);
  EXPECT_EQ(del->detail, "ESP SA");
  EXPECT_EQ(del->spi_out, a_in);
  EXPECT_EQ(exchanges_since(h, log_before, Exchange::kIdentityProtection), 0u) << "Quick Mode on the restored SA";
  EXPECT_EQ(exchanges_since(h, log_before, Exchange::kQuickMode, true), 2u);  // QM1, QM3
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.a.eng->status(h.a.peer).child_sas, 1u);
  EXPECT_EQ(h.b.eng->status(h.b.peer).child_sas, 1u);
  EXPECT_EQ(h.a.sad_in.size(), 1u);
  EXPECT_EQ(h.b.sad_in.size(), 1u);
}

TEST_F(PersistAfterRestart, SnapshotPastTheIsakmpSaLifetimeStartsOverLikeInitiate) {
  h.advance(28810 * 1000);  // A stays down; B declares it dead and forgets it
  EXPECT_EQ(h.b.count(EventType::kDpdDead), 1u);
  std::size_t log_before = h.log.size();
  auto acts = restore_a(h, snap);
  EXPECT_EQ(events_with(h.a, EventType::kPhase1Up, "restored"), 0u);
  EXPECT_EQ(events_with(h.a, EventType::kPhase2Up, "restored"), 0u);
  EXPECT_EQ(count_of<DeleteSaPair>(acts), 1u) << "the expired pair the kernel still listed goes";
  EXPECT_EQ(h.a.sad_in.count(a_in), 0u);
  EXPECT_EQ(exchanges_since(h, log_before, Exchange::kIdentityProtection, true), 3u);  // MM1, MM3, MM5
  h.advance(5000);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.a.count(EventType::kPhase1Up), 1u);
}

TEST_F(PersistAfterRestart, MalformedOrForeignSnapshotIsRefusedAndChangesNothing) {
  auto refused = [&](json s, const std::string& field) {
    std::size_t acts = 0;
    h.observe = [&](bool from_a, const Action&) { acts += from_a; };
    auto err = h.a.eng->restore(h.a.peer, s, h.now, kernel_of(h.a));
    h.pump();
    h.observe = nullptr;
    ASSERT_TRUE(err.has_value()) << "accepted a snapshot with a bad " << field;
    EXPECT_NE(err->find(field), std::string::npos) << *err;
    EXPECT_EQ(err->find('\n'), std::string::npos) << *err;
    EXPECT_EQ(acts, 0u) << *err;
    PeerStatus st = h.a.eng->status(h.a.peer);
    EXPECT_FALSE(st.phase1_up);
    EXPECT_EQ(st.child_sas, 0u);
  };
  json s = snap;
  s["ike_sas"][0].erase("cky_i");
  refused(s, "ike_sas[0].cky_i");
  s = snap;
  s["version"] = 2;
  refused(s, "version");
  s = snap;
  s["peer"]["remote_ip"] = "192.0.2.1";
  refused(s, "peer.remote_ip");
  s = snap;
  s["child_sas"][0]["in"]["enc_key"] = "zz";
  refused(s, "child_sas[0].in.enc_key");
  s = snap;
  s["ike_sas"][0]["suite"]["hash"] = 99;
  refused(s, "ike_sas[0].suite.hash");
  s = snap;
  s["ike_sas"][0]["established_at"] = h.now + 1000;
  refused(s, "future");
  refused(json::array(), "snapshot: not an object");
  // A snapshot for another identity than the peer's config is foreign too.
  PeerConfig other = default_config(true);
  other.local_id = ip(192, 0, 2, 7);
  PeerId foreign = h.a.eng->add_peer(other);
  auto err = h.a.eng->restore(foreign, snap, h.now, kernel_of(h.a));
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("peer.local_id"), std::string::npos) << *err;

  // The peer was left untouched: it can still be brought up the usual way.
  h.a.eng->initiate(h.a.peer, h.now);
  h.pump();
  h.advance(5000);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

// Every field of a snapshot replaced by a value of the wrong type or range: each one is refused
// with an error naming that field, and the peer stays untouched throughout.
TEST_F(PersistAfterRestart, EveryFieldIsChecked) {
  const json bad_values[] = {nullptr, "x", -1, 1.5, json::array(), json::object()};
  std::size_t checked = 0;
  const json leaves = snap.flatten();
  for (const auto& [pointer, value] : leaves.items()) {
    std::string key = pointer.substr(pointer.rfind('/') + 1);
    for (const json& bad : bad_values) {
      json s = snap;
      s[json::json_pointer(pointer)] = bad;
      std::optional<std::string> err;
      ASSERT_NO_THROW(err = h.a.eng->restore(h.a.peer, s, h.now, kernel_of(h.a))) << pointer;
      ASSERT_TRUE(err.has_value()) << pointer << " = " << bad.dump();
      EXPECT_NE(err->find(key), std::string::npos) << pointer << ": " << *err;
      ++checked;
    }
  }
  EXPECT_GT(checked, 300u);
  EXPECT_TRUE(h.a.eng->take_actions().empty());
  EXPECT_FALSE(h.a.eng->status(h.a.peer).phase1_up);
  EXPECT_FALSE(h.a.eng->restore(h.a.peer, snap, h.now, kernel_of(h.a)).has_value());
}

TEST(Persist, SnapshotOfARestoredPeerEqualsTheOriginalButForTheDpdSkip) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  h.advance(30000);  // R-U-THEREs went out: the sequence has started
  json s1 = h.a.eng->snapshot(h.a.peer);
  auto seq = s1["dpd_seq"].get<std::uint32_t>();
  ASSERT_NE(seq, 0u);
  restart(h, h.a, default_config(true));
  restore_a(h, s1);
  json s2 = h.a.eng->snapshot(h.a.peer);
  EXPECT_EQ(s2["dpd_seq"].get<std::uint32_t>(), seq + 0x10000u);
  s2["dpd_seq"] = seq;
  EXPECT_EQ(s1, s2) << s1.dump(1) << "\n" << s2.dump(1);
}

TEST(Persist, RestoredPeerAcceptsAQuickModeTheAwsSideStarts) {
  // B's rekey backstop (half its margin before expiry) comes before A's own rekey.
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.rekey_margin_s = 100;
  cb.rekey_margin_s = 600;
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  json snap = h.a.eng->snapshot(h.a.peer);
  restart(h, h.a, ca);
  std::size_t log_before = h.log.size();
  restore_a(h, snap);
  h.advance(3400 * 1000);
  EXPECT_GE(exchanges_since(h, log_before, Exchange::kQuickMode, false), 2u) << "B initiated (QM1, QM3)";
  EXPECT_EQ(events_with(h.b, EventType::kPhase2Up, "rekey"), 1u);
  EXPECT_EQ(exchanges_since(h, log_before, Exchange::kIdentityProtection), 0u);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
}

TEST_F(PersistAfterRestart, RestoredPeerHonoursTheAwsSideDeleteAndReconnects) {
  restore_a(h, snap);
  h.b.eng->terminate(h.b.peer, h.now);
  h.pump();
  EXPECT_EQ(h.a.count(EventType::kPeerDelete), 2u);  // ESP, then ISAKMP
  EXPECT_EQ(h.a.count(EventType::kPhase1Down), 1u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 1u);
  h.advance(20000);  // A wants the tunnel up: it starts over
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

TEST(Persist, RestoredPeerReauthenticatesPhase1WhenDue) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.ike_lifetime_s = cb.ike_lifetime_s = 3000;
  ca.rekey_margin_s = 540;
  ca.esp_lifetime_s = cb.esp_lifetime_s = 28800;
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.advance(1000 * 1000);
  json snap = h.a.eng->snapshot(h.a.peer);
  restart(h, h.a, ca);
  restore_a(h, snap);
  h.advance(2100 * 1000);
  EXPECT_EQ(h.a.count(EventType::kPhase1Up), 2u);  // restored, then re-authenticated
  EXPECT_EQ(h.a.count(EventType::kPhase1Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase1Down), 0u);
  EXPECT_EQ(h.a.eng->status(h.a.peer).ike_sas, 1u);
  EXPECT_EQ(h.b.eng->status(h.b.peer).ike_sas, 1u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

TEST_F(PersistAfterRestart, SnapshotOverdueForRekeyRekeysAtOnce) {
  h.b.eng->update_liveness(h.b.peer, 0, 3);  // B keeps its SAs while A is down
  h.advance(3400 * 1000);  // past A's rekey time (3330 s), before the pair's expiry
  restore_a(h, snap);
  h.advance(100);
  EXPECT_EQ(events_with(h.a, EventType::kPhase2Up, "rekey"), 1u);
  h.a.eng->on_esp_inbound(*h.b.out_active, h.now);
  h.advance(2000);
  ASSERT_TRUE(h.both_up());
  EXPECT_NE(*h.a.out_active, a_out);
  h.expect_matching_sas();
}

TEST(Persist, RestoreBehindANatKeepsTheFloatAndKeepalives) {
  Harness h(default_config(true), default_config(false), true);
  h.start();
  ASSERT_TRUE(h.both_up());
  json snap = h.a.eng->snapshot(h.a.peer);
  ASSERT_TRUE(snap["ike_sas"][0]["floated"].get<bool>());
  PeerConfig ca = default_config(true);
  ca.local_ip = kCgwPrivateIp;
  ca.local_id = kCgwIp;
  restart(h, h.a, ca);
  std::size_t log_before = h.log.size();
  restore_a(h, snap);
  std::size_t keepalives = h.a.keepalives;
  h.advance(3600 * 1000);  // DPD, keepalives and a rekey, all on UDP 4500
  EXPECT_GT(h.a.keepalives, keepalives + 100);
  EXPECT_EQ(h.b.count(EventType::kDpdDead), 0u);
  EXPECT_EQ(exchanges_since(h, log_before, Exchange::kIdentityProtection), 0u);
  for (std::size_t i = log_before; i < h.log.size(); ++i) EXPECT_EQ(h.log[i].d.local.port, kNatTPort);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

TEST(Persist, RestoreDuringMakeBeforeBreakFinishesTheSwitch) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  std::uint32_t old_out = *h.a.out_active;
  h.advance(3330 * 1000 + 10);  // A's rekey (no fuzz): new inbound in, outbound not switched yet
  ASSERT_EQ(h.a.sad_in.size(), 2u);
  ASSERT_EQ(*h.a.out_active, old_out);
  json snap = h.a.eng->snapshot(h.a.peer);
  ASSERT_EQ(snap["child_sas"].size(), 2u);
  EXPECT_FALSE(snap["child_sas"][1]["out_installed"].get<bool>());
  restart(h, h.a, default_config(true));
  auto acts = restore_a(h, snap);
  EXPECT_EQ(count_of<SwitchOutbound>(acts), 0u) << "the switch waits for the usual delay";
  EXPECT_EQ(events_with(h.a, EventType::kPhase2Up, "restored"), 2u);
  h.advance(2000);
  EXPECT_NE(*h.a.out_active, old_out);
  EXPECT_EQ(h.a.sad_in.size(), 1u) << "the replaced pair went once traffic moved";
  EXPECT_EQ(h.b.sad_in.size(), 1u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down), 0u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Down), 0u);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
}

// Snapshot in the middle of a re-authentication: the new ISAKMP SA is up and the active pair
// renewed on it, but the switch (and with it the Delete of the old ISAKMP SA) is pending.
TEST(Persist, RestoreDuringReauthenticationRetiresTheOldIsakmpSa) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.ike_lifetime_s = cb.ike_lifetime_s = 3000;
  ca.rekey_margin_s = 540;  // A re-authenticates at 2460 s
  ca.esp_lifetime_s = cb.esp_lifetime_s = 28800;
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.advance(2460 * 1000 + 10);
  json snap = h.a.eng->snapshot(h.a.peer);
  ASSERT_EQ(snap["ike_sas"].size(), 2u);
  ASSERT_EQ(snap["child_sas"].size(), 2u);
  ASSERT_NE(snap["retire_ike_sa"].get<std::uint64_t>(), 0u);
  restart(h, h.a, ca);
  std::size_t log_before = h.log.size();
  restore_a(h, snap);
  EXPECT_EQ(h.log.size(), log_before) << "no second renewal of the pair";
  h.advance(2000);
  EXPECT_EQ(h.a.eng->status(h.a.peer).ike_sas, 1u);
  EXPECT_EQ(h.b.eng->status(h.b.peer).ike_sas, 1u) << "B got the Delete for the old ISAKMP SA";
  EXPECT_EQ(h.a.sad_in.size(), 1u);
  EXPECT_EQ(h.b.sad_in.size(), 1u);
  EXPECT_EQ(h.a.count(EventType::kPhase2Down) + h.b.count(EventType::kPhase2Down), 0u);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  h.advance(60000);  // DPD on the new ISAKMP SA
  EXPECT_TRUE(h.both_up());
}

TEST(Persist, RestoredResponderAnswersTheInitiatorsRekey) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  json snap = h.b.eng->snapshot(h.b.peer);
  EXPECT_FALSE(snap["want_up"].get<bool>());
  restart(h, h.b, default_config(false), 202);
  auto err = h.b.eng->restore(h.b.peer, snap, h.now, kernel_of(h.b));
  ASSERT_FALSE(err.has_value()) << *err;
  std::size_t log_before = h.log.size();
  h.pump();
  EXPECT_EQ(h.log.size(), log_before) << "a responder with its pair starts nothing";
  h.advance(3600 * 1000);  // DPD both ways, A's Quick Mode rekey answered by B2
  EXPECT_EQ(events_with(h.a, EventType::kPhase2Up, "rekey"), 1u);
  EXPECT_EQ(exchanges_since(h, log_before, Exchange::kIdentityProtection), 0u);
  EXPECT_EQ(h.a.count(EventType::kDpdDead) + h.b.count(EventType::kDpdDead), 0u);
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.a.sad_in.size(), 1u);
  EXPECT_EQ(h.b.sad_in.size(), 1u);
}

TEST(RemovePeer, SendsDeletesAndForgetsThePeer) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  PeerId old = h.a.peer;
  h.a.eng->remove_peer(old, h.now);
  h.pump();
  EXPECT_EQ(h.b.count(EventType::kPeerDelete), 2u);  // ESP, then ISAKMP
  EXPECT_EQ(h.b.count(EventType::kPhase1Down), 1u);
  EXPECT_TRUE(h.a.sad_in.empty());
  EXPECT_TRUE(h.a.timers.empty()) << "every timer of the peer was cancelled";
  PeerStatus st = h.a.eng->status(old);
  EXPECT_FALSE(st.phase1_up);
  EXPECT_EQ(st.ike_sas + st.half_open + st.child_sas, 0u);
  EXPECT_TRUE(h.a.eng->snapshot(old).is_null());
  // Its address is now an unknown peer's: a Main Mode from it gets no answer.
  std::size_t a_sent = h.sent_by(true), b_sent = h.sent_by(false);
  h.b.eng->initiate(h.b.peer, h.now);
  h.pump();
  h.advance(3000);
  EXPECT_EQ(h.sent_by(false), b_sent + 2) << "MM1 and its retransmission";
  EXPECT_EQ(h.sent_by(true), a_sent);
  EXPECT_NE(h.a.eng->add_peer(default_config(true)), old) << "ids are never reused";
}

TEST(UpdateLiveness, NewDpdDelayTakesEffectForTheNextCheck) {
  PeerConfig cb = default_config(false);
  cb.dpd_delay_s = 0;  // only A asks
  Harness h(default_config(true), cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  std::size_t before = h.log.size();
  h.a.eng->update_liveness(h.a.peer, 30, 3);
  h.pump();
  h.advance(29000);
  EXPECT_EQ(exchanges_since(h, before, Exchange::kInformational, true), 0u) << "no R-U-THERE before 30 s idle";
  h.advance(2000);
  EXPECT_EQ(exchanges_since(h, before, Exchange::kInformational, true), 1u);
  EXPECT_TRUE(h.both_up());
  // Back to a short delay: the next check comes from when the peer was last heard.
  h.a.eng->update_liveness(h.a.peer, 5, 3);
  h.pump();
  h.advance(5500);
  EXPECT_EQ(exchanges_since(h, before, Exchange::kInformational, true), 2u);
}

}  // namespace
}  // namespace xgw::ike::test
