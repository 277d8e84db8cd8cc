// The datapath loader: RAII owner of the three BPF objects (WAN XDP, WAN TC egress, LAN/tunnel
// TC ingress) loaded from their skeletons, sharing one set of maps.
//
// With a pin directory (default /sys/fs/bpf/xgw, bpffs mounted if needed) maps are pinned as
// <dir>/<map name> and XDP links as <dir>/link_xdp_<ifname>; a restarted gwd re-opens the
// pinned maps (counters and state survive) and swaps its fresh programs into the pinned XDP
// link with bpf_link_update and into the TC filters with BPF_TC_F_REPLACE, so traffic keeps
// flowing. When the pinned layout version is older than this binary's, the old map pins are
// set aside, fresh maps are created (the controller repopulates them) and the programs are
// replaced atomically the same way. Destroying a Datapath never detaches anything: Detach()
// does, on request.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libbpf_maps.h"

struct xdp_wan;
struct tc_wan_egress;
struct tc_lan_ingress;

namespace xgw::datapath {

enum class XdpMode {
  kNativeOrGeneric,  // native (driver) mode, generic (SKB) mode when the driver refuses
  kNative,
  kGeneric,
};

struct LoaderOptions {
  std::string pin_dir = "/sys/fs/bpf/xgw";  // empty: nothing pinned (tests, benchmarks)
};

// Runs a function inside another network namespace (setns there and back), e.g. to resolve
// an interface name and attach to it; the loader itself stays in the host mount namespace so
// bpffs stays visible. Empty netns path = current namespace.
class ScopedNetns {
 public:
  explicit ScopedNetns(const std::string& netns_path);
  ~ScopedNetns();
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;

 private:
  int orig_ = -1;
};

struct Interface {
  std::string name;
  std::string netns;  // path such as /run/netns/gw; empty = current namespace
};

class Datapath {
 public:
  enum class Origin { kFresh, kReopened, kUpgraded };

  static std::unique_ptr<Datapath> Load(const LoaderOptions& opts = {});
  ~Datapath();
  Datapath(const Datapath&) = delete;
  Datapath& operator=(const Datapath&) = delete;

  // WAN: XDP classifier on ingress + TC egress counters.
  // Returns the XDP mode actually used.
  XdpMode AttachWan(const Interface& wan, XdpMode mode = XdpMode::kNativeOrGeneric);
  // LAN: TC ingress steering.
  void AttachLan(const Interface& lan);
  // XFRM interface: TC ingress MSS clamp towards the LAN.
  void AttachTunnelInterface(const Interface& xfrm);
  // Removes XDP links (and their pins) and TC filters of the given interfaces.
  void DetachWan(const Interface& wan);
  void DetachTc(const Interface& iface, bool ingress);
  // Removes every pin under the pin directory (maps and links). Programs attached through
  // pinned links detach; TC filters must be detached explicitly.
  void Unpin();

  DatapathMaps& maps() { return *maps_; }
  LibbpfDatapathMaps& libbpf_maps() { return *maps_; }
  Origin origin() const { return origin_; }
  int xdp_prog_fd() const;
  int tc_lan_prog_fd() const;
  const std::string& pin_dir() const { return opts_.pin_dir; }

 private:
  explicit Datapath(LoaderOptions opts);
  std::string LinkPin(const std::string& ifname) const;

  LoaderOptions opts_;
  Origin origin_ = Origin::kFresh;
  xdp_wan* wan_ = nullptr;
  tc_wan_egress* egress_ = nullptr;
  tc_lan_ingress* lan_ = nullptr;
  std::unique_ptr<LibbpfDatapathMaps> maps_;
  std::vector<int> link_fds_;
};

// Map access without loading programs: opens the pinned maps of a running datapath (gwctl,
// test tools). Throws if the pinned layout differs from this binary's.
std::unique_ptr<LibbpfDatapathMaps> OpenPinnedMaps(const std::string& pin_dir = "/sys/fs/bpf/xgw");

// Mounts bpffs at `mount_point` unless it is already bpffs (statfs magic); creates `dir`.
void EnsureBpffs(const std::string& mount_point, const std::string& dir);
// Layout version stored in a pinned xgw_config, or -1 when there is no such pin.
int PinnedLayoutVersion(const std::string& pin_dir);

}  // namespace xgw::datapath
