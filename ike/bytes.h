#pragma once
// Byte strings and big-endian helpers shared by the codec and the crypto code.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xgw::ike {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Appends grow the vector once per call, not once per byte (encoders reserve their size).
inline void put_u8(Bytes& b, std::uint8_t v) { b.push_back(v); }
inline void put_u16(Bytes& b, std::uint16_t v) {
  const std::uint8_t x[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  b.insert(b.end(), x, x + 2);
}
inline void put_u32(Bytes& b, std::uint32_t v) {
  const std::uint8_t x[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                             static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  b.insert(b.end(), x, x + 4);
}
inline void put_bytes(Bytes& b, ByteView v) { b.insert(b.end(), v.begin(), v.end()); }
inline void set_u16(Bytes& b, std::size_t off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v >> 8);
  b[off + 1] = static_cast<std::uint8_t>(v);
}
inline void set_u32(Bytes& b, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}
inline std::uint16_t get_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t get_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

inline Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  std::size_t n = 0;
  for (auto p : parts) n += p.size();
  out.reserve(n);
  for (auto p : parts) put_bytes(out, p);
  return out;
}

inline Bytes u32_bytes(std::uint32_t v) {
  return Bytes{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
               static_cast<std::uint8_t>(v)};
}

inline std::string to_hex(ByteView b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (auto c : b) {
    s.push_back(kDigits[c >> 4]);
    s.push_back(kDigits[c & 15]);
  }
  return s;
}

// Returns an empty vector on malformed input together with ok = false.
inline Bytes from_hex(std::string_view s, bool* ok = nullptr) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  if (s.size() % 2 != 0) {
    if (ok) *ok = false;
    return out;
  }
  out.reserve(s.size() / 2);
  for (std::size_t i = 0; i < s.size(); i += 2) {
    int hi = nib(s[i]), lo = nib(s[i + 1]);
    if (hi < 0 || lo < 0) {
      if (ok) *ok = false;
      return {};
    }
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  if (ok) *ok = true;
  return out;
}

}  // namespace xgw::ike
