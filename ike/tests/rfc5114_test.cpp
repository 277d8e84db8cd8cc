// RFC 5114 DH groups 22, 23, 24 (MODP with a prime-order subgroup): the constants OpenSSL
// gives us are consistent, private values lie in [1, q-1], the peer's KE is checked for
// subgroup membership (RFC 5114 §4, SP 800-56A §5.6.2.3.1), and the engine offers and accepts
// these groups only with PeerConfig::allow_rfc5114_groups.
#include <gtest/gtest.h>

#include <openssl/bn.h>

#include <memory>

#include "ike/codec/message.h"
#include "ike/codec/payloads.h"
#include "ike/crypto/dh.h"
#include "ike/tests/exchange_harness.h"

namespace xgw::ike::test {
namespace {

using crypto::DhKey;
using crypto::DhOptions;

constexpr DhOptions kOptIn{true};

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
Bn bn(const Bytes& b) { return Bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr)); }
Bytes padded(const BIGNUM* b, std::size_t n) {
  Bytes out(n);
  BN_bn2binpad(b, out.data(), static_cast<int>(n));
  return out;
}

struct Sizes {
  std::uint16_t group;
  int p_bits, q_bits;
};
constexpr Sizes kGroups[] = {{22, 1024, 160}, {23, 2048, 224}, {24, 2048, 256}};  // RFC 5114 §2.1-2.3

TEST(Rfc5114, ParametersFormAPrimeOrderSubgroup) {
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  for (auto [group, p_bits, q_bits] : kGroups) {
    SCOPED_TRACE(group);
    auto prm = crypto::dh_modp_params(group);
    ASSERT_TRUE(prm) << "OpenSSL lacks the named FFC group for " << group;
    Bn p = bn(prm->p), g = bn(prm->g), q = bn(prm->q), r(BN_new()), t(BN_new());
    EXPECT_EQ(BN_num_bits(p.get()), p_bits);
    EXPECT_EQ(BN_num_bits(q.get()), q_bits);
    EXPECT_EQ(BN_check_prime(p.get(), ctx.get(), nullptr), 1);
    EXPECT_EQ(BN_check_prime(q.get(), ctx.get(), nullptr), 1);
    BN_sub_word(p.get(), 1);
    BN_mod(r.get(), p.get(), q.get(), ctx.get());  // q divides p - 1
    EXPECT_TRUE(BN_is_zero(r.get()));
    BN_add_word(p.get(), 1);
    BN_mod_exp(t.get(), g.get(), q.get(), p.get(), ctx.get());  // g generates the order-q subgroup
    EXPECT_TRUE(BN_is_one(t.get()));
    EXPECT_FALSE(BN_is_one(g.get()));
    EXPECT_EQ(crypto::dh_public_len(group), static_cast<std::size_t>(p_bits / 8));
  }
  EXPECT_TRUE(crypto::dh_modp_params(14)->q.empty());  // safe-prime groups have no separate q
}

TEST(Rfc5114, GroupsNeedTheOptIn) {
  DeterministicRandom rng(1);
  for (auto [group, p_bits, q_bits] : kGroups) {
    EXPECT_FALSE(crypto::dh_group_supported(group));
    EXPECT_TRUE(crypto::dh_group_supported(group, kOptIn));
    auto k = DhKey::generate(group, rng);
    ASSERT_FALSE(k);
    EXPECT_NE(k.error().reason.find("opt-in"), std::string::npos) << k.error().reason;
  }
}

TEST(Rfc5114, KeysAgreeWithPrivateValuesBelowQ) {
  DeterministicRandom rng(2);
  for (auto [group, p_bits, q_bits] : kGroups) {
    SCOPED_TRACE(group);
    auto a = DhKey::generate(group, rng, kOptIn);
    auto b = DhKey::generate(group, rng, kOptIn);
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    auto s1 = a->shared_secret(b->public_value());
    auto s2 = b->shared_secret(a->public_value());
    ASSERT_TRUE(s1) << s1.error().reason;
    ASSERT_TRUE(s2);
    EXPECT_EQ(s1->bytes(), s2->bytes());
    EXPECT_EQ(s1->size(), crypto::dh_public_len(group));
    // Explicit private values must lie in [1, q-1].
    Bytes q = crypto::dh_modp_params(group)->q;
    EXPECT_FALSE(DhKey::from_private(group, q));
    EXPECT_FALSE(DhKey::from_private(group, Bytes(q.size(), 0)));
    EXPECT_TRUE(DhKey::from_private(group, Bytes{1}));
  }
}

