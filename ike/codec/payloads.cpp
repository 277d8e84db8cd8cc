#include "ike/codec/payloads.h"

#include <algorithm>
#include <string>

#include "ike/codec/reader.h"

namespace xgw::ike::codec {
namespace {

constexpr std::uint16_t kAttrFormatBasic = 0x8000;  // AF bit (RFC 2408 §3.3)
constexpr std::size_t kMaxProposals = 32;
constexpr std::size_t kMaxTransforms = 64;
constexpr std::size_t kMaxAttributes = 32;

Result<std::vector<Attribute>> decode_attrs(ByteView data) {
  std::vector<Attribute> out;
  out.reserve(std::min(kMaxAttributes, data.size() / 4));  // an attribute takes 4 bytes at least
  Reader r(data);
  while (r.remaining() > 0) {
    if (out.size() >= kMaxAttributes) return fail("too many attributes");
    std::uint16_t t = 0, v = 0;
    if (!r.u16(t) || !r.u16(v)) return fail("truncated attribute");
    Attribute a;
    a.type = t & ~kAttrFormatBasic;
    a.basic = (t & kAttrFormatBasic) != 0;
    if (a.basic) {
      a.value = v;
    } else if (!r.bytes(v, a.var)) {
      return fail("attribute " + std::to_string(a.type) + " length " + std::to_string(v) + " exceeds transform");
    }
    out.push_back(std::move(a));
  }
  return out;
}

void encode_attrs(const std::vector<Attribute>& attrs, Bytes& out) {
  for (const auto& a : attrs) {
    if (a.basic) {
      put_u16(out, a.type | kAttrFormatBasic);
      put_u16(out, a.value);
    } else {
      put_u16(out, a.type);
      put_u16(out, static_cast<std::uint16_t>(a.var.size()));
      put_bytes(out, a.var);
    }
  }
}

// Reads one proposal or transform substructure: generic header whose next field must be
// `more` or 0 (RFC 2408 §3.5, §3.6).
bool read_sub(Reader& r, std::uint8_t more, std::uint8_t& next, ByteView& body, std::string& why) {
  std::uint8_t reserved = 0;
  std::uint16_t len = 0;
  if (!r.u8(next) || !r.u8(reserved) || !r.u16(len)) {
    why = "truncated substructure header";
    return false;
  }
  if (next != 0 && next != more) {
    why = "bad next payload " + std::to_string(next) + " in substructure";
    return false;
  }
  if (len < 4 || !r.view(len - 4u, body)) {
    why = "substructure length " + std::to_string(len) + " out of bounds";
    return false;
  }
  return true;
}

}  // namespace

Result<std::vector<Attribute>> decode_attributes(ByteView data) { return decode_attrs(data); }
Bytes encode_attributes(const std::vector<Attribute>& attrs) {
  Bytes out;
  encode_attrs(attrs, out);
  return out;
}

std::optional<std::uint64_t> Attribute::as_int() const {
  if (basic) return value;
  if (var.size() > 8 || var.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (auto c : var) v = v << 8 | c;
  return v;
}

Attribute Attribute::make(std::uint16_t type, std::uint64_t v) {
  Attribute a;
  a.type = type;
  if (v <= 0xffff) {
    a.basic = true;
    a.value = static_cast<std::uint16_t>(v);
    return a;
  }
  // Variable form with the shortest 4-byte-or-more big-endian encoding (RFC 2407 §4.5
  // life duration may use the variable form).
  a.basic = false;
  int n = v > 0xffffffffULL ? 8 : 4;
  for (int i = n - 1; i >= 0; --i) a.var.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  return a;
}

const Attribute* Transform::find(std::uint16_t type) const {
  for (const auto& a : attrs)
    if (a.type == type) return &a;
  return nullptr;
}

Result<SaPayload> decode_sa(ByteView body) {
  Reader r(body);
  SaPayload sa;
  if (!r.u32(sa.doi) || !r.u32(sa.situation)) return fail("truncated SA header");
  if (sa.doi != kDoiIpsec) return fail("unsupported DOI " + std::to_string(sa.doi));
  std::uint8_t next = static_cast<std::uint8_t>(PayloadType::kProposal);
  while (next != 0) {
    if (sa.proposals.size() >= kMaxProposals) return fail("too many proposals");
    ByteView pb;
    std::string why;
    if (!read_sub(r, static_cast<std::uint8_t>(PayloadType::kProposal), next, pb, why)) return fail("proposal: " + why);
    Reader pr(pb);
    Proposal p;
    std::uint8_t proto = 0, spi_size = 0, ntrans = 0;
    if (!pr.u8(p.number) || !pr.u8(proto) || !pr.u8(spi_size) || !pr.u8(ntrans))
      return fail("truncated proposal");
    p.protocol = static_cast<ProtocolId>(proto);
    if (!pr.bytes(spi_size, p.spi)) return fail("proposal SPI exceeds proposal");
    p.transforms.reserve(std::min<std::size_t>({ntrans, kMaxTransforms, pr.remaining() / 8}));
    std::uint8_t tnext = static_cast<std::uint8_t>(PayloadType::kTransform);
    while (tnext != 0) {
      if (p.transforms.size() >= kMaxTransforms) return fail("too many transforms");
      ByteView tb;
      if (!read_sub(pr, static_cast<std::uint8_t>(PayloadType::kTransform), tnext, tb, why))
        return fail("transform: " + why);
      Reader tr(tb);
      Transform t;
      std::uint16_t reserved = 0;
      if (!tr.u8(t.number) || !tr.u8(t.id) || !tr.u16(reserved)) return fail("truncated transform");
      auto attrs = decode_attrs(tr.rest());
      if (!attrs) return attrs.error();
      t.attrs = std::move(attrs.value());
      p.transforms.push_back(std::move(t));
    }
    if (pr.remaining() != 0) return fail("bytes after the last transform");
    if (p.transforms.size() != ntrans)
      return fail("proposal announces " + std::to_string(ntrans) + " transforms, has " + std::to_string(p.transforms.size()));
    sa.proposals.push_back(std::move(p));
  }
  if (r.remaining() != 0) return fail("bytes after the last proposal");
  if (sa.proposals.empty()) return fail("SA without proposals");
  return sa;
}

Bytes encode_sa(const SaPayload& sa) {
  Bytes out;
  std::size_t n = 8;  // DOI, situation; then proposal and transform headers and attributes
  for (const auto& p : sa.proposals) {
    n += 8 + p.spi.size();
    for (const auto& t : p.transforms) {
      n += 8;
      for (const auto& a : t.attrs) n += 4 + a.var.size();
    }
  }
  out.reserve(n);
  put_u32(out, sa.doi);
  put_u32(out, sa.situation);
  for (std::size_t i = 0; i < sa.proposals.size(); ++i) {
    const auto& p = sa.proposals[i];
    std::size_t start = out.size();
    put_u8(out, i + 1 < sa.proposals.size() ? static_cast<std::uint8_t>(PayloadType::kProposal) : 0);
    put_u8(out, 0);
    put_u16(out, 0);  // length patched below
    put_u8(out, p.number);
    put_u8(out, static_cast<std::uint8_t>(p.protocol));
    put_u8(out, static_cast<std::uint8_t>(p.spi.size()));
    put_u8(out, static_cast<std::uint8_t>(p.transforms.size()));
    put_bytes(out, p.spi);
    for (std::size_t j = 0; j < p.transforms.size(); ++j) {
      const auto& t = p.transforms[j];
      std::size_t ts = out.size();
      put_u8(out, j + 1 < p.transforms.size() ? static_cast<std::uint8_t>(PayloadType::kTransform) : 0);
      put_u8(out, 0);
      put_u16(out, 0);
      put_u8(out, t.number);
      put_u8(out, t.id);
      put_u16(out, 0);
      encode_attrs(t.attrs, out);
      set_u16(out, ts + 2, static_cast<std::uint16_t>(out.size() - ts));
    }
    set_u16(out, start + 2, static_cast<std::uint16_t>(out.size() - start));
  }
  return out;
}

Result<IdPayload> decode_id(ByteView body) {
  Reader r(body);
  IdPayload id;
  if (!r.u8(id.type) || !r.u8(id.protocol) || !r.u16(id.port)) return fail("truncated ID");
  id.data.assign(r.rest().begin(), r.rest().end());
  std::size_t want = id.type == kIdIpv4Addr ? 4 : id.type == kIdIpv4AddrSubnet ? 8 : id.data.size();
  if (id.data.size() != want) return fail("ID type " + std::to_string(id.type) + " with " + std::to_string(id.data.size()) + " data bytes");
  return id;
}

Bytes encode_id(const IdPayload& id) {
  Bytes out;
  out.reserve(4 + id.data.size());
  put_u8(out, id.type);
  put_u8(out, id.protocol);
  put_u16(out, id.port);
  put_bytes(out, id.data);
  return out;
}

Result<NotifyPayload> decode_notify(ByteView body) {
  Reader r(body);
  NotifyPayload n;
  std::uint8_t spi_size = 0;
  if (!r.u32(n.doi) || !r.u8(n.protocol) || !r.u8(spi_size) || !r.u16(n.type)) return fail("truncated N");
  if (!r.bytes(spi_size, n.spi)) return fail("N SPI exceeds payload");
  n.data.assign(r.rest().begin(), r.rest().end());
  return n;
}

Bytes encode_notify(const NotifyPayload& n) {
  Bytes out;
  out.reserve(8 + n.spi.size() + n.data.size());
  put_u32(out, n.doi);
  put_u8(out, n.protocol);
  put_u8(out, static_cast<std::uint8_t>(n.spi.size()));
  put_u16(out, n.type);
  put_bytes(out, n.spi);
  put_bytes(out, n.data);
  return out;
}

Result<DeletePayload> decode_delete(ByteView body) {
  Reader r(body);
  DeletePayload d;
  std::uint16_t count = 0;
  if (!r.u32(d.doi) || !r.u8(d.protocol) || !r.u8(d.spi_size) || !r.u16(count)) return fail("truncated D");
  if (d.spi_size == 0 && count != 0) return fail("D with zero SPI size");
  if (static_cast<std::size_t>(count) * d.spi_size != r.remaining())
    return fail("D announces " + std::to_string(count) + " SPIs of " + std::to_string(d.spi_size) + " bytes, has " + std::to_string(r.remaining()));
  for (std::uint16_t i = 0; i < count; ++i) {
    Bytes s;
    (void)r.bytes(d.spi_size, s);
    d.spis.push_back(std::move(s));
  }
  return d;
}

Bytes encode_delete(const DeletePayload& d) {
  Bytes out;
  put_u32(out, d.doi);
  put_u8(out, d.protocol);
  put_u8(out, d.spi_size);
  put_u16(out, static_cast<std::uint16_t>(d.spis.size()));
  for (const auto& s : d.spis) put_bytes(out, s);
  return out;
}

Result<NatOaPayload> decode_nat_oa(ByteView body) {
  constexpr std::size_t kIpv4Len = 8;  // ID type, 3 reserved, IPv4 address
  Reader r(body);
  NatOaPayload n;
  std::uint8_t reserved = 0;
  if (!r.u8(n.id_type) || !r.u8(reserved) || !r.u8(reserved) || !r.u8(reserved)) return fail("truncated NAT-OA");
  if (n.id_type != kIdIpv4Addr)
    return fail("NAT-OA ID type " + std::to_string(n.id_type) + " unsupported (only ID_IPV4_ADDR)");
  if (body.size() != kIpv4Len)
    return fail("NAT-OA with ID_IPV4_ADDR is " + std::to_string(body.size()) + " bytes, not " + std::to_string(kIpv4Len));
  (void)r.u32(n.ipv4);
  return n;
}

Bytes encode_nat_oa(const NatOaPayload& n) {
  Bytes out;
  out.reserve(8);
  put_u8(out, n.id_type);
  put_u8(out, 0);
  put_u16(out, 0);
  put_u32(out, n.ipv4);
  return out;
}

}  // namespace xgw::ike::codec
