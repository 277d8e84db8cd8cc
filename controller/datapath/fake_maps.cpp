#include "fake_maps.h"

#include <stdexcept>

namespace xgw::datapath {

void FakeDatapathMaps::SetConfig(const DatapathConfig& cfg) {
  config = cfg;
  log.push_back("SetConfig");
}

void FakeDatapathMaps::UpsertPeer(Ipv4 addr, PeerAllow allow, uint32_t tunnel) {
  if (tunnel >= XGW_MAX_TUNNELS) throw std::out_of_range("tunnel index beyond XGW_MAX_TUNNELS");
  peers[addr] = {allow, tunnel};
  log.push_back("UpsertPeer " + addr.ToString() + " " + std::to_string(allow.Bits()) + " " + std::to_string(tunnel));
}

void FakeDatapathMaps::RemovePeer(Ipv4 addr) {
  peers.erase(addr);
  log.push_back("RemovePeer " + addr.ToString());
}

void FakeDatapathMaps::UpsertSpi(Ipv4 peer, uint32_t spi, uint32_t tunnel, SpiEncap encap) {
  if (tunnel >= XGW_MAX_TUNNELS) throw std::out_of_range("tunnel index beyond XGW_MAX_TUNNELS");
  spis[{peer, spi}] = {tunnel, encap};
  log.push_back("UpsertSpi " + peer.ToString() + " " + std::to_string(spi) + " " + std::to_string(tunnel));
}

void FakeDatapathMaps::RemoveSpi(Ipv4 peer, uint32_t spi) {
  spis.erase({peer, spi});
  log.push_back("RemoveSpi " + peer.ToString() + " " + std::to_string(spi));
}

void FakeDatapathMaps::SetTunnelParams(uint32_t tunnel, const TunnelParams& p) {
  tunnel_params[tunnel] = p;
  log.push_back("SetTunnelParams " + std::to_string(tunnel) + " mark " + std::to_string(p.mark));
}

void FakeDatapathMaps::SetTunnelInterface(uint32_t ifindex, uint32_t tunnel) {
  tunnel_ifaces[ifindex] = tunnel;
  log.push_back("SetTunnelInterface " + std::to_string(ifindex) + " " + std::to_string(tunnel));
}

void FakeDatapathMaps::RemoveTunnelInterface(uint32_t ifindex) {
  tunnel_ifaces.erase(ifindex);
  log.push_back("RemoveTunnelInterface " + std::to_string(ifindex));
}

void FakeDatapathMaps::AddRemoteNetwork(Ipv4 network, uint8_t prefix_len, uint32_t connection) {
  if (prefix_len > 32) throw std::invalid_argument("prefix length > 32");
  remote_networks[{network, prefix_len}] = connection;
  log.push_back("AddRemoteNetwork " + network.ToString() + "/" + std::to_string(prefix_len) + " " +
                std::to_string(connection));
}

void FakeDatapathMaps::RemoveRemoteNetwork(Ipv4 network, uint8_t prefix_len) {
  remote_networks.erase({network, prefix_len});
  log.push_back("RemoveRemoteNetwork " + network.ToString() + "/" + std::to_string(prefix_len));
}

void FakeDatapathMaps::SetActiveTunnel(uint32_t connection, uint32_t tunnel) {
  if (connection >= XGW_MAX_CONNECTIONS) throw std::out_of_range("connection beyond XGW_MAX_CONNECTIONS");
  active[connection] = tunnel;
  log.push_back("SetActiveTunnel " + std::to_string(connection) + " " + std::to_string(tunnel));
}

uint32_t FakeDatapathMaps::ActiveTunnel(uint32_t connection) const {
  auto it = active.find(connection);
  return it == active.end() ? 0 : it->second;
}

TunnelCounters FakeDatapathMaps::ReadTunnelCounters(uint32_t tunnel) const {
  auto it = tunnel_counters.find(tunnel);
  return it == tunnel_counters.end() ? TunnelCounters{} : it->second;
}

}  // namespace xgw::datapath
