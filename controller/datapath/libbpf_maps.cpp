#include "libbpf_maps.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace xgw::datapath {
namespace {

[[noreturn]] void Fail(int err, const std::string& what) {
  throw std::system_error(err < 0 ? -err : err, std::generic_category(), what);
}

void Update(int fd, const void* key, const void* value, const char* what, uint64_t flags = BPF_ANY) {
  if (bpf_map_update_elem(fd, key, value, flags) != 0) Fail(errno, std::string("bpf map update ") + what);
}

void Delete(int fd, const void* key, const char* what) {
  if (bpf_map_delete_elem(fd, key) != 0 && errno != ENOENT) Fail(errno, std::string("bpf map delete ") + what);
}

void Lookup(int fd, const void* key, void* value, const char* what) {
  if (bpf_map_lookup_elem(fd, key, value) != 0) Fail(errno, std::string("bpf map lookup ") + what);
}

}  // namespace

Ipv4 Ipv4::Parse(const std::string& dotted) {
  in_addr a{};
  if (inet_pton(AF_INET, dotted.c_str(), &a) != 1) throw std::invalid_argument("not an IPv4 address: " + dotted);
  return Ipv4{a.s_addr};
}

std::string Ipv4::ToString() const {
  char buf[INET_ADDRSTRLEN];
  in_addr a{be};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

uint32_t PeerAllow::Bits() const {
  return (udp500 ? XGW_PEER_UDP500 : 0) | (udp4500 ? XGW_PEER_UDP4500 : 0) | (esp ? XGW_PEER_ESP : 0);
}

LibbpfDatapathMaps::LibbpfDatapathMaps(MapFds fds) : fds_(fds), ncpus_(libbpf_num_possible_cpus()) {
  if (ncpus_ <= 0) Fail(-ncpus_, "libbpf_num_possible_cpus");
}

void LibbpfDatapathMaps::SetConfig(const DatapathConfig& cfg) {
  uint32_t zero = 0;
  xgw_config c{XGW_ABI_LAYOUT_VERSION,
               (cfg.drop_other_ipv4 ? XGW_CFG_DROP_OTHER_IPV4 : 0u) | (cfg.drop_non_ipv4 ? XGW_CFG_DROP_NON_IPV4 : 0u),
               cfg.mm1_rate_pps, cfg.mm1_burst};
  Update(fds_.config, &zero, &c, "xgw_config");
}

uint32_t LibbpfDatapathMaps::LayoutVersion() const {
  uint32_t zero = 0;
  xgw_config c{};
  Lookup(fds_.config, &zero, &c, "xgw_config");
  return c.layout_version;
}

void LibbpfDatapathMaps::WriteLayoutVersion() {
  uint32_t zero = 0;
  xgw_config c{};
  Lookup(fds_.config, &zero, &c, "xgw_config");
  c.layout_version = XGW_ABI_LAYOUT_VERSION;
  Update(fds_.config, &zero, &c, "xgw_config");
}

void LibbpfDatapathMaps::SetBloomBit(Ipv4 addr, bool on) {
  uint32_t h = xgw_peer_bloom_hash(addr.be), word = h / 64;
  uint64_t bits = 0;
  Lookup(fds_.peer_bloom, &word, &bits, "xgw_peer_bloom");
  uint64_t mask = uint64_t{1} << (h % 64);
  bits = on ? (bits | mask) : (bits & ~mask);
  Update(fds_.peer_bloom, &word, &bits, "xgw_peer_bloom");
}

void LibbpfDatapathMaps::UpsertPeer(Ipv4 addr, PeerAllow allow, uint32_t tunnel) {
  if (tunnel >= XGW_MAX_TUNNELS) throw std::out_of_range("tunnel index beyond XGW_MAX_TUNNELS");
  SetBloomBit(addr, true);  // before the entry: the filter may never hide a listed peer
  xgw_peer_key k{addr.be};
  xgw_peer v{allow.Bits(), tunnel};
  Update(fds_.peers, &k, &v, "xgw_peers");
}

void LibbpfDatapathMaps::RemovePeer(Ipv4 addr) {
  xgw_peer_key k{addr.be};
  Delete(fds_.peers, &k, "xgw_peers");
  // Clear the filter bit unless another peer hashes to it.
  uint32_t h = xgw_peer_bloom_hash(addr.be);
  xgw_peer_key cur{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fds_.peers, prev, &next) == 0) {
    if (xgw_peer_bloom_hash(next.addr) == h) return;
    cur = next;
    prev = &cur;
  }
  SetBloomBit(addr, false);
}

