#include "loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "tc_lan_ingress.skel.h"
#include "tc_wan_egress.skel.h"
#include "xdp_wan.skel.h"

namespace xgw::datapath {
namespace {

constexpr long kBpffsMagic = 0xcafe4a11;
constexpr __u32 kTcHandle = 1;
constexpr __u32 kTcPriority = 1;

[[noreturn]] void Fail(int err, const std::string& what) {
  throw std::system_error(err < 0 ? -err : err, std::generic_category(), what);
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

int IfIndex(const Interface& i) {
  unsigned idx = if_nametoindex(i.name.c_str());
  if (idx == 0) Fail(errno, "if_nametoindex " + i.name + (i.netns.empty() ? "" : " in " + i.netns));
  return static_cast<int>(idx);
}

void TcAttach(int ifindex, bpf_tc_attach_point point, int prog_fd, const std::string& what) {
  LIBBPF_OPTS(bpf_tc_hook, hook);
  hook.ifindex = ifindex;
  hook.attach_point = point;
  int err = bpf_tc_hook_create(&hook);
  if (err && err != -EEXIST) Fail(err, "tc clsact hook create on " + what);
  LIBBPF_OPTS(bpf_tc_opts, o);
  o.prog_fd = prog_fd;
  o.flags = BPF_TC_F_REPLACE;  // atomic replacement of our filter on restart
  o.handle = kTcHandle;
  o.priority = kTcPriority;
  err = bpf_tc_attach(&hook, &o);
  if (err) Fail(err, "tc attach on " + what);
}

void TcDetach(int ifindex, bpf_tc_attach_point point, const std::string& what) {
  LIBBPF_OPTS(bpf_tc_hook, hook);
  hook.ifindex = ifindex;
  hook.attach_point = point;
  LIBBPF_OPTS(bpf_tc_opts, o);
  o.handle = kTcHandle;
  o.priority = kTcPriority;
  int err = bpf_tc_detach(&hook, &o);
  if (err && err != -ENOENT) Fail(err, "tc detach on " + what);
}

// Pin every non-internal map of obj at <dir>/<name> (libbpf reuses an existing compatible pin,
// or creates and pins the map at load).
void SetPinPaths(bpf_object* obj, const std::string& dir) {
  bpf_map* m;
  bpf_object__for_each_map(m, obj) {
    if (bpf_map__is_internal(m)) continue;
    std::string path = dir + "/" + bpf_map__name(m);
    if (int err = bpf_map__set_pin_path(m, path.c_str())) Fail(err, "bpf_map__set_pin_path " + path);
  }
}

// Without pins: make obj use the maps already created by `from`.
void ReuseMaps(bpf_object* obj, bpf_object* from) {
  bpf_map* m;
  bpf_object__for_each_map(m, obj) {
    if (bpf_map__is_internal(m)) continue;
    bpf_map* src = bpf_object__find_map_by_name(from, bpf_map__name(m));
    if (!src) Fail(ENOENT, std::string("map ") + bpf_map__name(m) + " missing in the XDP object");
    if (int err = bpf_map__reuse_fd(m, bpf_map__fd(src))) Fail(err, std::string("bpf_map__reuse_fd ") + bpf_map__name(m));
  }
}

}  // namespace

ScopedNetns::ScopedNetns(const std::string& netns_path) {
  if (netns_path.empty()) return;
  orig_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (orig_ < 0) Fail(errno, "open /proc/self/ns/net");
  int fd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    close(orig_);
    Fail(e, "open netns " + netns_path);
  }
  int rc = setns(fd, CLONE_NEWNET);
  int e = errno;
  close(fd);
  if (rc != 0) {
    close(orig_);
    Fail(e, "setns " + netns_path);
  }
}

ScopedNetns::~ScopedNetns() {
  if (orig_ < 0) return;
  setns(orig_, CLONE_NEWNET);
  close(orig_);
}

void EnsureBpffs(const std::string& mount_point, const std::string& dir) {
  struct statfs st {};
  if (statfs(mount_point.c_str(), &st) != 0) Fail(errno, "statfs " + mount_point);
  if (static_cast<long>(st.f_type) != kBpffsMagic) {
    if (mount("bpf", mount_point.c_str(), "bpf", 0, "mode=0700") != 0) Fail(errno, "mount bpffs on " + mount_point);
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) Fail(errno, "mkdir " + dir);
}

int PinnedLayoutVersion(const std::string& pin_dir) {
  std::string path = pin_dir + "/xgw_config";
  if (!Exists(path)) return -1;
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) Fail(errno, "bpf_obj_get " + path);
  bpf_map_info info{};
  __u32 len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
    int e = errno;
    close(fd);
    Fail(e, "bpf_obj_get_info_by_fd " + path);
  }
  // layout_version is the first field of every layout's value, whatever its size.
  std::vector<uint8_t> value(std::max<__u32>(info.value_size, 4));
  uint32_t zero = 0;
  int rc = bpf_map_lookup_elem(fd, &zero, value.data());
  int e = errno;
  close(fd);
  if (rc != 0) Fail(e, "lookup " + path);
  uint32_t version;
  std::memcpy(&version, value.data(), 4);
  return static_cast<int>(version);
}

