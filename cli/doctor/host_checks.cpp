#include "cli/doctor/host_checks.h"

#include <bpf/bpf.h>
#include <ifaddrs.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace xgw::doctor {
namespace {

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

bool is_private(std::uint32_t a) {
  return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) || (a >> 22) == (100u << 2 | 1);
}

// The XFRM interfaces present (gwd's tunnel interfaces): `ip -d link` knows the link kind, sysfs
// does not (they share ARPHRD_NONE with tun and wireguard).
std::vector<std::string> xfrm_interfaces() {
  std::vector<std::string> out;
  FILE* p = ::popen("ip -j -d link show type xfrm 2>/dev/null", "r");
  if (!p) return out;
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
  ::pclose(p);
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_array()) return out;
  for (const auto& l : doc)
    if (l.contains("ifname")) out.push_back(l["ifname"].get<std::string>());
  return out;
}

}  // namespace

Check check_wan_address(const config::Gateway& g) {
  Check c{"host.wan_address", "local_address " + config::ipv4_str(g.local_address) + " on " + g.wan_interface,
          Status::kPass, "", ""};
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    c.status = Status::kWarn;
    c.detail = "cannot list addresses";
    c.fix = "check with ip -4 addr show " + g.wan_interface;
    return c;
  }
  bool iface = false, here = false;
  std::string found, elsewhere;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_name) continue;
    bool ours = g.wan_interface == a->ifa_name;
    iface = iface || ours;
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    std::uint32_t ip = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr);
    if (ours) {
      found += (found.empty() ? "" : ", ") + config::ipv4_str(ip);
      here = here || ip == g.local_address;
    } else if (ip == g.local_address) {
      elsewhere = a->ifa_name;
    }
  }
  freeifaddrs(list);
  if (!iface) {
    c.status = Status::kFail;
    c.detail = "no interface " + g.wan_interface;
    c.fix = "set [gateway] wan_interface to the interface facing the Internet (ip -br link)";
  } else if (!here) {
    c.status = Status::kFail;
    c.detail = g.wan_interface + " has " + (found.empty() ? "no IPv4 address" : found) +
               (elsewhere.empty() ? "" : "; the address is on " + elsewhere);
    c.fix = found.empty() ? "add the address: ip addr add " + config::ipv4_str(g.local_address) + "/NN dev " + g.wan_interface
                          : "set [gateway] local_address to the WAN address (" + found +
                                "); if behind NAT, also set public_address to the address AWS has";
  } else if (g.public_address) {
    c.detail = "present; NAT declared, IKE identity " + config::ipv4_str(*g.public_address);
  } else if (is_private(g.local_address)) {
    c.status = Status::kWarn;
    c.detail = "present, but a private address and no public_address: AWS can only reach a public one";
    c.fix = "behind NAT, set [gateway] public_address to the customer gateway address registered at AWS";
  } else {
    c.detail = "present";
  }
  return c;
}

std::vector<Check> check_sysctls(const config::Gateway& g, const std::string& proc_sys,
                                 const std::vector<std::string>* tunnel_ifs) {
  std::vector<Check> out;
  const std::string ipv4 = proc_sys + "/net/ipv4";
  std::string fwd = read_line(ipv4 + "/ip_forward");
  Check f{"host.ip_forward", "net.ipv4.ip_forward", Status::kPass, "= " + fwd, ""};
  if (fwd != "1") {
    f.status = Status::kFail;
    f.detail = "= " + (fwd.empty() ? std::string("unreadable") : fwd) + ": the gateway will not route between LAN and tunnels";
    f.fix = "sysctl -w net.ipv4.ip_forward=1 (persist in /etc/sysctl.d/)";
  }
  out.push_back(f);

  // The kernel uses max(all, interface) as the effective rp_filter.
  auto value = [&](const std::string& ifname) -> int {
    std::string s = read_line(ipv4 + "/conf/" + ifname + "/rp_filter");
    return s.empty() ? -1 : std::atoi(s.c_str());
  };
  int all = value("all");
  std::vector<std::pair<std::string, bool>> ifs{{g.wan_interface, false}};
  for (const auto& x : tunnel_ifs ? *tunnel_ifs : xfrm_interfaces()) ifs.emplace_back(x, true);
  for (const auto& [name, tunnel] : ifs) {
    int own = value(name);
    if (own < 0) continue;  // the interface does not exist (reported by the WAN check)
    int eff = std::max(all, own);
    Check c{"host.rp_filter", "rp_filter on " + name + (tunnel ? " (tunnel)" : " (WAN)"), Status::kPass,
            "effective " + std::to_string(eff) + " (all=" + std::to_string(all) + ", " + name + "=" + std::to_string(own) + ")", ""};
    if (eff == 1) {
      // Strict mode drops packets arriving on an interface other than the one the reverse route
      // uses: with two tunnels and AWS free to answer on either, that is asymmetric traffic.
      c.status = tunnel ? Status::kFail : Status::kWarn;
      c.detail += ": strict";
      c.fix = "use loose mode: sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf." + name + ".rp_filter=2";
    }
    out.push_back(c);
  }
  return out;
}

