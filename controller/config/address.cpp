#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

#include "controller/config/config.h"

namespace xgw::config {

std::string ipv4_str(std::uint32_t addr) {
  return std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 0xff) + "." +
         std::to_string((addr >> 8) & 0xff) + "." + std::to_string(addr & 0xff);
}

std::optional<std::uint32_t> parse_ipv4(const std::string& s) {
  in_addr a{};
  // inet_pton accepts only the strict dotted-quad form (no octal, no short forms).
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::optional<Cidr> parse_cidr(const std::string& s) {
  auto slash = s.find('/');
  auto addr = parse_ipv4(s.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned len = 32;
  if (slash != std::string::npos) {
    const char* b = s.data() + slash + 1;
    const char* e = s.data() + s.size();
    auto [p, ec] = std::from_chars(b, e, len);
    if (ec != std::errc() || p != e || b == e || len > 32) return std::nullopt;
  }
  std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
  if ((*addr & ~mask) != 0) return std::nullopt;
  return Cidr{*addr, static_cast<std::uint8_t>(len)};
}

std::string Cidr::str() const { return ipv4_str(addr) + "/" + std::to_string(len); }

namespace {
// Cutting a message at `max` bytes may split a multi-byte UTF-8 character; the cut-off lead
// byte would make the message invalid UTF-8, which nlohmann::json refuses to serialise (found
// by fuzz_control_request: gwd's reply to a long unknown command could not be written).
void drop_partial_utf8_sequence(std::string& s) {
  std::size_t lead = s.size(), continuation = 0;
  while (lead > 0 && continuation < 4 && (static_cast<unsigned char>(s[lead - 1]) & 0xC0) == 0x80) {
    --lead;
    ++continuation;
  }
  if (lead == 0) return;
  unsigned char c = static_cast<unsigned char>(s[lead - 1]);
  std::size_t want = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (want > continuation) s.erase(lead - 1);
}
}  // namespace

std::string one_line(const std::string& message, std::size_t max) {
  std::string out;
  for (unsigned char c : message) {
    if (out.size() >= max) {
      drop_partial_utf8_sequence(out);
      out += "...";
      break;
    }
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace xgw::config
