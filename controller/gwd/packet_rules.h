#pragma once
// AWS's packet-size rules: the tunnel interface MTU and the TCP MSS clamp for a negotiated
// ESP suite, from the table in AWS's customer gateway best practices (aws-reference.md).
#include <cstdint>

#include "ike/constants.h"

namespace xgw::gwd {

struct PacketRules {
  std::uint32_t mtu = 1438;
  std::uint32_t mss = 1398;
};

PacketRules aws_packet_rules(std::uint8_t esp_transform, ike::EspAuth integ, bool nat_t);

}  // namespace xgw::gwd