std::unique_ptr<LibbpfDatapathMaps> OpenPinnedMaps(const std::string& pin_dir) {
  int version = PinnedLayoutVersion(pin_dir);
  if (version != XGW_ABI_LAYOUT_VERSION)
    throw std::runtime_error("pinned datapath in " + pin_dir + " has layout " + std::to_string(version) + ", expected " +
                             std::to_string(XGW_ABI_LAYOUT_VERSION));
  auto get = [&](const char* name) {
    std::string path = pin_dir + "/" + name;
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) Fail(errno, "bpf_obj_get " + path);
    return fd;
  };
  // The fds live as long as the process (tools); a long-lived user keeps the object.
  MapFds fds{get("xgw_config"), get("xgw_peers"),  get("xgw_peer_bloom"), get("xgw_spi"),        get("xgw_tun_ctr"),
             get("xgw_global_ctr"), get("xgw_routes"), get("xgw_active"), get("xgw_tun_params"), get("xgw_tun_ifaces")};
  return std::make_unique<LibbpfDatapathMaps>(fds);
}

Datapath::Datapath(LoaderOptions opts) : opts_(std::move(opts)) {}

std::unique_ptr<Datapath> Datapath::Load(const LoaderOptions& opts) {
  std::unique_ptr<Datapath> dp(new Datapath(opts));
  const std::string& dir = dp->opts_.pin_dir;
  if (!dir.empty()) {
    EnsureBpffs("/sys/fs/bpf", dir);
    int version = PinnedLayoutVersion(dir);
    if (version == XGW_ABI_LAYOUT_VERSION) {
      dp->origin_ = Origin::kReopened;
    } else if (version > XGW_ABI_LAYOUT_VERSION) {
      throw std::runtime_error("pinned datapath in " + dir + " has layout " + std::to_string(version) +
                               ", newer than this gwd's " + std::to_string(XGW_ABI_LAYOUT_VERSION) +
                               "; refusing to touch it");
    } else if (version >= 0) {
      // Older layout: set its map pins aside (its programs keep their maps until replaced).
      dp->origin_ = Origin::kUpgraded;
      if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
          std::string n = e->d_name;
          if (n.rfind("xgw_", 0) == 0) unlink((dir + "/" + n).c_str());
        }
        closedir(d);
      }
    }
  }
  dp->wan_ = xdp_wan::open();
  dp->egress_ = tc_wan_egress::open();
  dp->lan_ = tc_lan_ingress::open();
  if (!dp->wan_ || !dp->egress_ || !dp->lan_) Fail(errno, "open BPF skeletons");
  if (!dir.empty()) {
    SetPinPaths(dp->wan_->obj, dir);
    SetPinPaths(dp->egress_->obj, dir);
    SetPinPaths(dp->lan_->obj, dir);
  }
  if (int err = xdp_wan::load(dp->wan_)) Fail(err, "load xdp_wan");
  if (dir.empty()) {
    ReuseMaps(dp->egress_->obj, dp->wan_->obj);
    ReuseMaps(dp->lan_->obj, dp->wan_->obj);
  }
  if (int err = tc_wan_egress::load(dp->egress_)) Fail(err, "load tc_wan_egress");
  if (int err = tc_lan_ingress::load(dp->lan_)) Fail(err, "load tc_lan_ingress");

  auto* m = &dp->wan_->maps;
  MapFds fds{bpf_map__fd(m->xgw_config),     bpf_map__fd(m->xgw_peers),   bpf_map__fd(m->xgw_peer_bloom),
             bpf_map__fd(m->xgw_spi),        bpf_map__fd(m->xgw_tun_ctr), bpf_map__fd(m->xgw_global_ctr),
             bpf_map__fd(m->xgw_routes),     bpf_map__fd(m->xgw_active),  bpf_map__fd(m->xgw_tun_params),
             bpf_map__fd(m->xgw_tun_ifaces)};
  dp->maps_ = std::make_unique<LibbpfDatapathMaps>(fds);
  if (dp->origin_ != Origin::kReopened) dp->maps_->WriteLayoutVersion();
  return dp;
}

