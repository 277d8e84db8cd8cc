// Builds Ethernet/VLAN/IPv4/UDP/ESP frames for BPF_PROG_TEST_RUN tests and benchmarks.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <vector>

namespace xgw::reftest {

inline uint32_t Ip(const char* dotted) {
  in_addr a{};
  inet_pton(AF_INET, dotted, &a);
  return a.s_addr;  // network order, as stored in __be32
}

inline uint16_t InetChecksum(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t{p[i]} << 8 | p[i + 1];
  if (n & 1) sum += uint32_t{p[n - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

class PacketBuilder {
 public:
  PacketBuilder& Vlan(uint16_t tci, uint16_t tpid = 0x8100) { vlan_ = true; tci_ = tci; tpid_ = tpid; return *this; }
  PacketBuilder& Ethertype(uint16_t t) { ethertype_ = t; return *this; }
  PacketBuilder& Src(const char* a) { src_ = Ip(a); return *this; }
  PacketBuilder& Dst(const char* a) { dst_ = Ip(a); return *this; }
  PacketBuilder& Proto(uint8_t p) { proto_ = p; return *this; }
  PacketBuilder& Ttl(uint8_t t) { ttl_ = t; return *this; }
  PacketBuilder& Options(size_t bytes) { options_ = bytes; return *this; }  // multiple of 4
  PacketBuilder& Frag(uint16_t frag_field) { frag_ = frag_field; return *this; }  // flags|offset
  PacketBuilder& Udp(uint16_t sport, uint16_t dport) { proto_ = 17; udp_ = true; sport_ = sport; dport_ = dport; return *this; }
  PacketBuilder& UdpLenOverride(uint16_t len) { udp_len_override_ = len; return *this; }
  PacketBuilder& Payload(std::vector<uint8_t> p) { payload_ = std::move(p); return *this; }
  PacketBuilder& Isakmp(uint64_t icookie, uint64_t rcookie, size_t extra = 0) {
    std::vector<uint8_t> p(28 + extra, 0);
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(icookie >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) p[8 + i] = static_cast<uint8_t>(rcookie >> (56 - 8 * i));
    p[17] = 0x10;  // version 1.0
    p[18] = 2;     // Identity Protection (Main Mode)
    payload_.insert(payload_.end(), p.begin(), p.end());
    return *this;
  }
  PacketBuilder& NonEspMarker() { payload_.insert(payload_.end(), 4, 0); return *this; }
  PacketBuilder& Esp(uint32_t spi, uint32_t seq = 1, size_t body = 64) {
    uint8_t h[8] = {uint8_t(spi >> 24), uint8_t(spi >> 16), uint8_t(spi >> 8), uint8_t(spi),
                    uint8_t(seq >> 24), uint8_t(seq >> 16), uint8_t(seq >> 8), uint8_t(seq)};
    payload_.insert(payload_.end(), h, h + 8);
    for (size_t i = 0; i < body; ++i) payload_.push_back(static_cast<uint8_t>(i * 7 + 3));
    return *this;
  }
  // Raw bytes appended after the transport header.
  PacketBuilder& Bytes(std::initializer_list<uint8_t> b) { payload_.insert(payload_.end(), b); return *this; }
  PacketBuilder& TotLenOverride(uint16_t len) { tot_len_override_ = len; return *this; }

  std::vector<uint8_t> Build() const {
    std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
    if (vlan_) {
      f.push_back(tpid_ >> 8); f.push_back(tpid_ & 0xFF);
      f.push_back(tci_ >> 8); f.push_back(tci_ & 0xFF);
    }
    f.push_back(ethertype_ >> 8); f.push_back(ethertype_ & 0xFF);
    if (ethertype_ != 0x0800) {
      f.insert(f.end(), payload_.begin(), payload_.end());
      return f;
    }
    size_t ip_off = f.size(), hlen = 20 + options_;
    size_t l4 = (udp_ ? 8 : 0) + payload_.size();
    uint16_t tot = tot_len_override_ ? tot_len_override_ : static_cast<uint16_t>(hlen + l4);
    f.resize(ip_off + hlen, 0);
    uint8_t* ip = f.data() + ip_off;
    ip[0] = static_cast<uint8_t>(0x40 | (hlen / 4));
    ip[2] = tot >> 8; ip[3] = tot & 0xFF;
    ip[4] = 0x12; ip[5] = 0x34;
    ip[6] = frag_ >> 8; ip[7] = frag_ & 0xFF;
    ip[8] = ttl_; ip[9] = proto_;
    __builtin_memcpy(ip + 12, &src_, 4);
    __builtin_memcpy(ip + 16, &dst_, 4);
    for (size_t i = 20; i < hlen; ++i) ip[i] = 1;  // NOP options
    uint16_t csum = InetChecksum(ip, hlen);
    ip[10] = csum >> 8; ip[11] = csum & 0xFF;
    if (udp_) {
      uint16_t ulen = udp_len_override_ ? udp_len_override_ : static_cast<uint16_t>(8 + payload_.size());
      uint8_t u[8] = {uint8_t(sport_ >> 8), uint8_t(sport_), uint8_t(dport_ >> 8), uint8_t(dport_),
                      uint8_t(ulen >> 8), uint8_t(ulen), 0, 0};
      f.insert(f.end(), u, u + 8);
    }
    f.insert(f.end(), payload_.begin(), payload_.end());
    return f;
  }

 private:
  bool vlan_ = false;
  uint16_t tci_ = 0, tpid_ = 0x8100, ethertype_ = 0x0800;
  uint32_t src_ = Ip("192.0.2.1"), dst_ = Ip("198.51.100.1");
  uint8_t proto_ = 6, ttl_ = 64;
  size_t options_ = 0;
  uint16_t frag_ = 0;
  bool udp_ = false;
  uint16_t sport_ = 0, dport_ = 0, udp_len_override_ = 0, tot_len_override_ = 0;
  std::vector<uint8_t> payload_;
};

}  // namespace xgw::reftest