namespace {

class RunningKernel : public KernelFacts {
 public:
  RunningKernel() {
    utsname u{};
    uname(&u);
    release_ = u.release;
    // The config is read once: zcat of a few hundred KB per query would be wasteful.
    FILE* p = ::popen("zcat /proc/config.gz 2>/dev/null", "r");
    if (p) {
      char line[512];
      while (std::fgets(line, sizeof line, p)) {
        std::string l = line;
        if (l.rfind("CONFIG_", 0) == 0) {
          auto eq = l.find('=');
          if (eq != std::string::npos && eq + 1 < l.size()) config_[l.substr(0, eq)] = l[eq + 1];
        } else if (l.rfind("# CONFIG_", 0) == 0 && l.find(" is not set") != std::string::npos) {
          config_[l.substr(2, l.find(' ', 2) - 2)] = 'n';
        }
      }
      have_config_ = ::pclose(p) == 0 && !config_.empty();
    }
  }
  std::string release() const override { return release_; }
  bool loaded(const std::string& m) const override { return std::filesystem::exists("/sys/module/" + m); }
  bool builtin(const std::string& m) const override {
    std::ifstream in("/lib/modules/" + release_ + "/modules.builtin");
    for (std::string l; std::getline(in, l);)
      if (l.size() >= m.size() + 4 && l.compare(l.size() - m.size() - 4, std::string::npos, "/" + m + ".ko") == 0) return true;
    return false;
  }
  bool loadable(const std::string& m) const override {
    return std::system(("modprobe -n -q " + m + " >/dev/null 2>&1").c_str()) == 0;
  }
  char kconfig(const std::string& option) const override {
    if (!have_config_) return 0;
    auto it = config_.find(option);
    return it == config_.end() ? 'n' : it->second;
  }

 private:
  std::string release_;
  std::map<std::string, char> config_;
  bool have_config_ = false;
};

}  // namespace

const KernelFacts& running_kernel() {
  static const RunningKernel k;
  return k;
}

std::vector<Check> check_kernel_modules(const KernelFacts& k) {
  std::vector<Check> out;
  struct Need {
    const char* module;
    const char* config;
    const char* why;
  };
  for (const Need& n : {Need{"esp4", "CONFIG_INET_ESP", "ESP encryption in the kernel"},
                        Need{"xfrm_interface", "CONFIG_XFRM_INTERFACE", "one route-based interface per tunnel"}}) {
    Check c{"host.kernel", std::string("kernel module ") + n.module + " (" + n.why + ")", Status::kPass, "", ""};
    char conf = k.kconfig(n.config);
    if (k.loaded(n.module)) {
      c.detail = "loaded";
    } else if (k.builtin(n.module) || conf == 'y') {
      c.detail = "built in";
    } else if (conf == 'n') {
      c.status = Status::kFail;
      c.detail = std::string(n.config) + " is not set in kernel " + k.release();
      c.fix = std::string("run gwd on a kernel built with ") + n.config + "=y or =m (distribution kernels have it)";
    } else if (k.loadable(n.module)) {
      c.detail = "available (loaded on first use)";
    } else {
      c.status = Status::kFail;
      c.detail = std::string("not loaded, not built in, and modprobe cannot find it for ") + k.release();
      c.fix = "install the kernel modules package for " + k.release() + " (" + n.config + ")";
    }
    out.push_back(c);
  }
  return out;
}

Check check_xdp(const config::Gateway& g) {
  Check c{"host.xdp", "XDP program on " + g.wan_interface + " (xdp_mode " + config::to_string(g.xdp_mode) + ")",
          Status::kPass, "", ""};
  if (g.xdp_mode == config::XdpMode::kOff) {
    c.detail = "disabled in the config";
    return c;
  }
  // The smallest XDP program (return XDP_PASS): if the kernel loads it, ours can be loaded too.
  bpf_insn prog[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xgw_doctor", "GPL", prog, 2, nullptr);
  if (fd < 0) {
    c.status = g.xdp_mode == config::XdpMode::kAuto ? Status::kWarn : Status::kFail;
    c.detail = "the kernel refused a minimal XDP program (errno " + std::to_string(-fd) + ")";
    c.fix = "run gwd as root with CAP_BPF/CAP_NET_ADMIN on a kernel with BPF; or set xdp_mode = \"off\"";
    return c;
  }
  close(fd);
  if (if_nametoindex(g.wan_interface.c_str()) == 0) {
    c.status = Status::kFail;
    c.detail = "no interface " + g.wan_interface;
    c.fix = "set [gateway] wan_interface";
    return c;
  }
  c.detail = "the kernel loads XDP programs; " + g.wan_interface + " exists";
  return c;
}

}  // namespace xgw::doctor
