#include "controller/gwd/packet_rules.h"

namespace xgw::gwd {

PacketRules aws_packet_rules(std::uint8_t esp_transform, ike::EspAuth integ, bool nat_t) {
  if (esp_transform != ike::kEspAesCbc) return nat_t ? PacketRules{1438, 1398} : PacketRules{1446, 1406};
  switch (integ) {
    case ike::EspAuth::kHmacSha384: return {1422, 1382};
    case ike::EspAuth::kHmacSha512: return nat_t ? PacketRules{1406, 1366} : PacketRules{1422, 1382};
    default: return nat_t ? PacketRules{1422, 1382} : PacketRules{1438, 1398};
  }
}

}  // namespace xgw::gwd
