// Published test data for the primitives: RFC 5903 §8 ECDH vectors for groups 19/20/21,
// RFC 2202 / RFC 4231 HMAC test case 2, MODP agreement for every group, and rejection of
// invalid peer KE values.
#include <gtest/gtest.h>

#include <openssl/bn.h>

#include "ike/crypto/cipher.h"
#include "ike/crypto/dh.h"
#include "ike/crypto/hash.h"
#include "ike/crypto/keys.h"

namespace xgw::ike::crypto {
namespace {

struct EcpVector {
  std::uint16_t group;
  const char *i, *gix, *giy, *r, *grx, *gry, *girx;
};

// RFC 5903 §8.1, §8.2, §8.3.
const EcpVector kRfc5903[] = {
    {19, "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
     "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180",
     "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
     "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
     "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
     "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
     "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"},
    {20, "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3faef896783ab194",
     "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732aee95f41aa",
     "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c",
     "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed2960e4bd55a7448fc",
     "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0774a3571",
     "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c",
     "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a270f59746"},
    {21,
     "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a095aa85a30fe1c2952c6771d937ba9777f5957b2639bab072462f68c27a57382d4a52",
     "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbee1e3bf42e00b8e380aeae57c2d107564941885942af5a7f4601723c4195d176ced3e",
     "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10ad8a788015ac405d7799dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f9582",
     "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e9c677d600b343757a3bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb151685eb9",
     "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a219b97c356436adc6e95bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9460f",
     "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87220b6536c5c408a1d2aebb8e86d678ae49cb57091f4732296579ab44fcd17f0fc56a",
     "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04d1427e73ca4baa240a34786859810c06b3c715a3a8cc3151f2bee417996d19f3ddea"},
};

TEST(Rfc5903, EcpKeyExchangeMatchesPublishedVectors) {
  for (const auto& v : kRfc5903) {
    SCOPED_TRACE(v.group);
    auto i = DhKey::from_private(v.group, from_hex(v.i));
    auto r = DhKey::from_private(v.group, from_hex(v.r));
    ASSERT_TRUE(i);
    ASSERT_TRUE(r);
    // KE payload = x | y (RFC 5903 §7)
    EXPECT_EQ(to_hex(i->public_value()), std::string(v.gix) + v.giy);
    EXPECT_EQ(to_hex(r->public_value()), std::string(v.grx) + v.gry);
    // Shared secret = x coordinate only (RFC 5903 §9)
    auto s1 = i->shared_secret(r->public_value());
    auto s2 = r->shared_secret(i->public_value());
    ASSERT_TRUE(s1);
    ASSERT_TRUE(s2);
    EXPECT_EQ(to_hex(*s1), v.girx);
    EXPECT_EQ(to_hex(*s2), v.girx);
  }
}

TEST(Dh, ModpGroupsAgreeAndHavePrimeLengthValues) {
  DeterministicRandom rng(5);
  for (std::uint16_t g : {2, 5, 14, 15, 16, 17, 18}) {
    SCOPED_TRACE(g);
    auto a = DhKey::generate(g, rng);
    auto b = DhKey::generate(g, rng);
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_EQ(a->public_value().size(), dh_public_len(g));
    auto s1 = a->shared_secret(b->public_value());
    auto s2 = b->shared_secret(a->public_value());
    ASSERT_TRUE(s1);
    EXPECT_EQ(s1->bytes(), s2->bytes());
    EXPECT_EQ(s1->size(), dh_public_len(g));
  }
  EXPECT_FALSE(dh_group_supported(22));  // RFC 5114 groups need an explicit opt-in (rfc5114_test.cpp)
  EXPECT_FALSE(DhKey::generate(1, rng));
}

TEST(Dh, InvalidPeerValuesAreRejected) {
  DeterministicRandom rng(6);
  auto a = DhKey::generate(2, rng);
  std::size_t n = dh_public_len(2);
  Bytes zero(n, 0), one(n, 0), pm1(n), big(n, 0xff), shortv(n - 1, 3);
  one.back() = 1;
  BIGNUM* p = BN_get_rfc2409_prime_1024(nullptr);
  BN_sub_word(p, 1);
  BN_bn2binpad(p, pm1.data(), static_cast<int>(n));
  BN_free(p);
  for (const Bytes* v : {&zero, &one, &pm1, &big, &shortv}) EXPECT_FALSE(a->shared_secret(*v));
  auto e = DhKey::generate(19, rng);
  Bytes off_curve = e->public_value();
  off_curve.back() ^= 1;
  EXPECT_FALSE(e->shared_secret(off_curve));
  EXPECT_FALSE(e->shared_secret(Bytes(64, 0)));
}

TEST(Prf, HmacTestCase2) {
  // RFC 2202 §3 and RFC 4231 §4.3, test case 2.
  Bytes key{'J', 'e', 'f', 'e'};
  std::string m = "what do ya want for nothing?";
  Bytes data(m.begin(), m.end());
  EXPECT_EQ(to_hex(prf(HashAlg::kSha1, key, data)), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(to_hex(prf(HashAlg::kSha256, key, data)), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(to_hex(prf(HashAlg::kSha384, key, data)),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649");
  EXPECT_EQ(to_hex(prf(HashAlg::kSha512, key, data)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
  // A key longer than the block is hashed first (RFC 2104 §2).
  Bytes long_key(200, 0xaa);
  EXPECT_EQ(prf(HashAlg::kSha256, long_key, data), prf(HashAlg::kSha256, hash(HashAlg::kSha256, long_key), data));
}

// RFC 3602 §4 case #2 (AES-128-CBC, 2 blocks), then one long-lived AesCbc against fresh ones
// over interleaved messages with unrelated IVs, as per-message-ID IVs use it (RFC 2409 App. B).
TEST(AesCbc, KnownAnswerAndReuseAcrossIvsMatchesOneShot) {
  Bytes key = from_hex("c286696d887c9aa0611bbb3e2025a45a"), iv = from_hex("562e17996d093d28ddb3ba695a2e6f58");
  Bytes pt = from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  EXPECT_EQ(to_hex(*aes_cbc_encrypt(key, iv, pt)), "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1");
  DeterministicRandom rng(21);
  for (std::size_t klen : {16u, 32u}) {
    Bytes k(klen);
    rng.fill(k);
    auto c = AesCbc::make(k);
    ASSERT_TRUE(c);
    for (int i = 0; i < 50; ++i) {
      Bytes v(16), m(16 * (1 + rng.u32() % 6));
      rng.fill(v);
      rng.fill(m);
      auto e = c->encrypt(v, m);
      ASSERT_TRUE(e);
      EXPECT_EQ(*e, *aes_cbc_encrypt(k, v, m)) << i;
      Bytes v2(16);
      rng.fill(v2);
      auto d = c->decrypt(v2, *e);  // decrypting under another IV changes the first block only
      ASSERT_TRUE(d);
      EXPECT_EQ(*d, *aes_cbc_decrypt(k, v2, *e)) << i;
      EXPECT_EQ(*c->decrypt(v, *e), m) << i;
    }
  }
  EXPECT_FALSE(AesCbc::make(Bytes(15)));
  EXPECT_FALSE(aes_cbc_encrypt(key, iv, Bytes(17)));
}

TEST(Keys, AppendixBExpansionAndGcmSaltLength) {
  Bytes e(20, 7);
  auto k = expand_enc_key(HashAlg::kSha1, e, 32);
  Bytes k1 = prf(HashAlg::kSha1, e, Bytes{0});
  Bytes k2 = prf(HashAlg::kSha1, e, k1);
  EXPECT_EQ(to_hex(k), to_hex(concat({k1, k2})).substr(0, 64));
  // KEYMAT longer than one PRF block chains K1 | K2 (RFC 2409 §5.5), e.g. AES-256-GCM + salt.
  auto km = keymat(HashAlg::kSha1, e, Bytes(128, 1), 3, Bytes{1, 2, 3, 4}, Bytes(32, 2), Bytes(32, 3), 36);
  EXPECT_EQ(km.size(), 36u);
}

}  // namespace
}  // namespace xgw::ike::crypto
