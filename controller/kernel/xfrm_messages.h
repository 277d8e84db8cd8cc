// XFRM and rtnetlink message construction and parsing with libmnl, free of sockets so the
// exact bytes can be unit-tested: each Build* writes one request into `buf` and returns it.
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <string>
#include <vector>

#include "kernel_ipsec.h"

namespace xgw::kernel::msg {

// A buffer big enough for any request we build.
struct Buffer {
  std::vector<char> bytes = std::vector<char>(16384, 0);
  char* data() { return bytes.data(); }
};

nlmsghdr* BuildAllocSpi(Buffer& b, uint32_t seq, Addr4 src, Addr4 dst, uint32_t reqid, uint32_t min, uint32_t max);
// New or update (XFRM_MSG_NEWSA / XFRM_MSG_UPDSA).
nlmsghdr* BuildSa(Buffer& b, uint32_t seq, const SaParams& sa, bool update);
nlmsghdr* BuildDelSa(Buffer& b, uint32_t seq, Addr4 dst, uint32_t spi);
nlmsghdr* BuildGetSa(Buffer& b, uint32_t seq, Addr4 dst, uint32_t spi);
nlmsghdr* BuildPolicy(Buffer& b, uint32_t seq, const PolicyParams& p);  // XFRM_MSG_UPDPOLICY
nlmsghdr* BuildDelPolicy(Buffer& b, uint32_t seq, const Selector& sel, PolicyDir dir, uint32_t if_id);
nlmsghdr* BuildNewXfrmLink(Buffer& b, uint32_t seq, const XfrmInterfaceParams& p, int underlay_ifindex);
nlmsghdr* BuildDelLink(Buffer& b, uint32_t seq, const std::string& name);
nlmsghdr* BuildNewAddr(Buffer& b, uint32_t seq, int ifindex, const Prefix4& addr);

// XFRM_MSG_NEWSA reply (to ALLOCSPI or GETSA): SPI and counters.
struct SaInfo {
  uint32_t spi = 0;
  SaCounters counters;
};
std::optional<SaInfo> ParseSaInfo(const nlmsghdr* nlh);
// XFRM_MSG_ACQUIRE / XFRM_MSG_EXPIRE multicast messages.
std::optional<KernelEvent> ParseEvent(const nlmsghdr* nlh);
// NLMSG_ERROR: the errno (positive, 0 = ack) and the extended-ack message if any.
struct Ack {
  int error = 0;
  std::string message;
};
std::optional<Ack> ParseAck(const nlmsghdr* nlh);

}  // namespace xgw::kernel::msg
