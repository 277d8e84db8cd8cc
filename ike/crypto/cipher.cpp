#include "ike/crypto/cipher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <string>

#include "ike/constants.h"

namespace xgw::ike::crypto {

void AesCbc::CtxFree::operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }

Result<AesCbc> AesCbc::make(ByteView key) {
  // Fetched once: the implicit fetch of EVP_aes_*_cbc() costs more than a short message.
  static EVP_CIPHER* const k128 = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
  static EVP_CIPHER* const k192 = EVP_CIPHER_fetch(nullptr, "AES-192-CBC", nullptr);
  static EVP_CIPHER* const k256 = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  const EVP_CIPHER* c = key.size() == 16 ? k128 : key.size() == 24 ? k192 : key.size() == 32 ? k256 : nullptr;
  if (!c) return fail("bad AES key length " + std::to_string(key.size()));
  AesCbc a;
  a.enc_.reset(EVP_CIPHER_CTX_new());
  a.dec_.reset(EVP_CIPHER_CTX_new());
  const std::uint8_t zero_iv[kAesBlock] = {};
  for (auto [ctx, enc] : {std::pair{a.enc_.get(), 1}, std::pair{a.dec_.get(), 0}})
    if (!ctx || EVP_CipherInit_ex(ctx, c, nullptr, key.data(), zero_iv, enc) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
      return fail("AES-CBC key setup failed");
  return a;
}

namespace {

bool blocks_ok(ByteView iv, ByteView in, std::string& why) {
  if (iv.size() != kAesBlock) why = "bad IV length " + std::to_string(iv.size());
  else if (in.empty() || in.size() % kAesBlock != 0) why = "input of " + std::to_string(in.size()) + " bytes is not whole AES blocks";
  return why.empty();
}

bool update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, const std::uint8_t* in, std::size_t n) {
  int len = 0;
  return EVP_CipherUpdate(ctx, out, &len, in, static_cast<int>(n)) == 1 && static_cast<std::size_t>(len) == n;
}

}  // namespace

Result<Bytes> AesCbc::encrypt(ByteView iv, ByteView plain) {
  std::string why;
  if (!blocks_ok(iv, plain, why)) return fail("AES-CBC encrypt: " + why);
  Block first;
  for (std::size_t i = 0; i < kAesBlock; ++i) first[i] = plain[i] ^ iv[i] ^ enc_chain_[i];
  Bytes out(plain.size());
  bool ok = update(enc_.get(), out.data(), first.data(), kAesBlock) &&
            update(enc_.get(), out.data() + kAesBlock, plain.data() + kAesBlock, plain.size() - kAesBlock);
  OPENSSL_cleanse(first.data(), first.size());
  if (!ok) return fail("AES-CBC encrypt failed");
  std::copy(out.end() - kAesBlock, out.end(), enc_chain_.begin());
  return out;
}

Result<Bytes> AesCbc::decrypt(ByteView iv, ByteView cipher) {
  std::string why;
  if (!blocks_ok(iv, cipher, why)) return fail("AES-CBC decrypt: " + why);
  Bytes out(cipher.size());
  if (!update(dec_.get(), out.data(), cipher.data(), cipher.size())) return fail("AES-CBC decrypt failed");
  for (std::size_t i = 0; i < kAesBlock; ++i) out[i] ^= dec_chain_[i] ^ iv[i];
  std::copy(cipher.end() - kAesBlock, cipher.end(), dec_chain_.begin());
  return out;
}

Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView plain) {
  auto c = AesCbc::make(key);
  if (!c) return c.error();
  return c->encrypt(iv, plain);
}

Result<Bytes> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView cipher) {
  auto c = AesCbc::make(key);
  if (!c) return c.error();
  return c->decrypt(iv, cipher);
}

}  // namespace xgw::ike::crypto
