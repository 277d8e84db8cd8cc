#include "counter_names.h"

#include <array>

namespace xgw::datapath {
namespace {

// One entry per enum value, in order; the sizes are checked against the ABI's MAX values.
constexpr std::array<const char*, XGW_TCTR_MAX> kTunnelCounters = {
    "in_ike_500", "in_ike_4500", "in_esp", "in_esp_in_udp", "in_keepalive",
    "in_unknown_spi", "in_fragment", "in_dropped", "out_esp", "out_esp_in_udp"};
constexpr std::array<const char*, XGW_CLASS_MAX> kClasses = {
    "ike_500", "ike_4500", "esp_in_udp", "natt_keepalive", "esp", "other_ipv4", "other", "fragment", "malformed"};
constexpr std::array<const char*, XGW_DROP_MAX> kDropReasons = {
    "none", "not_peer", "not_allowed", "ratelimit", "malformed", "fragment", "policy"};
constexpr std::array<const char*, XGW_EV_MAX> kEvents = {
    "unknown_spi", "mm1", "vlan", "ip_options", "steered", "df_cleared", "mss_clamped", "out_unknown_spi"};

template <std::size_t N>
const char* at(const std::array<const char*, N>& names, int i) {
  return i >= 0 && static_cast<std::size_t>(i) < N ? names[static_cast<std::size_t>(i)] : "unknown";
}

}  // namespace

const char* tunnel_counter_name(xgw_tunnel_counter k) { return at(kTunnelCounters, k); }
const char* class_name(xgw_pkt_class c) { return at(kClasses, c); }
const char* drop_reason_name(xgw_drop_reason r) { return at(kDropReasons, r); }
const char* event_name(xgw_event e) { return at(kEvents, e); }

}  // namespace xgw::datapath
