#pragma once
// AWS's recommended tunnel MTU and TCP MSS per ESP algorithm (aws-reference.md §2, from AWS's
// customer gateway best-practice page). AWS does no path MTU discovery, so the CGW must clamp.
#include <cstdint>
#include <string>

#include "controller/config/config.h"

namespace xgw::aws {

struct MtuMss {
  std::uint32_t mtu;
  std::uint32_t mss;
  bool operator==(const MtuMss&) const = default;
};

// One ESP suite: encryption as in the config ("aes128", "aes256-gcm-16"), integrity ("sha1", ...).
MtuMss recommended(const std::string& encryption, const std::string& integrity, bool nat_t);

// The safe value for every suite the algorithm lists allow: AWS picks among them, so the
// smallest recommendation is the one that fits whichever gets negotiated.
MtuMss recommended(const config::Algorithms& a, bool nat_t);

}  // namespace xgw::aws
