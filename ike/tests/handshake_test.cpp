// Main Mode + Quick Mode with PFS between two in-process engines: every AWS-allowed suite,
// PSK and proposal failures, lost and duplicated messages.
#include <gtest/gtest.h>

#include "ike/codec/message.h"
#include "ike/tests/exchange_harness.h"

namespace xgw::ike::test {
namespace {

EspAuth esp_auth_for(HashAlg h) {
  switch (h) {
    case HashAlg::kSha1: return EspAuth::kHmacSha1;
    case HashAlg::kSha256: return EspAuth::kHmacSha256;
    case HashAlg::kSha384: return EspAuth::kHmacSha384;
    case HashAlg::kSha512: return EspAuth::kHmacSha512;
  }
  return EspAuth::kNone;
}

struct Combo {
  std::uint16_t bits;
  HashAlg hash;
  std::uint16_t group;
};

class AllSuites : public ::testing::TestWithParam<Combo> {};

TEST_P(AllSuites, MainModeQuickModeWithPfs) {
  Combo c = GetParam();
  PeerConfig ca = default_config(true), cb = default_config(false);
  for (PeerConfig* cfg : {&ca, &cb}) {
    cfg->ike_suites = {{c.bits, c.hash, c.group}};
    cfg->esp_suites = {{kEspAesCbc, c.bits, esp_auth_for(c.hash), c.group}};
  }
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up()) << "events a=" << h.a.events.size();
  h.expect_matching_sas();
  EXPECT_EQ(h.a.count(EventType::kPhase1Up), 1u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Up), 1u);
  EXPECT_EQ(h.log.size(), 9u);  // MM1..MM6, QM1..QM3 and nothing else
  const EspSa& out = h.a.sad_out.at(*h.a.out_active);
  EXPECT_EQ(out.enc_key.size(), c.bits / 8u);
  EXPECT_EQ(out.icv_bits, c.hash == HashAlg::kSha1 ? 96 : c.hash == HashAlg::kSha256 ? 128 : c.hash == HashAlg::kSha384 ? 192 : 256);
  EXPECT_EQ(out.mode, EspMode::kTunnel);
  EXPECT_EQ(out.replay_window, 1024u);
}

std::vector<Combo> all_combos() {
  std::vector<Combo> v;
  for (std::uint16_t bits : {128, 256})
    for (HashAlg hash : {HashAlg::kSha1, HashAlg::kSha256, HashAlg::kSha384, HashAlg::kSha512})
      for (std::uint16_t g : {2, 14, 15, 16, 17, 18, 19, 20, 21}) v.push_back({bits, hash, g});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Aws, AllSuites, ::testing::ValuesIn(all_combos()), [](const auto& i) {
  return "aes" + std::to_string(i.param.bits) + "_h" + std::to_string(static_cast<int>(i.param.hash)) + "_g" +
         std::to_string(i.param.group);
});

TEST(Handshake, AesGcmEspWithSaltedKeys) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  for (PeerConfig* cfg : {&ca, &cb}) cfg->esp_suites = {{kEspAesGcm16, 128, EspAuth::kNone, 14}};
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  const EspSa& out = h.a.sad_out.at(*h.a.out_active);
  EXPECT_EQ(out.enc_key.size(), 20u);  // AES-128 key + 4-byte salt (RFC 4106 §8.1)
  EXPECT_EQ(out.icv_bits, 128);
  EXPECT_TRUE(out.integ_key.empty());
}

TEST(Handshake, ResponderPicksLowestConfiguredValue) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.ike_suites = {{256, HashAlg::kSha256, 14}, {128, HashAlg::kSha1, 2}};
  cb.ike_suites = {{256, HashAlg::kSha256, 14}, {128, HashAlg::kSha1, 2}};
  ca.esp_suites = cb.esp_suites = {{kEspAesCbc, 256, EspAuth::kHmacSha256, 14}, {kEspAesCbc, 128, EspAuth::kHmacSha1, 14}};
  Harness h(ca, cb);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.a.sad_out.at(*h.a.out_active).enc_key.size(), 16u);  // 128 chosen: the lowest
}

TEST(Handshake, WrongPskFailsCleanlyWithReasons) {
  PeerConfig ca = default_config(true);
  ca.psk = psk("not-the-right-key");
  Harness h(ca);
  h.start();
  h.advance(200000);
  EXPECT_FALSE(h.a.eng->status(h.a.peer).phase1_up);
  EXPECT_FALSE(h.b.eng->status(h.b.peer).phase1_up);
  const Event* fa = h.a.last(EventType::kFailure);
  const Event* fb = h.b.last(EventType::kFailure);
  ASSERT_NE(fa, nullptr);
  ASSERT_NE(fb, nullptr);
  EXPECT_EQ(to_string(fa->reason), "no_valid_reply:MM5");
  EXPECT_EQ(to_string(fb->reason), "auth_failed:hash_mismatch");
  EXPECT_EQ(h.b.eng->status(h.b.peer).half_open, 0u);  // failed state is freed
  EXPECT_TRUE(h.a.sad_in.empty());
  EXPECT_TRUE(h.b.sad_in.empty());
}

