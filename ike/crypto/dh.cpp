#include "ike/crypto/dh.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

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

// Static description of a MODP group. The private exponent length follows RFC 3526 §8's
// strength table (twice the symmetric strength), which keeps the work proportional to the
// security the group gives, as other IKE implementations do.
struct Modp {
  std::uint16_t group;
  BIGNUM* (*prime)(BIGNUM*);
  std::size_t exp_bits;
  const char* name;
};
constexpr std::array<Modp, 7> kModp{{
    {2, BN_get_rfc2409_prime_1024, 256, "MODP-1024"},
    {5, BN_get_rfc3526_prime_1536, 256, "MODP-1536"},
    {14, BN_get_rfc3526_prime_2048, 320, "MODP-2048"},
    {15, BN_get_rfc3526_prime_3072, 384, "MODP-3072"},
    {16, BN_get_rfc3526_prime_4096, 480, "MODP-4096"},
    {17, BN_get_rfc3526_prime_6144, 540, "MODP-6144"},
    {18, BN_get_rfc3526_prime_8192, 620, "MODP-8192"},
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

// Per-group constants built once and shared read-only: the prime with its Montgomery context,
// or the curve.
struct ModpCache {
  BIGNUM* p = nullptr;
  BIGNUM* pm1 = nullptr;
  BN_MONT_CTX* mont = nullptr;
};
const ModpCache& modp_cache(const Modp& m) {
  static std::array<ModpCache, kModp.size()> caches;
  static std::array<std::once_flag, kModp.size()> once;
  std::size_t i = static_cast<std::size_t>(&m - kModp.data());
  std::call_once(once[i], [&] {
    auto& c = caches[i];
    c.p = m.prime(nullptr);
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

bool dh_group_supported(std::uint16_t g, const DhOptions&) { return find_modp(g) || find_ecp(g); }

std::size_t dh_public_len(std::uint16_t g) {
  if (auto* m = find_modp(g)) return static_cast<std::size_t>(BN_num_bytes(modp_cache(*m).p));
  if (auto* e = find_ecp(g)) return 2 * e->field_len;
  return 0;
}

const char* dh_group_name(std::uint16_t g) {
  if (auto* m = find_modp(g)) return m->name;
  if (auto* e = find_ecp(g)) return e->name;
  return "unsupported";
}

Result<DhKey> DhKey::generate(std::uint16_t group, Random& rng, const DhOptions& opt) {
  if (!dh_group_supported(group, opt)) return fail("unsupported DH group " + std::to_string(group));
  std::size_t n = 0;
  if (auto* m = find_modp(group)) n = (m->exp_bits + 7) / 8;
  if (auto* e = find_ecp(group)) n = e->field_len + 8;  // extra bytes make the mod-n bias negligible
  Bytes buf(n);
  rng.fill(buf);
  Secret raw(std::move(buf));
  return from_private(group, raw);
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
    if (BN_is_zero(x.get())) BN_one(x.get());
    BnPtr g(BN_new()), y(BN_new());
    BN_set_word(g.get(), 2);  // generator 2 for every RFC 2409 / RFC 3526 group
    if (!BN_mod_exp_mont_consttime(y.get(), g.get(), x.get(), c.p, ctx.get(), c.mont)) return fail("modexp failed");
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
