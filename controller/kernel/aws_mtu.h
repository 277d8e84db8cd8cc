// AWS's packet rules for a tunnel (docs: aws-reference.md, MTU/MSS table): the XFRM
// interface MTU and the TCP MSS clamp for the negotiated ESP algorithms, NAT-T or not.
// An MSS from the downloaded XML configuration (tcp_mss_adjustment) takes precedence.
#pragma once

#include <cstdint>
#include <optional>

namespace xgw::kernel {

enum class EspCipher { kAesCbc, kAesGcm };
enum class EspIntegrity { kNone, kSha1, kSha256, kSha384, kSha512 };

struct MtuMss {
  uint32_t mtu;
  uint16_t mss;
  friend bool operator==(const MtuMss&, const MtuMss&) = default;
};

// Throws std::invalid_argument for combinations AWS does not offer (CBC without integrity,
// GCM with a separate integrity algorithm).
MtuMss AwsTunnelMtu(EspCipher cipher, EspIntegrity integrity, bool natt,
                    std::optional<uint16_t> xml_mss = std::nullopt);

}  // namespace xgw::kernel