TEST(Handshake, Phase1ProposalMismatchIsNoProposalChosen) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.ike_suites = {{128, HashAlg::kSha1, 2}};
  cb.ike_suites = {{256, HashAlg::kSha256, 14}};
  Harness h(ca, cb);
  h.start();
  h.expect_refused("MM1");
  EXPECT_EQ(h.b.eng->status(h.b.peer).half_open, 0u);
  EXPECT_EQ(h.log.size(), 2u);  // MM1 and one notify, nothing more
}

TEST(Handshake, Phase2ProposalMismatchIsNoProposalChosen) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.esp_suites = {{kEspAesCbc, 128, EspAuth::kHmacSha1, 2}};
  cb.esp_suites = {{kEspAesCbc, 256, EspAuth::kHmacSha256, 14}};
  Harness h(ca, cb);
  h.start();
  h.expect_refused("QM1");
}

TEST(Handshake, NoReplyMM1IsReportedAndRetried) {
  Harness h;
  h.blackhole_b = true;
  h.start();
  h.advance(120000);
  const Event* fa = h.a.last(EventType::kFailure);
  ASSERT_NE(fa, nullptr);
  EXPECT_EQ(to_string(fa->reason), "no_reply:MM1");
  std::size_t before = h.log.size();
  h.blackhole_b = false;
  h.advance(60000);  // the initiator keeps trying (restart after a delay)
  EXPECT_GT(h.log.size(), before);
  EXPECT_TRUE(h.both_up());
  h.expect_matching_sas();
}

// Losing any one message of the nine is repaired by retransmission.
class LoseOne : public ::testing::TestWithParam<int> {};
TEST_P(LoseOne, RecoversByRetransmission) {
  Harness h;
  int victim = GetParam();
  bool dropped = false;
  h.drop = [&](const Packet& p) {
    if (!dropped && static_cast<int>(p.index) == victim) return dropped = true;
    return false;
  };
  h.start();
  h.advance(30000);
  EXPECT_TRUE(dropped);
  ASSERT_TRUE(h.both_up()) << "lost message " << victim;
  h.expect_matching_sas();
  EXPECT_EQ(h.a.count(EventType::kPhase2Up), 1u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Up), 1u);
}
INSTANTIATE_TEST_SUITE_P(Messages, LoseOne, ::testing::Range(0, 9));

TEST(Handshake, DuplicatedMessagesGetCachedResponses) {
  Harness h;
  h.duplicate = [](const Packet& p) { return p.index < 9; };
  h.start();
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.a.count(EventType::kPhase2Up), 1u);
  EXPECT_EQ(h.b.count(EventType::kPhase2Up), 1u);
  EXPECT_EQ(h.b.count(EventType::kFailure), 0u);
  EXPECT_EQ(h.a.count(EventType::kFailure), 0u);
}

TEST(Handshake, GarbageGetsNoAnswer) {
  Harness h;
  h.start();
  ASSERT_TRUE(h.both_up());
  DeterministicRandom r(7);
  for (int i = 0; i < 2000; ++i) {
    Bytes junk(28 + r.u32() % 200);
    r.fill(junk);
    if (i % 2) {  // plausible header with a live cookie
      std::copy(h.log[0].d.data.begin(), h.log[0].d.data.begin() + 16, junk.begin());
      set_u32(junk, 24, static_cast<std::uint32_t>(junk.size()));
      junk[17] = 0x10;
    }
    h.b.eng->on_datagram({kAwsIp, 500}, {kCgwIp, 500}, junk, h.now);
  }
  std::size_t sent = 0;
  for (auto& a : h.b.eng->take_actions()) sent += std::holds_alternative<SendDatagram>(a);
  EXPECT_EQ(sent, 0u);
  EXPECT_TRUE(h.b.eng->status(h.b.peer).phase1_up);
}

}  // namespace
}  // namespace xgw::ike::test

namespace xgw::ike::test {
namespace {

TEST(Handshake, LostQm3EverytimeIsNoReplyQm2AtTheResponder) {
  Harness h;
  h.drop = [](const Packet& p) {
    auto hd = codec::decode_header(p.d.data);
    return p.from_a && hd && hd->exchange == Exchange::kQuickMode && p.d.data.size() < 100;  // QM3 is HASH only
  };
  h.start();
  h.advance(120000);
  ASSERT_NE(h.b.last(EventType::kFailure), nullptr);
  EXPECT_EQ(to_string(h.b.last(EventType::kFailure)->reason), "no_reply:QM2");
  EXPECT_TRUE(h.b.sad_in.empty());  // never installed without QM3
  // Every QM2 retransmission was answered with the cached QM3 (lost again), one for one.
  std::size_t qm2 = 0, qm3 = 0;
  for (const auto& p : h.log) {
    auto hd = codec::decode_header(p.d.data);
    if (!hd || hd->exchange != Exchange::kQuickMode) continue;
    if (!p.from_a && p.d.data.size() > 100) ++qm2;
    if (p.from_a && p.d.data.size() < 100) ++qm3;
  }
  EXPECT_EQ(qm2, qm3);
}

}  // namespace
}  // namespace xgw::ike::test
