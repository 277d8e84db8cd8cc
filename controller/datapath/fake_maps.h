// In-memory DatapathMaps that records every call, for unit tests of the controller.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "datapath_maps.h"

namespace xgw::datapath {

class FakeDatapathMaps final : public DatapathMaps {
 public:
  struct Peer {
    PeerAllow allow;
    uint32_t tunnel;
  };
  struct Spi {
    uint32_t tunnel;
    SpiEncap encap;
  };

  void SetConfig(const DatapathConfig& cfg) override;
  uint32_t LayoutVersion() const override { return XGW_ABI_LAYOUT_VERSION; }
  void UpsertPeer(Ipv4 addr, PeerAllow allow, uint32_t tunnel) override;
  void RemovePeer(Ipv4 addr) override;
  void UpsertSpi(Ipv4 peer, uint32_t spi, uint32_t tunnel, SpiEncap encap) override;
  void RemoveSpi(Ipv4 peer, uint32_t spi) override;
  void SetTunnelParams(uint32_t tunnel, const TunnelParams& p) override;
  void SetTunnelInterface(uint32_t ifindex, uint32_t tunnel) override;
  void RemoveTunnelInterface(uint32_t ifindex) override;
  void AddRemoteNetwork(Ipv4 network, uint8_t prefix_len, uint32_t connection) override;
  void RemoveRemoteNetwork(Ipv4 network, uint8_t prefix_len) override;
  void SetActiveTunnel(uint32_t connection, uint32_t tunnel) override;
  uint32_t ActiveTunnel(uint32_t connection) const override;
  TunnelCounters ReadTunnelCounters(uint32_t tunnel) const override;
  GlobalCounters ReadGlobalCounters() const override { return global; }

  // Recorded state, open for assertions and for tests to preset counters.
  DatapathConfig config;
  std::map<Ipv4, Peer> peers;
  std::map<std::pair<Ipv4, uint32_t>, Spi> spis;
  std::map<uint32_t, TunnelParams> tunnel_params;
  std::map<uint32_t, uint32_t> tunnel_ifaces;
  std::map<std::pair<Ipv4, uint8_t>, uint32_t> remote_networks;
  std::map<uint32_t, uint32_t> active;
  std::map<uint32_t, TunnelCounters> tunnel_counters;
  GlobalCounters global;
  // One line per mutating call, e.g. "SetActiveTunnel 3 7", in call order.
  std::vector<std::string> log;
};

}  // namespace xgw::datapath
