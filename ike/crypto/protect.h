#pragma once
// Encryption of ISAKMP message bodies (RFC 2408 §3.1 E flag, RFC 2409 §5.3 and App. B).
// The header stays in clear; the payload chain is padded and AES-CBC encrypted. The caller
// tracks the IV: the last ciphertext block of a message is the IV of the next one in the
// same exchange.
#include "ike/bytes.h"
#include "ike/codec/message.h"
#include "ike/crypto/cipher.h"
#include "ike/result.h"

namespace xgw::ike::crypto {

struct Encrypted {
  Bytes datagram;
  Bytes last_block;
};

// Pads the chain with zero bytes to a block multiple (a full block when already aligned, as
// strongSwan does; RFC 2409 lets the receiver ignore padding) and builds the datagram.
Result<Encrypted> encrypt_message(codec::Header h, PayloadType first, ByteView chain, AesCbc& cipher, ByteView iv);
Result<Encrypted> encrypt_message(codec::Header h, PayloadType first, ByteView chain, ByteView key, ByteView iv);

struct Decrypted {
  codec::Header header;
  Bytes plaintext;   // payload chain plus padding
  Bytes last_block;  // IV for the next message of this exchange
};
Result<Decrypted> decrypt_message(ByteView datagram, AesCbc& cipher, ByteView iv);
// With a key: sets up an AesCbc for this one message (tests, fuzzing).
Result<Decrypted> decrypt_message(ByteView datagram, ByteView key, ByteView iv);

}  // namespace xgw::ike::crypto