void LibbpfDatapathMaps::UpsertSpi(Ipv4 peer, uint32_t spi, uint32_t tunnel, SpiEncap encap) {
  if (tunnel >= XGW_MAX_TUNNELS) throw std::out_of_range("tunnel index beyond XGW_MAX_TUNNELS");
  xgw_spi_key k{peer.be, spi};
  xgw_spi_info v{tunnel, static_cast<uint32_t>(encap)};
  Update(fds_.spi, &k, &v, "xgw_spi");
}

void LibbpfDatapathMaps::RemoveSpi(Ipv4 peer, uint32_t spi) {
  xgw_spi_key k{peer.be, spi};
  Delete(fds_.spi, &k, "xgw_spi");
}

void LibbpfDatapathMaps::SetTunnelParams(uint32_t tunnel, const TunnelParams& p) {
  xgw_tunnel_params v{p.mark, p.mss, static_cast<__u16>(p.clear_df ? XGW_TUN_CLEAR_DF : 0)};
  Update(fds_.tun_params, &tunnel, &v, "xgw_tun_params");
}

void LibbpfDatapathMaps::SetTunnelInterface(uint32_t ifindex, uint32_t tunnel) {
  Update(fds_.tun_ifaces, &ifindex, &tunnel, "xgw_tun_ifaces");
}

void LibbpfDatapathMaps::RemoveTunnelInterface(uint32_t ifindex) { Delete(fds_.tun_ifaces, &ifindex, "xgw_tun_ifaces"); }

void LibbpfDatapathMaps::AddRemoteNetwork(Ipv4 network, uint8_t prefix_len, uint32_t connection) {
  if (prefix_len > 32) throw std::invalid_argument("prefix length > 32");
  if (connection >= XGW_MAX_CONNECTIONS) throw std::out_of_range("connection beyond XGW_MAX_CONNECTIONS");
  xgw_route_key k{prefix_len, network.be};
  xgw_route v{connection};
  Update(fds_.routes, &k, &v, "xgw_routes");
}

void LibbpfDatapathMaps::RemoveRemoteNetwork(Ipv4 network, uint8_t prefix_len) {
  xgw_route_key k{prefix_len, network.be};
  Delete(fds_.routes, &k, "xgw_routes");
}

void LibbpfDatapathMaps::SetActiveTunnel(uint32_t connection, uint32_t tunnel) {
  xgw_active v{tunnel};
  Update(fds_.active, &connection, &v, "xgw_active");
}

uint32_t LibbpfDatapathMaps::ActiveTunnel(uint32_t connection) const {
  xgw_active v{};
  Lookup(fds_.active, &connection, &v, "xgw_active");
  return v.tunnel;
}

TunnelCounters LibbpfDatapathMaps::ReadTunnelCounters(uint32_t tunnel) const {
  std::vector<xgw_tunnel_counters> per_cpu(static_cast<size_t>(ncpus_));
  Lookup(fds_.tun_ctr, &tunnel, per_cpu.data(), "xgw_tun_ctr");
  TunnelCounters out;
  for (const auto& t : per_cpu)
    for (size_t k = 0; k < XGW_TCTR_MAX; ++k) {
      out.c[k].packets += t.c[k].packets;
      out.c[k].bytes += t.c[k].bytes;
    }
  return out;
}

GlobalCounters LibbpfDatapathMaps::ReadGlobalCounters() const {
  GlobalCounters out;
  std::vector<xgw_counter> per_cpu(static_cast<size_t>(ncpus_));
  for (uint32_t i = 0; i < XGW_GCTR_MAX; ++i) {
    Lookup(fds_.global_ctr, &i, per_cpu.data(), "xgw_global_ctr");
    Counter sum;
    for (const auto& c : per_cpu) {
      sum.packets += c.packets;
      sum.bytes += c.bytes;
    }
    if (i < XGW_GCTR_DROP) out.by_class[i - XGW_GCTR_CLASS] = sum;
    else if (i < XGW_GCTR_EVENT) out.by_drop_reason[i - XGW_GCTR_DROP] = sum;
    else out.by_event[i - XGW_GCTR_EVENT] = sum;
  }
  return out;
}

}  // namespace xgw::datapath
