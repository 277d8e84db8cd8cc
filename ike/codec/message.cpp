#include "ike/codec/message.h"

#include <string>

#include "ike/codec/reader.h"

namespace xgw::ike::codec {

Result<Header> decode_header(ByteView d) {
  if (d.size() < kHeaderLen) return fail("truncated header: " + std::to_string(d.size()) + " bytes");
  if (d.size() > kMaxMessageLen) return fail("oversized message");
  Header h;
  Reader r(d);
  ByteView v;
  std::uint8_t np = 0, ex = 0;
  (void)r.view(kCookieLen, v);
  std::copy(v.begin(), v.end(), h.cky_i.begin());
  (void)r.view(kCookieLen, v);
  std::copy(v.begin(), v.end(), h.cky_r.begin());
  (void)r.u8(np);
  (void)r.u8(h.version);
  (void)r.u8(ex);
  (void)r.u8(h.flags);
  (void)r.u32(h.message_id);
  (void)r.u32(h.length);
  h.next = static_cast<PayloadType>(np);
  h.exchange = static_cast<Exchange>(ex);
  if ((h.version >> 4) != 1) return fail("invalid major version " + std::to_string(h.version >> 4));
  if (h.length != d.size())
    return fail("header length " + std::to_string(h.length) + " != datagram " + std::to_string(d.size()));
  return h;
}

void encode_header(const Header& h, Bytes& out) {
  put_bytes(out, h.cky_i);
  put_bytes(out, h.cky_r);
  put_u8(out, static_cast<std::uint8_t>(h.next));
  put_u8(out, h.version);
  put_u8(out, static_cast<std::uint8_t>(h.exchange));
  put_u8(out, h.flags);
  put_u32(out, h.message_id);
  put_u32(out, h.length);
}

Result<std::vector<RawPayload>> decode_chain(PayloadType first, ByteView body, bool allow_trailing) {
  std::vector<RawPayload> out;
  out.reserve(8);  // more than most messages carry: one allocation instead of regrowth
  Reader r(body);
  PayloadType type = first;
  while (type != PayloadType::kNone) {
    if (out.size() >= kMaxPayloads) return fail("too many payloads");
    std::uint8_t next = 0, reserved = 0;
    std::uint16_t len = 0;
    if (!r.u8(next) || !r.u8(reserved) || !r.u16(len))
      return fail(std::string("truncated generic header of ") + payload_name(type));
    if (len < kGenericPayloadHeaderLen)
      return fail(std::string(payload_name(type)) + " length " + std::to_string(len) + " below 4");
    RawPayload p;
    p.type = type;
    if (!r.bytes(len - kGenericPayloadHeaderLen, p.body))
      return fail(std::string(payload_name(type)) + " length " + std::to_string(len) + " exceeds message");
    out.push_back(std::move(p));
    type = static_cast<PayloadType>(next);
  }
  if (!allow_trailing && r.remaining() != 0)
    return fail(std::to_string(r.remaining()) + " bytes after the last payload");
  return out;
}

Bytes encode_chain(const std::vector<RawPayload>& payloads) {
  Bytes out;
  std::size_t n = 0;
  for (const auto& p : payloads) n += kGenericPayloadHeaderLen + p.body.size();
  out.reserve(n);
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    auto next = i + 1 < payloads.size() ? payloads[i + 1].type : PayloadType::kNone;
    put_u8(out, static_cast<std::uint8_t>(next));
    put_u8(out, 0);
    put_u16(out, static_cast<std::uint16_t>(payloads[i].body.size() + kGenericPayloadHeaderLen));
    put_bytes(out, payloads[i].body);
  }
  return out;
}

Result<Message> decode_plain(ByteView d) {
  auto h = decode_header(d);
  if (!h) return h.error();
  if (h->flags & kFlagEncryption) return fail("message is encrypted");
  auto chain = decode_chain(h->next, d.subspan(kHeaderLen), false);
  if (!chain) return chain.error();
  return Message{*h, std::move(chain.value())};
}

Bytes encode_plain(Header h, const std::vector<RawPayload>& payloads) {
  Bytes body = encode_chain(payloads);
  h.next = payloads.empty() ? PayloadType::kNone : payloads.front().type;
  h.length = static_cast<std::uint32_t>(kHeaderLen + body.size());
  Bytes out;
  out.reserve(h.length);
  encode_header(h, out);
  put_bytes(out, body);
  return out;
}

const char* payload_name(PayloadType t) {
  switch (t) {
    case PayloadType::kNone: return "NONE";
    case PayloadType::kSa: return "SA";
    case PayloadType::kProposal: return "P";
    case PayloadType::kTransform: return "T";
    case PayloadType::kKe: return "KE";
    case PayloadType::kId: return "ID";
    case PayloadType::kCert: return "CERT";
    case PayloadType::kCr: return "CR";
    case PayloadType::kHash: return "HASH";
    case PayloadType::kSig: return "SIG";
    case PayloadType::kNonce: return "NONCE";
    case PayloadType::kNotify: return "N";
    case PayloadType::kDelete: return "D";
    case PayloadType::kVendorId: return "VID";
    case PayloadType::kNatD: return "NAT-D";
    case PayloadType::kNatOa: return "NAT-OA";
  }
  return "UNKNOWN";
}

}  // namespace xgw::ike::codec
