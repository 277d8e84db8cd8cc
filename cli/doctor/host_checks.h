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

// esp4 and xfrm_interface: loaded, built in, or loadable.
std::vector<Check> check_kernel_modules();

// Can an XDP program be loaded, and is the WAN interface free for one?
Check check_xdp(const config::Gateway& g);

}  // namespace xgw::doctor
