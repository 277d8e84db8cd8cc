// Codec robustness: truncation, bad lengths and oversize inputs are rejected with a reason.
#include <gtest/gtest.h>

#include "ike/codec/message.h"
#include "ike/codec/payloads.h"

namespace xgw::ike::codec {
namespace {

Bytes sample() {
  Header h;
  h.cky_i = {1, 2, 3, 4, 5, 6, 7, 8};
  h.exchange = Exchange::kIdentityProtection;
  SaPayload sa;
  Proposal p;
  Transform t;
  t.id = kKeyIke;
  t.attrs.push_back(Attribute::make(1, 7));
  t.attrs.push_back(Attribute::make(12, 86400 * 10));  // needs the variable form
  p.transforms.push_back(t);
  sa.proposals.push_back(p);
  return encode_plain(h, {{PayloadType::kSa, encode_sa(sa)}, {PayloadType::kVendorId, Bytes(16, 0xaa)}});
}

TEST(Codec, RoundTrip) {
  Bytes m = sample();
  auto d = decode_plain(m);
  ASSERT_TRUE(d) << d.error().reason;
  ASSERT_EQ(d->payloads.size(), 2u);
  auto sa = decode_sa(d->payloads[0].body);
  ASSERT_TRUE(sa) << sa.error().reason;
  auto* life = sa->proposals[0].transforms[0].find(12);
  ASSERT_NE(life, nullptr);
  EXPECT_FALSE(life->basic);
  EXPECT_EQ(*life->as_int(), 864000u);
  EXPECT_EQ(encode_plain(d->header, d->payloads), m);
}

TEST(Codec, EveryTruncationIsRejected) {
  Bytes m = sample();
  for (std::size_t n = 0; n < m.size(); ++n) {
    Bytes t(m.begin(), m.begin() + static_cast<long>(n));
    auto d = decode_plain(t);
    EXPECT_FALSE(d) << n;
    if (n >= kHeaderLen) {
      // Fix up the header length so the chain decoder itself sees the truncation.
      set_u32(t, 24, static_cast<std::uint32_t>(n));
      auto d2 = decode_plain(t);
      EXPECT_FALSE(d2) << n;
      if (!d2) {
        EXPECT_FALSE(d2.error().reason.empty());
      }
    }
  }
}

TEST(Codec, BadLengthsAreRejected) {
  Bytes m = sample();
  Bytes t = m;
  set_u16(t, kHeaderLen + 2, 2);  // payload length below the generic header
  EXPECT_FALSE(decode_plain(t));
  t = m;
  set_u16(t, kHeaderLen + 2, 0xffff);  // payload longer than the message
  EXPECT_FALSE(decode_plain(t));
  t = m;
  t[17] = 0x20;  // version 2.0
  EXPECT_FALSE(decode_plain(t));
  Bytes big(kMaxMessageLen + 1, 0);
  EXPECT_FALSE(decode_header(big));
}

TEST(Codec, SaSubstructureErrors) {
  auto d = decode_plain(sample());
  ASSERT_TRUE(d);
  Bytes body = d->payloads[0].body;
  for (std::size_t i = 8; i < body.size(); ++i) {
    for (std::uint8_t v : {std::uint8_t{0}, std::uint8_t{0xff}, std::uint8_t{3}}) {
      Bytes b = body;
      b[i] = v;
      auto r = decode_sa(b);  // must not crash; either decodes or explains
      if (!r) {
        EXPECT_FALSE(r.error().reason.empty());
      }
    }
  }
  Bytes b = body;
  b[8 + 7] = 5;  // transform count mismatch
  EXPECT_FALSE(decode_sa(b));
}

TEST(Codec, DeleteCountMustMatch) {
  DeletePayload del;
  del.protocol = 3;
  del.spi_size = 4;
  del.spis = {{1, 2, 3, 4}, {5, 6, 7, 8}};
  Bytes b = encode_delete(del);
  auto r = decode_delete(b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->spis.size(), 2u);
  set_u16(b, 6, 1000);
  EXPECT_FALSE(decode_delete(b));
}

TEST(Codec, IdLengthChecked) {
  EXPECT_TRUE(decode_id(encode_id({kIdIpv4Addr, 0, 0, {1, 2, 3, 4}})));
  EXPECT_FALSE(decode_id(encode_id({kIdIpv4Addr, 0, 0, {1, 2, 3}})));
  EXPECT_TRUE(decode_id(encode_id({kIdIpv4AddrSubnet, 0, 0, Bytes(8, 0)})));
}

TEST(Codec, NatOaRoundTripsThroughAMessage) {
  // RFC 3947 §5.2: ID type 1 (ID_IPV4_ADDR), 3 reserved octets, the IPv4 address.
  Bytes body = encode_nat_oa({kIdIpv4Addr, 0xc0000242});  // 192.0.2.66
  EXPECT_EQ(to_hex(body), "01000000c0000242");
  Header h;
  h.exchange = Exchange::kQuickMode;
  Bytes m = encode_plain(h, {{PayloadType::kNatOa, body}, {PayloadType::kNatOa, encode_nat_oa({kIdIpv4Addr, 0xcb007115})}});
  auto d = decode_plain(m);
  ASSERT_TRUE(d) << d.error().reason;
  ASSERT_EQ(d->payloads.size(), 2u);
  EXPECT_EQ(d->payloads[0].type, PayloadType::kNatOa);
  auto oa = decode_nat_oa(d->payloads[1].body);
  ASSERT_TRUE(oa) << oa.error().reason;
  EXPECT_EQ(oa->id_type, kIdIpv4Addr);
  EXPECT_EQ(oa->ipv4, 0xcb007115u);
  EXPECT_EQ(encode_nat_oa(*oa), d->payloads[1].body);
}

TEST(Codec, NatOaBoundsAndIdTypeAreStrict) {
  Bytes good = encode_nat_oa({kIdIpv4Addr, 0x0a000002});
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = decode_nat_oa(ByteView(good).first(n));
    ASSERT_FALSE(r) << n;
    EXPECT_FALSE(r.error().reason.empty());
  }
  Bytes longer = good;
  longer.push_back(0);
  auto r = decode_nat_oa(longer);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("9 bytes"), std::string::npos) << r.error().reason;
  Bytes v6(20, 0);
  v6[0] = 5;  // ID_IPV6_ADDR: not supported (IPv4 endpoints only)
  r = decode_nat_oa(v6);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("ID type 5"), std::string::npos) << r.error().reason;
  Bytes subnet = good;
  subnet[0] = kIdIpv4AddrSubnet;  // not an address type NAT-OA allows
  EXPECT_FALSE(decode_nat_oa(subnet));
  Bytes reserved = good;
  reserved[2] = 0x7f;  // reserved octets are ignored on receipt
  EXPECT_TRUE(decode_nat_oa(reserved));
}

}  // namespace
}  // namespace xgw::ike::codec
