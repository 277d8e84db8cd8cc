// Typed access to the datapath's BPF maps (layout in bpf/include/xgw_abi.h).
//
// DatapathMaps is the interface the controller programs against: LibbpfDatapathMaps writes
// the kernel maps of a loaded (or re-opened) datapath, FakeDatapathMaps records the same
// calls in memory for unit tests of the layers above. User space keeps the authoritative
// state; these maps are its projection. Errors throw std::system_error naming the operation.
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "xgw_abi.h"

namespace xgw::datapath {

// An IPv4 address in network byte order, as the maps store it.
struct Ipv4 {
  uint32_t be = 0;
  static Ipv4 Parse(const std::string& dotted);  // throws std::invalid_argument
  std::string ToString() const;
  friend bool operator==(Ipv4, Ipv4) = default;
  friend auto operator<=>(Ipv4 a, Ipv4 b) = default;
};

struct DatapathConfig {
  bool drop_other_ipv4 = false;  // non-VPN IPv4 on the WAN: pass (default) or drop
  bool drop_non_ipv4 = false;    // ARP/IPv6 on the WAN: pass (default) or drop
  uint32_t mm1_rate_pps = 10;    // new Main Mode first messages per second per source, 0 = off
  uint32_t mm1_burst = 20;
};

struct PeerAllow {
  bool udp500 = true;
  bool udp4500 = true;
  bool esp = true;
  uint32_t Bits() const;
};

enum class SpiEncap : uint32_t { kEsp = XGW_SPI_ESP, kUdp = XGW_SPI_UDP, kBoth = XGW_SPI_ESP | XGW_SPI_UDP };

struct TunnelParams {
  uint32_t mark = 0;     // fwmark for `ip rule`; 0 = do not steer
  uint16_t mss = 0;      // TCP MSS clamp, 0 = none
  bool clear_df = false;
};

struct Counter {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  friend bool operator==(const Counter&, const Counter&) = default;
};

// Summed over all CPUs.
struct TunnelCounters {
  std::array<Counter, XGW_TCTR_MAX> c{};
  const Counter& operator[](xgw_tunnel_counter k) const { return c[k]; }
};

struct GlobalCounters {
  std::array<Counter, XGW_CLASS_MAX> by_class{};
  std::array<Counter, XGW_DROP_MAX> by_drop_reason{};
  std::array<Counter, XGW_EV_MAX> by_event{};
};

class DatapathMaps {
 public:
  virtual ~DatapathMaps() = default;

  virtual void SetConfig(const DatapathConfig& cfg) = 0;
  virtual uint32_t LayoutVersion() const = 0;

  // Allow-list. UpsertPeer sets the pre-filter bit first; RemovePeer clears it last.
  virtual void UpsertPeer(Ipv4 addr, PeerAllow allow, uint32_t tunnel) = 0;
  virtual void RemovePeer(Ipv4 addr) = 0;

  // (peer, SPI) -> tunnel: inbound SPIs as soon as they are allocated (peer = source), outbound
  // SPIs when the SA is installed (peer = destination).
  virtual void UpsertSpi(Ipv4 peer, uint32_t spi, uint32_t tunnel, SpiEncap encap) = 0;
  virtual void RemoveSpi(Ipv4 peer, uint32_t spi) = 0;

  // Steering.
  virtual void SetTunnelParams(uint32_t tunnel, const TunnelParams& p) = 0;
  virtual void SetTunnelInterface(uint32_t ifindex, uint32_t tunnel) = 0;
  virtual void RemoveTunnelInterface(uint32_t ifindex) = 0;
  virtual void AddRemoteNetwork(Ipv4 network, uint8_t prefix_len, uint32_t connection) = 0;
  virtual void RemoveRemoteNetwork(Ipv4 network, uint8_t prefix_len) = 0;
  // The failover switch: one 4-byte map update.
  virtual void SetActiveTunnel(uint32_t connection, uint32_t tunnel) = 0;
  virtual uint32_t ActiveTunnel(uint32_t connection) const = 0;

  virtual TunnelCounters ReadTunnelCounters(uint32_t tunnel) const = 0;
  virtual GlobalCounters ReadGlobalCounters() const = 0;
};

}  // namespace xgw::datapath
