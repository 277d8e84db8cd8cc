#pragma once
// AES-CBC for ISAKMP payload encryption (RFC 3602, RFC 2409 §5.3 and App. B). Input must be a
// whole number of blocks: IKEv1 pads the plaintext itself, so OpenSSL padding stays off.
#include <openssl/types.h>

#include <array>
#include <memory>

#include "ike/bytes.h"
#include "ike/result.h"

namespace xgw::ike::crypto {

// AES-CBC under one key for the many messages of an ISAKMP SA, each with its own IV (RFC 2409
// App. B keeps one IV chain per message ID). Both key schedules are set up once and never
// re-initialised: OpenSSL carries CBC chaining across updates, so a context holds the last
// ciphertext block it saw, and a message with another IV gets its first block corrected by
// (chain XOR IV) instead (C1 = E(P1 ^ IV), P1 = D(C1) ^ IV all the same). The contexts, key
// schedules included, are cleansed when the object goes.
class AesCbc {
 public:
  static Result<AesCbc> make(ByteView key);
  Result<Bytes> encrypt(ByteView iv, ByteView plain);
  Result<Bytes> decrypt(ByteView iv, ByteView cipher);

 private:
  struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const;
  };
  using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;
  using Block = std::array<std::uint8_t, 16>;
  CtxPtr enc_, dec_;
  Block enc_chain_{}, dec_chain_{};  // the CBC state each context holds
};

// One-shot forms (tests, fuzzing, known answers).
Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView plain);
Result<Bytes> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView cipher);

}  // namespace xgw::ike::crypto
