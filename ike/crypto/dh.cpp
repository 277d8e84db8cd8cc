#include "ike/crypto/dh.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

#include <array>
#include <mutex>

namespace xgw::ike::crypto {
namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_clear_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using CtxPtr = std::unique_ptr<BN_CTX, CtxFree>;
using PointPtr = std::unique_ptr<EC_POINT, PointFree>;

// Static description of a MODP group. The private exponent length of the safe-prime groups
// follows RFC 3526 §8's strength table (twice the symmetric strength), which keeps the work
// proportional to the security the group gives, as other IKE implementations do. The RFC 5114
// groups take their exponent from [1, q-1] instead.
struct Modp {
  std::uint16_t group;
  BIGNUM* (*prime)(BIGNUM*);  // RFC 2409 / RFC 3526 safe prime, generator 2
  const char* ffc_name;       // RFC 5114 group: OpenSSL's named FFC group with p, g and q
  std::size_t exp_bits;
  const char* name;
};
constexpr std::array<Modp, 10> kModp{{
    {2, BN_get_rfc2409_prime_1024, nullptr, 256, "MODP-1024"},
    {5, BN_get_rfc3526_prime_1536, nullptr, 256, "MODP-1536"},
    {14, BN_get_rfc3526_prime_2048, nullptr, 320, "MODP-2048"},
    {15, BN_get_rfc3526_prime_3072, nullptr, 384, "MODP-3072"},
    {16, BN_get_rfc3526_prime_4096, nullptr, 480, "MODP-4096"},
    {17, BN_get_rfc3526_prime_6144, nullptr, 540, "MODP-6144"},
    {18, BN_get_rfc3526_prime_8192, nullptr, 620, "MODP-8192"},
    // RFC 5114 §2.1-2.3 (IANA IKE group numbers 22-24); OpenSSL 3 carries their p, g, q.
    {22, nullptr, "dh_1024_160", 0, "MODP-1024-160"},
    {23, nullptr, "dh_2048_224", 0, "MODP-2048-224"},
    {24, nullptr, "dh_2048_256", 0, "MODP-2048-256"},
}};

struct Ecp {
  std::uint16_t group;
  int nid;
  std::size_t field_len;
  const char* name;
};
constexpr std::array<Ecp, 3> kEcp{{
    {19, NID_X9_62_prime256v1, 32, "ECP-256"},
    {20, NID_secp384r1, 48, "ECP-384"},
    {21, NID_secp521r1, 66, "ECP-521"},
}};

const Modp* find_modp(std::uint16_t g) {
  for (const auto& m : kModp)
    if (m.group == g) return &m;
  return nullptr;
}
const Ecp* find_ecp(std::uint16_t g) {
  for (const auto& e : kEcp)
    if (e.group == g) return &e;
  return nullptr;
}

// Per-group constants built once and shared read-only: the prime with its Montgomery context
// and the generator (and q for RFC 5114), or the curve.
struct ModpCache {
  BIGNUM* p = nullptr;
  BIGNUM* pm1 = nullptr;
  BIGNUM* g = nullptr;
  BIGNUM* q = nullptr;  // RFC 5114 subgroup order; null for the safe-prime groups
  BN_MONT_CTX* mont = nullptr;
};

// p, g and q of an RFC 5114 group from OpenSSL's named FFC groups (RFC 5114 §2.1-2.3).
bool load_ffc(const char* name, ModpCache& c) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr),
                                                                   EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(name), 0),
                         OSSL_PARAM_construct_end()};
  if (!pctx || EVP_PKEY_paramgen_init(pctx.get()) != 1 || EVP_PKEY_CTX_set_params(pctx.get(), params) != 1 ||
      EVP_PKEY_paramgen(pctx.get(), &raw) != 1)
    return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(raw, EVP_PKEY_free);
  return EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_FFC_P, &c.p) == 1 &&
         EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_FFC_G, &c.g) == 1 &&
         EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_FFC_Q, &c.q) == 1;
}

