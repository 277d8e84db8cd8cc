#pragma once
// Diffie-Hellman for IKEv1 KE payloads.
//  - MODP groups 2 (RFC 2409 §6.2), 5 and 14-18 (RFC 3526): KE = g^x mod p, left-padded to
//    the prime length; the shared secret g^xy is padded the same way.
//  - MODP groups 22/23/24 with a prime-order subgroup (RFC 5114 §2.1-2.3): generator g != 2,
//    private exponent in [1, q-1], and the peer's KE must lie in the order-q subgroup
//    (y^q mod p == 1, RFC 5114 §4 / NIST SP 800-56A §5.6.2.3.1). Only with DhOptions::allow_rfc5114.
//  - ECP groups 19/20/21 (RFC 5903 §7): KE = x || y, each padded to the field size; the
//    shared secret is the x coordinate only (RFC 5903 §9, which corrected RFC 4753).
// The private value comes from the injected Random so exchanges are reproducible in tests.
#include <cstdint>
#include <memory>
#include <optional>

#include "ike/bytes.h"
#include "ike/crypto/secret.h"
#include "ike/random.h"
#include "ike/result.h"

namespace xgw::ike::crypto {

struct DhOptions {
  // RFC 5114 groups 22-24 are widely deprecated (prime-order subgroups with questionable
  // provenance, RFC 8247 §2.4 says MUST NOT for IKEv2); they need this explicit opt-in.
  bool allow_rfc5114 = false;
};

bool dh_group_supported(std::uint16_t group, const DhOptions& opt = {});
std::size_t dh_public_len(std::uint16_t group);
const char* dh_group_name(std::uint16_t group);

// The parameters of a finite-field group, big-endian: prime p, generator g and, for the
// RFC 5114 groups, the subgroup order q (empty for the safe-prime groups). For tests and
// diagnostics; nullopt for ECP or unknown groups.
struct ModpParams {
  Bytes p, g, q;
};
std::optional<ModpParams> dh_modp_params(std::uint16_t group);

class DhKey {
 public:
  static Result<DhKey> generate(std::uint16_t group, Random& rng, const DhOptions& opt = {});
  // Test hook: a private value given explicitly (big-endian), e.g. from RFC 5903 §8. For the
  // RFC 5114 groups it must lie in [1, q-1].
  static Result<DhKey> from_private(std::uint16_t group, ByteView priv);
  DhKey(DhKey&&) noexcept;
  DhKey& operator=(DhKey&&) noexcept;
  ~DhKey();

  std::uint16_t group() const { return group_; }
  const Bytes& public_value() const { return pub_; }
  // Validates the peer's value (length, range, subgroup membership / on-curve) before using it.
  Result<Secret> shared_secret(ByteView peer_public) const;

 private:
  struct Impl;
  DhKey() = default;
  std::uint16_t group_ = 0;
  Bytes pub_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xgw::ike::crypto
