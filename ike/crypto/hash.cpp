#include "ike/crypto/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace xgw::ike::crypto {
namespace {
const EVP_MD* md(HashAlg a) {
  switch (a) {
    case HashAlg::kSha1: return EVP_sha1();
    case HashAlg::kSha256: return EVP_sha256();
    case HashAlg::kSha384: return EVP_sha384();
    case HashAlg::kSha512: return EVP_sha512();
  }
  throw std::invalid_argument("unsupported hash");
}
}  // namespace

std::size_t hash_len(HashAlg a) {
  switch (a) {
    case HashAlg::kSha1: return 20;
    case HashAlg::kSha256: return 32;
    case HashAlg::kSha384: return 48;
    case HashAlg::kSha512: return 64;
  }
  return 0;
}

const char* hash_name(HashAlg a) {
  switch (a) {
    case HashAlg::kSha1: return "SHA1";
    case HashAlg::kSha256: return "SHA2-256";
    case HashAlg::kSha384: return "SHA2-384";
    case HashAlg::kSha512: return "SHA2-512";
  }
  return "?";
}

bool hash_supported(std::uint16_t v) { return v == 2 || (v >= 4 && v <= 6); }

Bytes hash(HashAlg a, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, md(a), nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");
  out.resize(n);
  return out;
}

Bytes prf(HashAlg a, ByteView key, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  // An empty key still needs a valid pointer for HMAC().
  static const std::uint8_t kEmpty = 0;
  if (!HMAC(md(a), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()), data.data(), data.size(),
            out.data(), &n))
    throw std::runtime_error("HMAC failed");
  out.resize(n);
  return out;
}

}  // namespace xgw::ike::crypto