// Null p when the group's constants are not available (e.g. a provider without RFC 5114).
const ModpCache& modp_cache(const Modp& m) {
  static std::array<ModpCache, kModp.size()> caches;
  static std::array<std::once_flag, kModp.size()> once;
  std::size_t i = static_cast<std::size_t>(&m - kModp.data());
  std::call_once(once[i], [&] {
    auto& c = caches[i];
    if (m.prime) {
      c.p = m.prime(nullptr);
      c.g = BN_new();
      BN_set_word(c.g, 2);  // generator 2 for every RFC 2409 / RFC 3526 group
    } else if (!load_ffc(m.ffc_name, c)) {
      for (BIGNUM** b : {&c.p, &c.g, &c.q}) {
        BN_free(*b);
        *b = nullptr;
      }
      return;
    }
    c.pm1 = BN_dup(c.p);
    BN_sub_word(c.pm1, 1);
    CtxPtr ctx(BN_CTX_new());
    c.mont = BN_MONT_CTX_new();
    BN_MONT_CTX_set(c.mont, c.p, ctx.get());
  });
  return caches[i];
}
const EC_GROUP* ec_group(const Ecp& e) {
  static std::array<EC_GROUP*, kEcp.size()> groups{};
  static std::array<std::once_flag, kEcp.size()> once;
  std::size_t i = static_cast<std::size_t>(&e - kEcp.data());
  std::call_once(once[i], [&] { groups[i] = EC_GROUP_new_by_curve_name(e.nid); });
  return groups[i];
}

Bytes bn_padded(const BIGNUM* b, std::size_t len) {
  Bytes out(len);
  BN_bn2binpad(b, out.data(), static_cast<int>(len));
  return out;
}

}  // namespace

struct DhKey::Impl {
  BnPtr priv;
};

DhKey::DhKey(DhKey&&) noexcept = default;
DhKey& DhKey::operator=(DhKey&&) noexcept = default;
DhKey::~DhKey() = default;

bool dh_group_supported(std::uint16_t g, const DhOptions& opt) {
  if (auto* m = find_modp(g)) return (m->prime || opt.allow_rfc5114) && modp_cache(*m).p;
  return find_ecp(g) != nullptr;
}

std::size_t dh_public_len(std::uint16_t g) {
  if (auto* m = find_modp(g)) {
    const auto& c = modp_cache(*m);
    return c.p ? static_cast<std::size_t>(BN_num_bytes(c.p)) : 0;
  }
  if (auto* e = find_ecp(g)) return 2 * e->field_len;
  return 0;
}

const char* dh_group_name(std::uint16_t g) {
  if (auto* m = find_modp(g)) return m->name;
  if (auto* e = find_ecp(g)) return e->name;
  return "unsupported";
}

std::optional<ModpParams> dh_modp_params(std::uint16_t g) {
  auto* m = find_modp(g);
  if (!m || !modp_cache(*m).p) return std::nullopt;
  const auto& c = modp_cache(*m);
  auto bytes = [](const BIGNUM* b) { return b ? bn_padded(b, static_cast<std::size_t>(BN_num_bytes(b))) : Bytes{}; };
  return ModpParams{bytes(c.p), bytes(c.g), bytes(c.q)};
}

Result<DhKey> DhKey::generate(std::uint16_t group, Random& rng, const DhOptions& opt) {
  if (!dh_group_supported(group, opt)) {
    bool gated = find_modp(group) && !find_modp(group)->prime && !opt.allow_rfc5114;
    return fail("unsupported DH group " + std::to_string(group) + (gated ? " (RFC 5114 groups need the opt-in)" : ""));
  }
  std::size_t n = 0;
  const Modp* m = find_modp(group);
  const ModpCache* c = m ? &modp_cache(*m) : nullptr;
  if (m) n = c->q ? static_cast<std::size_t>(BN_num_bytes(c->q)) + 8 : (m->exp_bits + 7) / 8;
  if (auto* e = find_ecp(group)) n = e->field_len + 8;  // extra bytes make the mod-n bias negligible
  Bytes buf(n);
  rng.fill(buf);
  Secret raw(std::move(buf));
  if (!c || !c->q) return from_private(group, raw);
  // RFC 5114 / SP 800-56A §5.6.1.1: x in [1, q-1], as (random mod (q-1)) + 1.
  CtxPtr ctx(BN_CTX_new());
  BnPtr x(BN_bin2bn(raw.view().data(), static_cast<int>(raw.size()), nullptr)), qm1(BN_dup(c->q));
  if (!ctx || !x || !qm1 || !BN_sub_word(qm1.get(), 1) || !BN_nnmod(x.get(), x.get(), qm1.get(), ctx.get()) ||
      !BN_add_word(x.get(), 1))
    return fail("BN reduction of the private value failed");
  Secret reduced(bn_padded(x.get(), static_cast<std::size_t>(BN_num_bytes(c->q))));
  return from_private(group, reduced);
}

