#include "controller/gwd/plumbing.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <fstream>

#include "controller/gwd/log.h"
#include "controller/gwd/sa_params.h"

namespace xgw::gwd {
namespace {

kernel::Selector selector(const config::Cidr& src, const config::Cidr& dst) {
  kernel::Selector s;
  s.src = kernel::Prefix4{to_addr4(src.addr), src.len};
  s.dst = kernel::Prefix4{to_addr4(dst.addr), dst.len};
  return s;
}

void write_sysctl(const std::string& path, const char* value) {
  std::ofstream f(path);
  if (!(f << value)) log_warn("cannot set " + path + " = " + value);
}

// Whether an interface exists, without if_nametoindex: its SIOCGIFINDEX on a name that does
// not exist makes the kernel try `modprobe netdev-NAME` (dev_load), a usermode helper per
// call: 0.4 s per tunnel in the VM, 80 s of gwd's start with 200 tunnels (bench-ike).
// glibc's if_nameindex lists the interfaces over rtnetlink instead.
bool interface_exists(const std::string& name) {
  struct if_nameindex* all = if_nameindex();
  if (!all) return if_nametoindex(name.c_str()) != 0;
  bool found = false;
  for (struct if_nameindex* i = all; i->if_index != 0 && !found; ++i) found = name == i->if_name;
  if_freenameindex(all);
  return found;
}

template <typename F>
void best_effort(const std::string& what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log_warn(what + ": " + e.what());
  }
}

}  // namespace

void plumb_tunnel(KernelHandles k, const config::Gateway& gw, TunnelState& t, bool adopt) {
  const config::Tunnel& cfg = *t.cfg;
  kernel::XfrmInterfaceParams xi;
  xi.name = t.ifname;
  xi.if_id = t.id;
  xi.underlay = gw.wan_interface;
  xi.mtu = cfg.mtu.value_or(0);
  xi.addresses.push_back(kernel::Prefix4{to_addr4(cfg.local_inside()), 30});
  bool exists = interface_exists(t.ifname);
  if (exists && !adopt) {
    log_info("removing leftover interface " + t.ifname + " (no adoptable state for it)");
    k.ipsec.DeleteXfrmInterface(t.ifname);
    exists = false;
  }
  if (exists) log_info("adopted interface " + t.ifname);
  else k.ipsec.CreateXfrmInterface(xi);
  t.ifindex = static_cast<int>(if_nametoindex(t.ifname.c_str()));
  // Decrypted replies may come back on either tunnel (AWS picks its egress): no strict
  // reverse-path filter on the tunnel interfaces.
  write_sysctl("/proc/sys/net/ipv4/conf/" + t.ifname + "/rp_filter", "0");
  write_sysctl("/proc/sys/net/ipv4/conf/" + t.ifname + "/forwarding", "1");

  // Route-based: 0/0 policies (or the connection's selectors) told apart by if_id.
  kernel::Addr4 local = to_addr4(gw.local_address), peer = to_addr4(cfg.peer_address);
  kernel::Selector out_sel = selector(t.conn->local_selector, t.conn->remote_selector);
  kernel::Selector in_sel = selector(t.conn->remote_selector, t.conn->local_selector);
  k.ipsec.AddPolicy({out_sel, kernel::PolicyDir::kOut, local, peer, t.id, 0, t.id, false});
  k.ipsec.AddPolicy({in_sel, kernel::PolicyDir::kIn, peer, local, t.id, 0, t.id, false});
  k.ipsec.AddPolicy({in_sel, kernel::PolicyDir::kFwd, peer, local, t.id, 0, t.id, false});

  k.routing.ReplaceDefaultRoute(t.table, t.ifindex);
  k.routing.AddFwmarkRule(t.mark, t.table, t.rule_priority);

  if (k.maps) {
    k.maps->UpsertPeer(dp_ip(cfg.peer_address), datapath::PeerAllow{}, t.id);
    if (!adopt) {
      datapath::TunnelParams tp;
      tp.mark = t.mark;
      tp.mss = static_cast<std::uint16_t>(cfg.mss.value_or(0));
      tp.clear_df = true;  // AWS: clear DF so the kernel fragments before encrypting
      k.maps->SetTunnelParams(t.id, tp);
    }
    k.maps->SetTunnelInterface(static_cast<std::uint32_t>(t.ifindex), t.id);
  }
}

void unplumb_tunnel(KernelHandles k, const config::Gateway& gw, TunnelState& t) {
  const config::Tunnel& cfg = *t.cfg;
  kernel::Selector out_sel = selector(t.conn->local_selector, t.conn->remote_selector);
  kernel::Selector in_sel = selector(t.conn->remote_selector, t.conn->local_selector);
  best_effort("delete rule of " + t.cfg->name, [&] { k.routing.DeleteFwmarkRule(t.mark, t.table, t.rule_priority); });
  best_effort("delete route of " + t.cfg->name, [&] { k.routing.DeleteDefaultRoute(t.table); });
  best_effort("delete policies of " + t.cfg->name, [&] {
    k.ipsec.DeletePolicy(out_sel, kernel::PolicyDir::kOut, t.id);
    k.ipsec.DeletePolicy(in_sel, kernel::PolicyDir::kIn, t.id);
    k.ipsec.DeletePolicy(in_sel, kernel::PolicyDir::kFwd, t.id);
  });
  best_effort("delete interface " + t.ifname, [&] { k.ipsec.DeleteXfrmInterface(t.ifname); });
  if (k.maps) {
    best_effort("datapath entries of " + t.cfg->name, [&] {
      k.maps->SetTunnelParams(t.id, datapath::TunnelParams{});
      if (t.ifindex) k.maps->RemoveTunnelInterface(static_cast<std::uint32_t>(t.ifindex));
      k.maps->RemovePeer(dp_ip(cfg.peer_address));
    });
  }
  (void)gw;
}

namespace {
bool contains(const std::vector<config::Cidr>& v, const config::Cidr& n) { return std::find(v.begin(), v.end(), n) != v.end(); }
}  // namespace

void plumb_connection(KernelHandles k, const ConnectionState& c) {
  if (!k.maps) return;
  for (const auto& n : c.cfg.remote_networks) k.maps->AddRemoteNetwork(dp_ip(n.addr), n.len, c.id);
  for (const auto& n : c.learned_networks) k.maps->AddRemoteNetwork(dp_ip(n.addr), n.len, c.id);
}

void update_remote_networks(KernelHandles k, const ConnectionState& c, const std::vector<config::Cidr>& previous) {
  if (!k.maps) return;
  // Add (or re-point) first, then remove what is gone: an unchanged network never misses a
  // route. `previous` lists what was steered before: configured and learned networks alike.
  plumb_connection(k, c);
  for (const auto& n : previous)
    if (!contains(c.cfg.remote_networks, n) && !contains(c.learned_networks, n))
      k.maps->RemoveRemoteNetwork(dp_ip(n.addr), n.len);
}

void unplumb_connection(KernelHandles k, const ConnectionState& c) {
  if (!k.maps) return;
  best_effort("remote networks of " + c.cfg.name, [&] {
    for (const auto& n : c.cfg.remote_networks) k.maps->RemoveRemoteNetwork(dp_ip(n.addr), n.len);
    for (const auto& n : c.learned_networks)
      if (!contains(c.cfg.remote_networks, n)) k.maps->RemoveRemoteNetwork(dp_ip(n.addr), n.len);
  });
}

}  // namespace xgw::gwd
