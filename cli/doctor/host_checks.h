#pragma once
// Checks of the host gwd runs on, in the current network namespace: the WAN address, IP
// forwarding and rp_filter, kernel support for ESP/XFRM interfaces and XDP. The firewall is in
// firewall.h.
#include <string>
#include <vector>

#include "cli/doctor/check.h"
#include "controller/config/config.h"

namespace xgw::doctor {

// local_address on wan_interface; NAT (public_address) declared when the address is private.
Check check_wan_address(const config::Gateway& g);

// ip_forward, and rp_filter on "all", the WAN interface and every XFRM interface present.
// `proc_sys` is the sysctl root (tests may point it elsewhere; the kernel's is /proc/sys).
// `tunnel_ifs` null: the XFRM interfaces found with `ip -d link show type xfrm`.
std::vector<Check> check_sysctls(const config::Gateway& g, const std::string& proc_sys = "/proc/sys",
                                 const std::vector<std::string>* tunnel_ifs = nullptr);

// What the kernel says about a module; the real one reads sysfs, modules.builtin, modprobe -n and
// /proc/config.gz. Tests supply their own.
class KernelFacts {
 public:
  virtual ~KernelFacts() = default;
  virtual std::string release() const = 0;
  virtual bool loaded(const std::string& module) const = 0;    // /sys/module/NAME
  virtual bool builtin(const std::string& module) const = 0;   // modules.builtin
  virtual bool loadable(const std::string& module) const = 0;  // modprobe -n
  // 'y', 'm' or 'n' (not set) from the kernel's config; 0 when the config is not available.
  virtual char kconfig(const std::string& option) const = 0;
};
const KernelFacts& running_kernel();

// esp4 and xfrm_interface: loaded, built in, or loadable.
std::vector<Check> check_kernel_modules(const KernelFacts& k = running_kernel());

// Can an XDP program be loaded, and is the WAN interface free for one?
Check check_xdp(const config::Gateway& g);

}  // namespace xgw::doctor
