#include "ike/crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace xgw::ike::crypto {
namespace {

// Digests are fetched from the provider once: OpenSSL 3's implicit fetch (EVP_sha1(), HMAC())
// costs more than hashing a short IKE input, and a handshake does ~50 of them.
const EVP_MD* md(HashAlg a) {
  static const std::array<EVP_MD*, 4> kMds = {
      EVP_MD_fetch(nullptr, "SHA1", nullptr), EVP_MD_fetch(nullptr, "SHA256", nullptr),
      EVP_MD_fetch(nullptr, "SHA384", nullptr), EVP_MD_fetch(nullptr, "SHA512", nullptr)};
  switch (a) {
    case HashAlg::kSha1: return kMds[0];
    case HashAlg::kSha256: return kMds[1];
    case HashAlg::kSha384: return kMds[2];
    case HashAlg::kSha512: return kMds[3];
  }
  throw std::invalid_argument("unsupported hash");
}

std::size_t block_len(HashAlg a) { return a == HashAlg::kSha384 || a == HashAlg::kSha512 ? 128 : 64; }

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// One digest context per thread, reused: re-initialising a context with the same digest keeps
// its provider state, which halves the cost of the short hashes IKE does.
EVP_MD_CTX* thread_ctx() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

// A freshly initialised context per digest and thread. Starting a hash by copying it is
// cheaper than EVP_DigestInit_ex, which in OpenSSL 3.0 also looks for an ENGINE (under a
// global lock) every time.
const EVP_MD_CTX* fresh_ctx(HashAlg a) {
  thread_local std::array<std::unique_ptr<EVP_MD_CTX, CtxFree>, 4> fresh;
  auto i = static_cast<std::size_t>(a == HashAlg::kSha1 ? 0 : static_cast<int>(a) - 3);  // 2, 4, 5, 6
  if (!fresh[i]) {
    fresh[i].reset(EVP_MD_CTX_new());
    if (!fresh[i] || EVP_DigestInit_ex(fresh[i].get(), md(a), nullptr) != 1) throw std::runtime_error("digest init failed");
  }
  return fresh[i].get();
}

void digest(EVP_MD_CTX* ctx, HashAlg a, std::initializer_list<ByteView> parts, std::uint8_t* out) {
  unsigned int n = 0;
  bool ok = EVP_MD_CTX_copy_ex(ctx, fresh_ctx(a)) == 1;
  for (auto p : parts) ok = ok && EVP_DigestUpdate(ctx, p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, out, &n) == 1;
  if (!ok) throw std::runtime_error("digest failed");
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
  Bytes out(hash_len(a));
  digest(thread_ctx(), a, {data}, out.data());
  return out;
}

// HMAC (RFC 2104): H((K ^ opad) | H((K ^ ipad) | m)), K padded (or hashed) to the block size.
Bytes prf(HashAlg a, ByteView key, ByteView data) {
  EVP_MD_CTX* ctx = thread_ctx();
  std::size_t bl = block_len(a), hl = hash_len(a);
  std::array<std::uint8_t, 128> k{}, pad{};
  if (key.size() > bl)
    digest(ctx, a, {key}, k.data());
  else
    std::copy(key.begin(), key.end(), k.begin());
  std::array<std::uint8_t, 64> inner{};
  for (std::size_t i = 0; i < bl; ++i) pad[i] = k[i] ^ 0x36;
  digest(ctx, a, {ByteView(pad.data(), bl), data}, inner.data());
  for (std::size_t i = 0; i < bl; ++i) pad[i] = k[i] ^ 0x5c;
  Bytes out(hl);
  digest(ctx, a, {ByteView(pad.data(), bl), ByteView(inner.data(), hl)}, out.data());
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  return out;
}

}  // namespace xgw::ike::crypto