TEST(Rfc5114, SubgroupCheckRejectsElementsOutsideTheSubgroup) {
  DeterministicRandom rng(3);
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  for (auto [group, p_bits, q_bits] : kGroups) {
    SCOPED_TRACE(group);
    auto prm = crypto::dh_modp_params(group);
    std::size_t n = prm->p.size();
    Bn p = bn(prm->p), q = bn(prm->q);
    auto me = DhKey::generate(group, rng, kOptIn);
    auto peer = DhKey::generate(group, rng, kOptIn);
    ASSERT_TRUE(me && peer);
    ASSERT_TRUE(me->shared_secret(peer->public_value()));  // a subgroup element is accepted
    // p - y = -y mod p has order 2q: in range, but outside the order-q subgroup.
    Bn y = bn(peer->public_value()), neg(BN_new());
    BN_sub(neg.get(), p.get(), y.get());
    auto r = me->shared_secret(padded(neg.get(), n));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().reason.find("subgroup"), std::string::npos) << r.error().reason;
    // A random element of Z_p*: its order is q only with negligible probability (checked here).
    Bytes h(n);
    rng.fill(h);
    h[0] &= 0x7f;
    Bn hb = bn(h), t(BN_new());
    BN_mod_exp(t.get(), hb.get(), q.get(), p.get(), ctx.get());
    ASSERT_FALSE(BN_is_one(t.get()));
    EXPECT_FALSE(me->shared_secret(h));
    // p - 1 (order 2) is already rejected by the range check, as are 0 and 1.
    Bn pm1(BN_dup(p.get()));
    BN_sub_word(pm1.get(), 1);
    EXPECT_FALSE(me->shared_secret(padded(pm1.get(), n)));
    EXPECT_FALSE(me->shared_secret(Bytes(n, 0)));
  }
}

// --- the engine: offered and accepted only with the opt-in

PeerConfig with_group(bool initiator_side, std::vector<std::uint16_t> groups, bool opt_in) {
  PeerConfig c = default_config(initiator_side);
  c.ike_suites.clear();
  c.esp_suites.clear();
  for (auto g : groups) {
    c.ike_suites.push_back({128, HashAlg::kSha256, g});
    c.esp_suites.push_back({kEspAesCbc, 128, EspAuth::kHmacSha256, g});
  }
  c.allow_rfc5114_groups = opt_in;
  return c;
}

std::vector<std::uint16_t> offered_groups(const Bytes& mm1) {
  std::vector<std::uint16_t> out;
  auto m = codec::decode_plain(mm1);
  EXPECT_TRUE(m);
  if (!m) return out;
  auto sa = codec::decode_sa(m->payloads.at(0).body);
  EXPECT_TRUE(sa);
  if (!sa) return out;
  for (const auto& t : sa->proposals.at(0).transforms)
    if (auto* a = t.find(static_cast<std::uint16_t>(P1Attr::kGroupDesc))) out.push_back(a->value);
  return out;
}

class Rfc5114Handshake : public ::testing::TestWithParam<std::uint16_t> {};

TEST_P(Rfc5114Handshake, MainModeAndQuickModeWithPfsWhenBothOptIn) {
  std::uint16_t g = GetParam();
  Harness h(with_group(true, {g}, true), with_group(false, {g}, true));
  h.start();
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.log.size(), 9u);
  EXPECT_EQ(offered_groups(h.log[0].d.data), std::vector<std::uint16_t>{g});
}
INSTANTIATE_TEST_SUITE_P(Groups, Rfc5114Handshake, ::testing::Values(22, 23, 24));

TEST(Rfc5114Engine, OfferOfGroup22WithoutOptInIsNoProposalChosen) {
  // The responder even lists group 22 in its suites: without the opt-in it is unsupported.
  Harness h(with_group(true, {22}, true), with_group(false, {22}, false));
  h.start();
  h.expect_refused("MM1");
  EXPECT_EQ(h.log.size(), 2u);  // MM1 and the notify, as for any unsupported proposal
  EXPECT_EQ(h.b.eng->status(h.b.peer).half_open, 0u);
}

TEST(Rfc5114Engine, GroupsWithoutOptInAreNotOfferedAndTheNextSuiteIsUsed) {
  Harness h(with_group(true, {22, 14}, false), with_group(false, {22, 14}, true));
  h.start();
  ASSERT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(offered_groups(h.log[0].d.data), std::vector<std::uint16_t>{14});
}

TEST(Rfc5114Engine, OnlyRfc5114GroupsWithoutOptInIsAConfigurationFailure) {
  Harness h(with_group(true, {24}, false), with_group(false, {24}, true));
  h.start();
  EXPECT_TRUE(h.log.empty());  // nothing to offer, nothing sent
  ASSERT_NE(h.a.last(EventType::kFailure), nullptr);
  EXPECT_NE(h.a.last(EventType::kFailure)->detail.find("allow_rfc5114_groups"), std::string::npos);
}

TEST(Rfc5114Engine, PfsGroupWithoutOptInAtTheResponderIsNoProposalChosen) {
  PeerConfig ca = with_group(true, {14}, true), cb = with_group(false, {14}, false);
  ca.esp_suites = cb.esp_suites = {{kEspAesCbc, 128, EspAuth::kHmacSha256, 22}};
  Harness h(ca, cb);
  h.start();
  h.expect_refused("QM1");
}

}  // namespace
}  // namespace xgw::ike::test
