#pragma once
// Translation of the IKE engine's ESP SA description into XFRM parameters.
#include "datapath_maps.h"
#include "ike/actions.h"
#include "kernel_ipsec.h"

namespace xgw::gwd {

// Host-order IPv4 (config, engine) to the network-order types of the kernel and the datapath.
kernel::Addr4 to_addr4(std::uint32_t host_order);
datapath::Ipv4 dp_ip(std::uint32_t host_order);
kernel::Prefix4 to_prefix4(const ike::Subnet& s);
// The XFRM SA for one direction, bound to the tunnel's XFRM interface (if_id).
kernel::SaParams to_sa_params(const ike::EspSa& sa, std::uint32_t if_id);

// The kernel SAs a DeleteSaPair removes, keyed as the kernel finds them (destination, SPI):
// the outbound SA's destination is the peer, the inbound SA's is us.
struct SaKey {
  kernel::Addr4 dst;
  std::uint32_t spi = 0;
  const char* direction = "";
};
std::vector<SaKey> sa_keys(const ike::DeleteSaPair& d);

// An SPI as logs and status show it: 0x%08x.
std::string hex32(std::uint32_t v);

}  // namespace xgw::gwd
