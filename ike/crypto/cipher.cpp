#include "ike/crypto/cipher.h"

#include <openssl/evp.h>

#include <memory>

#include "ike/constants.h"

namespace xgw::ike::crypto {
namespace {
Result<Bytes> run(bool enc, ByteView key, ByteView iv, ByteView in) {
  // Fetched once: the implicit fetch of EVP_aes_*_cbc() costs more than a short message.
  static EVP_CIPHER* const k128 = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
  static EVP_CIPHER* const k192 = EVP_CIPHER_fetch(nullptr, "AES-192-CBC", nullptr);
  static EVP_CIPHER* const k256 = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  const EVP_CIPHER* c = key.size() == 16 ? k128 : key.size() == 24 ? k192 : key.size() == 32 ? k256 : nullptr;
  if (!c) return fail("bad AES key length");
  if (iv.size() != kAesBlock) return fail("bad IV length");
  if (in.empty() || in.size() % kAesBlock != 0) return fail("ciphertext is not a whole number of AES blocks");
  // One context per thread, re-keyed for each message (saves an allocation and a provider
  // context per message).
  thread_local std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                                   EVP_CIPHER_CTX_free);
  Bytes out(in.size());
  int n = 0;
  if (!ctx || EVP_CipherInit_ex(ctx.get(), c, nullptr, key.data(), iv.data(), enc ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) != 1 ||
      static_cast<std::size_t>(n) != in.size())
    return fail("AES-CBC failed");
  return out;
}
}  // namespace

Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView plain) { return run(true, key, iv, plain); }
Result<Bytes> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView cipher) { return run(false, key, iv, cipher); }

}  // namespace xgw::ike::crypto
