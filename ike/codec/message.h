#pragma once
// ISAKMP header and the generic payload chain (RFC 2408 §3.1, §3.2).
//
// A message is decoded in two steps: the header, then the payload chain of the (decrypted)
// body. Payload bodies stay raw here; payloads.h gives them structure.
#include <array>
#include <cstdint>
#include <vector>

#include "ike/bytes.h"
#include "ike/constants.h"
#include "ike/result.h"

namespace xgw::ike::codec {

using Cookie = std::array<std::uint8_t, kCookieLen>;

struct Header {
  Cookie cky_i{};
  Cookie cky_r{};
  PayloadType next = PayloadType::kNone;
  std::uint8_t version = kIsakmpVersion;
  Exchange exchange = Exchange::kNone;
  std::uint8_t flags = 0;
  std::uint32_t message_id = 0;
  std::uint32_t length = 0;  // whole message, header included
};

struct RawPayload {
  PayloadType type = PayloadType::kNone;
  Bytes body;  // without the 4-byte generic payload header
};

// Decodes the 28-byte header and checks it against the datagram: version 1.0, a length
// that equals the datagram size (RFC 2408 §3.1 says the receiver relies on it) and is
// not below the header size.
Result<Header> decode_header(ByteView datagram);
void encode_header(const Header& h, Bytes& out);

// Decodes a chain of generic payloads starting with `first`. `allow_trailing` accepts bytes
// after the last payload: the zero padding of an encrypted message (RFC 2409 §5.3).
Result<std::vector<RawPayload>> decode_chain(PayloadType first, ByteView body, bool allow_trailing);
// Encodes payloads with their generic headers, chaining the next-payload fields.
Bytes encode_chain(const std::vector<RawPayload>& payloads);

// A whole plaintext message (unencrypted) for convenience.
struct Message {
  Header header;
  std::vector<RawPayload> payloads;
};
Result<Message> decode_plain(ByteView datagram);
Bytes encode_plain(Header h, const std::vector<RawPayload>& payloads);

const char* payload_name(PayloadType t);

}  // namespace xgw::ike::codec
