// DatapathMaps over the file descriptors of the kernel maps (loaded or re-opened from pins).
#pragma once

#include "datapath_maps.h"

namespace xgw::datapath {

// The map fds one datapath instance uses; owned by the Datapath loader (or a test).
struct MapFds {
  int config = -1, peers = -1, peer_bloom = -1, spi = -1, tun_ctr = -1, global_ctr = -1;
  int routes = -1, active = -1, tun_params = -1, tun_ifaces = -1;
};

class LibbpfDatapathMaps final : public DatapathMaps {
 public:
  explicit LibbpfDatapathMaps(MapFds fds);

  void SetConfig(const DatapathConfig& cfg) override;
  uint32_t LayoutVersion() const override;
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
  GlobalCounters ReadGlobalCounters() const override;

  // Writes the layout version into xgw_config (keeping the other fields).
  void WriteLayoutVersion();
  const MapFds& fds() const { return fds_; }

 private:
  void SetBloomBit(Ipv4 addr, bool on);
  MapFds fds_;
  int ncpus_;
};

}  // namespace xgw::datapath
