#include "reference_classifier.h"

#include <optional>

namespace xgw::reftest {
namespace {

uint16_t Be16(std::span<const uint8_t> b, size_t off) {
  return static_cast<uint16_t>(b[off] << 8 | b[off + 1]);
}
uint32_t Be32(std::span<const uint8_t> b, size_t off) {
  return uint32_t{b[off]} << 24 | uint32_t{b[off + 1]} << 16 | uint32_t{b[off + 2]} << 8 | b[off + 3];
}
// The address as the kernel stores it in __be32 (bytes in wire order in memory).
uint32_t RawAddr(std::span<const uint8_t> b, size_t off) {
  uint32_t v;
  __builtin_memcpy(&v, b.data() + off, 4);
  return v;
}

struct Parsed {
  uint32_t cls = XGW_CLASS_OTHER;
  uint32_t saddr = 0;
  uint32_t spi = 0;
  uint8_t proto = 0;
  bool mm1 = false;
};

uint32_t ClassifyNatt(std::span<const uint8_t> payload, size_t n, Parsed& p) {
  if (n == 1) return payload[0] == 0xFF ? XGW_CLASS_NATT_KEEPALIVE : XGW_CLASS_MALFORMED;
  if (n < XGW_NON_ESP_MARKER_LEN) return XGW_CLASS_MALFORMED;
  uint32_t marker = Be32(payload, 0);
  if (marker == 0)
    return n < XGW_NON_ESP_MARKER_LEN + XGW_ISAKMP_HDR_LEN ? XGW_CLASS_MALFORMED : XGW_CLASS_IKE_4500;
  if (n < XGW_ESP_HDR_LEN) return XGW_CLASS_MALFORMED;
  p.spi = marker;
  return XGW_CLASS_ESP_IN_UDP;
}

Parsed Parse(std::span<const uint8_t> f) {
  Parsed p;
  if (f.size() < 14) return {.cls = XGW_CLASS_MALFORMED};
  size_t off = 14;
  uint16_t ethertype = Be16(f, 12);
  if (ethertype == 0x8100 || ethertype == 0x88A8) {
    if (f.size() < 18) return {.cls = XGW_CLASS_MALFORMED};
    ethertype = Be16(f, 16);
    off = 18;
  }
  if (ethertype != 0x0800) return {.cls = XGW_CLASS_OTHER};
  if (f.size() < off + 20) return {.cls = XGW_CLASS_MALFORMED};
  auto ip = f.subspan(off);
  unsigned version = ip[0] >> 4, ihl = ip[0] & 0xF;
  if (version != 4 || ihl < 5) return {.cls = XGW_CLASS_MALFORMED};
  size_t hlen = ihl * 4, tot = Be16(ip, 2);
  if (tot < hlen || tot > ip.size()) return {.cls = XGW_CLASS_MALFORMED};
  p.saddr = RawAddr(ip, 12);
  p.proto = ip[9];
  uint16_t frag = Be16(ip, 6);
  bool more_fragments = frag & 0x2000;
  if (frag & 0x1FFF) {
    p.cls = (p.proto == 17 || p.proto == 50) ? XGW_CLASS_FRAGMENT : XGW_CLASS_OTHER_IPV4;
    return p;
  }
  auto l4 = ip.subspan(hlen, tot - hlen);
  if (p.proto == 50) {
    if (l4.size() < XGW_ESP_HDR_LEN) return {.cls = XGW_CLASS_MALFORMED};
    p.spi = Be32(l4, 0);
    p.cls = XGW_CLASS_ESP;
    return p;
  }
  if (p.proto != 17) {
    p.cls = XGW_CLASS_OTHER_IPV4;
    return p;
  }
  if (l4.size() < 8) return {.cls = XGW_CLASS_MALFORMED};
  size_t ulen = Be16(l4, 4);
  if (ulen < 8 || (!more_fragments && ulen > l4.size())) return {.cls = XGW_CLASS_MALFORMED};
  uint16_t dport = Be16(l4, 2);
  if (dport != XGW_PORT_IKE && dport != XGW_PORT_NATT) {
    p.cls = XGW_CLASS_OTHER_IPV4;
    return p;
  }
  auto payload = l4.subspan(8);
  size_t n = std::min(ulen - 8, payload.size());
  if (dport == XGW_PORT_NATT) {
    p.cls = ClassifyNatt(payload, n, p);
    return p;
  }
  if (n < XGW_ISAKMP_HDR_LEN) return {.cls = XGW_CLASS_MALFORMED};
  bool rcookie_zero = true;
  for (size_t i = 8; i < 16; ++i) rcookie_zero = rcookie_zero && payload[i] == 0;
  p.mm1 = rcookie_zero;
  p.cls = XGW_CLASS_IKE_500;
  return p;
}

uint32_t PeerNeed(const Parsed& p) {
  switch (p.cls) {
    case XGW_CLASS_IKE_500: return XGW_PEER_UDP500;
    case XGW_CLASS_ESP: return XGW_PEER_ESP;
    case XGW_CLASS_FRAGMENT: return p.proto == 50 ? XGW_PEER_ESP : XGW_PEER_UDP500 | XGW_PEER_UDP4500;
    default: return XGW_PEER_UDP4500;
  }
}

uint32_t PassKind(uint32_t cls) {
  switch (cls) {
    case XGW_CLASS_IKE_500: return XGW_TCTR_IN_IKE_500;
    case XGW_CLASS_IKE_4500: return XGW_TCTR_IN_IKE_4500;
    case XGW_CLASS_NATT_KEEPALIVE: return XGW_TCTR_IN_KEEPALIVE;
    case XGW_CLASS_FRAGMENT: return XGW_TCTR_IN_FRAGMENT;
    default: return XGW_TCTR_IN_UNKNOWN_SPI;
  }
}

}  // namespace

RefResult ReferenceClassify(std::span<const uint8_t> frame, const RefState& state) {
  Parsed p = Parse(frame);
  RefResult r;
  r.cls = p.cls;
  switch (p.cls) {
    case XGW_CLASS_MALFORMED:
      r.reason = XGW_DROP_MALFORMED;
      return r;
    case XGW_CLASS_OTHER:
      if (state.config_flags & XGW_CFG_DROP_NON_IPV4) r.reason = XGW_DROP_POLICY;
      return r;
    case XGW_CLASS_OTHER_IPV4:
      if (state.config_flags & XGW_CFG_DROP_OTHER_IPV4) r.reason = XGW_DROP_POLICY;
      return r;
    default:
      break;
  }
  auto peer = state.peers.find(p.saddr);
  bool fragment = p.cls == XGW_CLASS_FRAGMENT;
  if (peer == state.peers.end()) {
    r.reason = fragment ? XGW_DROP_FRAGMENT : XGW_DROP_NOT_PEER;
    return r;
  }
  if (p.cls == XGW_CLASS_ESP || p.cls == XGW_CLASS_ESP_IN_UDP) {
    auto it = state.spis.find({p.saddr, p.spi});
    uint32_t encap = p.cls == XGW_CLASS_ESP ? XGW_SPI_ESP : XGW_SPI_UDP;
    if (it != state.spis.end() && (it->second.encap & encap)) {
      r.tunnel = it->second.tunnel;
      r.kind = p.cls == XGW_CLASS_ESP ? XGW_TCTR_IN_ESP : XGW_TCTR_IN_ESP_IN_UDP;
      return r;
    }
  }
  r.tunnel = peer->second.tunnel;
  if (!(peer->second.allow & PeerNeed(p))) {
    r.reason = fragment ? XGW_DROP_FRAGMENT : XGW_DROP_NOT_ALLOWED;
    r.kind = XGW_TCTR_IN_DROPPED;
    return r;
  }
  r.kind = PassKind(p.cls);
  r.unknown_spi = r.kind == XGW_TCTR_IN_UNKNOWN_SPI;
  r.mm1 = p.mm1;
  return r;
}

}  // namespace xgw::reftest
