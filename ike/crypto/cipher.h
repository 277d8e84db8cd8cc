#pragma once
// AES-CBC for ISAKMP payload encryption (RFC 3602, RFC 2409 §5.3 and App. B). Input must be a
// whole number of blocks: IKEv1 pads the plaintext itself, so OpenSSL padding stays off.
#include "ike/bytes.h"
#include "ike/result.h"

namespace xgw::ike::crypto {

Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView plain);
Result<Bytes> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView cipher);

}  // namespace xgw::ike::crypto
