#pragma once
// Structured payload bodies (without the generic payload header): SA / Proposal / Transform
// with data attributes (RFC 2408 §3.3-3.6), ID (RFC 2407 §4.6.2), Notify (RFC 2408 §3.14),
// Delete (RFC 2408 §3.15), NAT-OA (RFC 3947 §5.2). KE, HASH, NONCE, VID and NAT-D bodies are
// opaque byte strings.
#include <cstdint>
#include <optional>
#include <vector>

#include "ike/bytes.h"
#include "ike/constants.h"
#include "ike/result.h"

namespace xgw::ike::codec {

// Data attribute (RFC 2408 §3.3): AF bit set = basic (TV, 16-bit value), clear = TLV.
struct Attribute {
  std::uint16_t type = 0;
  bool basic = true;
  std::uint16_t value = 0;  // basic form
  Bytes var;                // variable form
  // The value as an integer; a variable value of more than 8 bytes yields nullopt.
  std::optional<std::uint64_t> as_int() const;
  static Attribute make(std::uint16_t type, std::uint64_t v);  // picks TV when it fits 16 bits
};

struct Transform {
  std::uint8_t number = 1;
  std::uint8_t id = 0;
  std::vector<Attribute> attrs;
  const Attribute* find(std::uint16_t type) const;
};

struct Proposal {
  std::uint8_t number = 1;
  ProtocolId protocol = ProtocolId::kIsakmp;
  Bytes spi;
  std::vector<Transform> transforms;
};

struct SaPayload {
  std::uint32_t doi = kDoiIpsec;
  std::uint32_t situation = kSitIdentityOnly;
  std::vector<Proposal> proposals;
};

struct IdPayload {
  std::uint8_t type = kIdIpv4Addr;
  std::uint8_t protocol = 0;
  std::uint16_t port = 0;
  Bytes data;
};

struct NotifyPayload {
  std::uint32_t doi = kDoiIpsec;
  std::uint8_t protocol = 0;
  std::uint16_t type = 0;
  Bytes spi;
  Bytes data;
};

struct DeletePayload {
  std::uint32_t doi = kDoiIpsec;
  std::uint8_t protocol = 0;
  std::uint8_t spi_size = 0;
  std::vector<Bytes> spis;
};

// NAT-OA, original address (RFC 3947 §5.2): ID type (1 octet), 3 reserved octets, address.
// Only ID_IPV4_ADDR is supported; the reserved octets are sent as zero and ignored on receipt.
struct NatOaPayload {
  std::uint8_t id_type = kIdIpv4Addr;
  std::uint32_t ipv4 = 0;  // host byte order
};

// Data attributes on their own, e.g. the data of a RESPONDER-LIFETIME notify (RFC 2407 §4.6.3.1).
Result<std::vector<Attribute>> decode_attributes(ByteView data);
Bytes encode_attributes(const std::vector<Attribute>& attrs);

Result<SaPayload> decode_sa(ByteView body);
Bytes encode_sa(const SaPayload& sa);
Result<IdPayload> decode_id(ByteView body);
Bytes encode_id(const IdPayload& id);
Result<NotifyPayload> decode_notify(ByteView body);
Bytes encode_notify(const NotifyPayload& n);
Result<DeletePayload> decode_delete(ByteView body);
Bytes encode_delete(const DeletePayload& d);
Result<NatOaPayload> decode_nat_oa(ByteView body);
Bytes encode_nat_oa(const NatOaPayload& n);

}  // namespace xgw::ike::codec
