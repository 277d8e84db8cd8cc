#pragma once
// The negotiated hash and its HMAC PRF (RFC 2409 §5: "prf" is HMAC with the negotiated hash
// when no PRF attribute is given; RFC 4868 for the SHA2 variants).
#include "ike/bytes.h"
#include "ike/constants.h"

namespace xgw::ike::crypto {

std::size_t hash_len(HashAlg a);
const char* hash_name(HashAlg a);
bool hash_supported(std::uint16_t v);
Bytes hash(HashAlg a, ByteView data);
Bytes prf(HashAlg a, ByteView key, ByteView data);

}  // namespace xgw::ike::crypto