Datapath::~Datapath() {
  for (int fd : link_fds_) close(fd);  // pinned links stay attached; unpinned ones detach
  if (lan_) tc_lan_ingress::destroy(lan_);
  if (egress_) tc_wan_egress::destroy(egress_);
  if (wan_) xdp_wan::destroy(wan_);
}

int Datapath::xdp_prog_fd() const { return bpf_program__fd(wan_->progs.xdp_wan); }
int Datapath::tc_lan_prog_fd() const { return bpf_program__fd(lan_->progs.tc_lan_ingress); }

std::string Datapath::LinkPin(const std::string& ifname) const { return opts_.pin_dir + "/link_xdp_" + ifname; }

XdpMode Datapath::AttachWan(const Interface& wan, XdpMode mode) {
  ScopedNetns ns(wan.netns);
  int ifindex = IfIndex(wan);
  int prog = xdp_prog_fd();
  std::string pin = opts_.pin_dir.empty() ? "" : LinkPin(wan.name);
  if (!pin.empty() && Exists(pin)) {
    // Restart: swap the program under the pinned link; no moment without a program.
    int fd = bpf_obj_get(pin.c_str());
    if (fd < 0) Fail(errno, "bpf_obj_get " + pin);
    if (bpf_link_update(fd, prog, nullptr) != 0) {
      int e = errno;
      close(fd);
      Fail(e, "bpf_link_update on " + pin);
    }
    link_fds_.push_back(fd);
  } else {
    int fd = -1;
    if (mode != XdpMode::kGeneric) {
      LIBBPF_OPTS(bpf_link_create_opts, lo);
      lo.flags = XDP_FLAGS_DRV_MODE;
      fd = bpf_link_create(prog, ifindex, BPF_XDP, &lo);
      if (fd < 0 && mode == XdpMode::kNative) Fail(errno, "attach native XDP on " + wan.name);
    }
    if (fd < 0) {
      LIBBPF_OPTS(bpf_link_create_opts, lo);
      lo.flags = XDP_FLAGS_SKB_MODE;
      fd = bpf_link_create(prog, ifindex, BPF_XDP, &lo);
      if (fd < 0) Fail(errno, "attach generic XDP on " + wan.name);
    }
    link_fds_.push_back(fd);
    if (!pin.empty() && bpf_obj_pin(fd, pin.c_str()) != 0) Fail(errno, "pin XDP link at " + pin);
  }
  TcAttach(ifindex, BPF_TC_EGRESS, bpf_program__fd(egress_->progs.tc_wan_egress), wan.name + " egress");
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (int err = bpf_xdp_query(ifindex, 0, &q)) Fail(err, "bpf_xdp_query " + wan.name);
  return q.attach_mode == XDP_ATTACHED_SKB ? XdpMode::kGeneric : XdpMode::kNative;
}

void Datapath::AttachLan(const Interface& lan) {
  ScopedNetns ns(lan.netns);
  TcAttach(IfIndex(lan), BPF_TC_INGRESS, tc_lan_prog_fd(), lan.name + " ingress");
}

void Datapath::AttachTunnelInterface(const Interface& xfrm) {
  ScopedNetns ns(xfrm.netns);
  TcAttach(IfIndex(xfrm), BPF_TC_INGRESS, bpf_program__fd(lan_->progs.tc_tun_ingress), xfrm.name + " ingress");
}

void Datapath::DetachWan(const Interface& wan) {
  std::string pin = opts_.pin_dir.empty() ? "" : LinkPin(wan.name);
  if (!pin.empty() && Exists(pin)) {
    int fd = bpf_obj_get(pin.c_str());
    if (fd >= 0) {
      bpf_link_detach(fd);
      close(fd);
    }
    unlink(pin.c_str());
  }
  for (int fd : link_fds_) bpf_link_detach(fd);
  ScopedNetns ns(wan.netns);
  int ifindex = IfIndex(wan);
  TcDetach(ifindex, BPF_TC_EGRESS, wan.name + " egress");
}

void Datapath::DetachTc(const Interface& iface, bool ingress) {
  ScopedNetns ns(iface.netns);
  TcDetach(IfIndex(iface), ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS, iface.name);
}

void Datapath::Unpin() {
  const std::string& dir = opts_.pin_dir;
  if (dir.empty()) return;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") unlink((dir + "/" + n).c_str());
    }
    closedir(d);
  }
  rmdir(dir.c_str());
}

}  // namespace xgw::datapath
