#pragma once
// The configuration the tests of config, doctor and gwd start from: one connection "vpn1"
// with two tunnels, the fixtures' endpoint addresses and PSKs. Tests vary it with
// replace_once() or append more sections.
#include <stdexcept>
#include <string>

namespace xgw::config::sample {

inline constexpr const char* kText = R"(
[gateway]
wan_interface = "eth0"
local_address = "198.51.100.10"

[[connection]]
name = "vpn1"
remote_networks = ["10.0.0.0/16"]

[[connection.tunnel]]
peer_address = "203.0.113.21"
psk = "Kq7.vT2mZx9_bN4wLr8sYd3HfJ6pCg1e"
inside_cidr = "169.254.100.0/30"

[[connection.tunnel]]
peer_address = "203.0.113.87"
psk = "Wm3_aR8tLq5.zX2cVn7bHk4sDf9gJp6u"
inside_cidr = "169.254.101.0/30"
)";

// `text` with the first `from` replaced by `to`. Throws when `from` is absent, so a test
// never silently runs on the unchanged sample.
inline std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  auto p = text.find(from);
  if (p == std::string::npos) throw std::invalid_argument("sample config has no \"" + from + "\"");
  return text.replace(p, from.size(), to);
}

}  // namespace xgw::config::sample