Result<DhKey> DhKey::from_private(std::uint16_t group, ByteView priv) {
  DhKey k;
  k.group_ = group;
  k.impl_ = std::make_unique<Impl>();
  CtxPtr ctx(BN_CTX_new());
  BnPtr x(BN_bin2bn(priv.data(), static_cast<int>(priv.size()), nullptr));
  if (!ctx || !x) return fail("BN allocation failed");
  BN_set_flags(x.get(), BN_FLG_CONSTTIME);
  if (auto* m = find_modp(group)) {
    const auto& c = modp_cache(*m);
    if (!c.p) return fail(std::string(m->name) + " parameters are not available from OpenSSL");
    if (c.q && (BN_is_zero(x.get()) || BN_cmp(x.get(), c.q) >= 0)) return fail("private value outside [1, q-1]");
    if (BN_is_zero(x.get())) BN_one(x.get());
    BnPtr y(BN_new());
    if (!y || !BN_mod_exp_mont_consttime(y.get(), c.g, x.get(), c.p, ctx.get(), c.mont)) return fail("modexp failed");
    k.pub_ = bn_padded(y.get(), static_cast<std::size_t>(BN_num_bytes(c.p)));
  } else if (auto* e = find_ecp(group)) {
    const EC_GROUP* grp = ec_group(*e);
    const BIGNUM* order = EC_GROUP_get0_order(grp);
    BN_nnmod(x.get(), x.get(), order, ctx.get());
    if (BN_is_zero(x.get())) BN_one(x.get());
    PointPtr pub(EC_POINT_new(grp));
    BnPtr px(BN_new()), py(BN_new());
    if (!EC_POINT_mul(grp, pub.get(), x.get(), nullptr, nullptr, ctx.get()) ||
        !EC_POINT_get_affine_coordinates(grp, pub.get(), px.get(), py.get(), ctx.get()))
      return fail("EC point multiplication failed");
    k.pub_ = bn_padded(px.get(), e->field_len);
    Bytes yb = bn_padded(py.get(), e->field_len);
    put_bytes(k.pub_, yb);
  } else {
    return fail("unsupported DH group " + std::to_string(group));
  }
  k.impl_->priv = std::move(x);
  return k;
}

Result<Secret> DhKey::shared_secret(ByteView peer) const {
  CtxPtr ctx(BN_CTX_new());
  if (auto* m = find_modp(group_)) {
    const auto& c = modp_cache(*m);
    std::size_t plen = static_cast<std::size_t>(BN_num_bytes(c.p));
    if (peer.size() != plen) return fail("KE length " + std::to_string(peer.size()) + " != " + std::to_string(plen));
    BnPtr y(BN_bin2bn(peer.data(), static_cast<int>(peer.size()), nullptr)), z(BN_new());
    // Reject 0, 1 and p-1 and anything >= p (small-subgroup confinement, RFC 2412 / SP 800-56A).
    if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), c.pm1) >= 0) return fail("KE value out of range");
    if (c.q) {
      // RFC 5114 §4 / SP 800-56A §5.6.2.3.1: p-1 has small factors besides q, so the value
      // must also lie in the order-q subgroup: y^q mod p == 1.
      BnPtr t(BN_new());
      if (!t || !BN_mod_exp_mont(t.get(), y.get(), c.q, c.p, ctx.get(), c.mont)) return fail("modexp failed");
      if (!BN_is_one(t.get())) return fail(std::string("KE value not in the prime-order subgroup of ") + m->name);
    }
    if (!BN_mod_exp_mont_consttime(z.get(), y.get(), impl_->priv.get(), c.p, ctx.get(), c.mont))
      return fail("modexp failed");
    return Secret(bn_padded(z.get(), plen));
  }
  if (auto* e = find_ecp(group_)) {
    if (peer.size() != 2 * e->field_len) return fail("ECP KE length " + std::to_string(peer.size()));
    const EC_GROUP* grp = ec_group(*e);
    BnPtr px(BN_bin2bn(peer.data(), static_cast<int>(e->field_len), nullptr));
    BnPtr py(BN_bin2bn(peer.data() + e->field_len, static_cast<int>(e->field_len), nullptr));
    PointPtr pt(EC_POINT_new(grp)), out(EC_POINT_new(grp));
    // set_affine_coordinates checks that the point is on the curve.
    if (!EC_POINT_set_affine_coordinates(grp, pt.get(), px.get(), py.get(), ctx.get()))
      return fail("ECP KE point not on curve");
    BnPtr sx(BN_new());
    if (!EC_POINT_mul(grp, out.get(), nullptr, pt.get(), impl_->priv.get(), ctx.get()) ||
        EC_POINT_is_at_infinity(grp, out.get()) ||
        !EC_POINT_get_affine_coordinates(grp, out.get(), sx.get(), nullptr, ctx.get()))
      return fail("ECDH failed");
    return Secret(bn_padded(sx.get(), e->field_len));
  }
  return fail("unsupported DH group");
}

}  // namespace xgw::ike::crypto
