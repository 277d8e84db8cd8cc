#include "xfrm_netlink.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "xfrm_messages.h"

#ifndef IPV6_XFRM_POLICY
#define IPV6_XFRM_POLICY 35
#endif

namespace xgw::kernel {
namespace {

mnl_socket* OpenSocket(int bus, unsigned groups, const char* what) {
  mnl_socket* s = mnl_socket_open(bus);
  if (!s) throw KernelError(std::string("open ") + what + " netlink socket", errno, "");
  int one = 1;
  // Ask for the kernel's explanation with each error (extended ack); best effort.
  mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
  if (mnl_socket_bind(s, groups, MNL_SOCKET_AUTOPID) < 0) {
    int e = errno;
    mnl_socket_close(s);
    throw KernelError(std::string("bind ") + what + " netlink socket", e, "");
  }
  return s;
}

}  // namespace

KernelError::KernelError(std::string op, int err, std::string kernel_msg)
    : std::runtime_error(op + ": " + std::strerror(err) + (kernel_msg.empty() ? "" : " (" + kernel_msg + ")")),
      op_(std::move(op)),
      err_(err),
      msg_(std::move(kernel_msg)) {}

Addr4 Addr4::Parse(const std::string& dotted) {
  in_addr a{};
  if (inet_pton(AF_INET, dotted.c_str(), &a) != 1) throw std::invalid_argument("not an IPv4 address: " + dotted);
  return Addr4{a.s_addr};
}

std::string Addr4::ToString() const {
  char buf[INET_ADDRSTRLEN];
  in_addr a{be};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

uint32_t DefaultIcvBits(const std::string& auth_name) {
  if (auth_name == "hmac(sha1)" || auth_name == "hmac(md5)") return 96;
  if (auth_name == "hmac(sha256)") return 128;
  if (auth_name == "hmac(sha384)") return 192;
  if (auth_name == "hmac(sha512)") return 256;
  return 0;
}

XfrmNetlink::XfrmNetlink() {
  xfrm_ = OpenSocket(NETLINK_XFRM, 0, "xfrm");
  try {
    route_ = OpenSocket(NETLINK_ROUTE, 0, "route");
    // Opened now so it belongs to this namespace too; groups are joined on SubscribeEvents.
    events_ = OpenSocket(NETLINK_XFRM, 0, "xfrm events");
  } catch (...) {
    if (route_) mnl_socket_close(route_);
    mnl_socket_close(xfrm_);
    throw;
  }
}

XfrmNetlink::~XfrmNetlink() {
  if (events_) mnl_socket_close(events_);
  if (route_) mnl_socket_close(route_);
  if (xfrm_) mnl_socket_close(xfrm_);
}

void XfrmNetlink::Transact(mnl_socket* sock, nlmsghdr* req, const std::string& op,
                           const std::function<void(const nlmsghdr*)>& on_reply) {
  req->nlmsg_seq = ++seq_;
  if (mnl_socket_sendto(sock, req, req->nlmsg_len) < 0) throw KernelError(op, errno, "sendto");
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 2);
  const unsigned portid = mnl_socket_get_portid(sock);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw KernelError(op, errno, "recvfrom");
    }
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_seq != req->nlmsg_seq || nlh->nlmsg_pid != portid) continue;  // not ours
      if (auto ack = msg::ParseAck(nlh)) {
        if (ack->error) throw KernelError(op, ack->error, ack->message);
        return;
      }
      if (nlh->nlmsg_type == NLMSG_DONE) return;
      if (on_reply) on_reply(nlh);
    }
  }
}

uint32_t XfrmNetlink::AllocateSpi(Addr4 src, Addr4 dst, uint32_t reqid, uint32_t min, uint32_t max) {
  msg::Buffer b;
  std::optional<uint32_t> spi;
  Transact(xfrm_, msg::BuildAllocSpi(b, 0, src, dst, reqid, min, max),
           "allocate SPI " + src.ToString() + "->" + dst.ToString(), [&](const nlmsghdr* nlh) {
             if (auto info = msg::ParseSaInfo(nlh)) spi = info->spi;
           });
  if (!spi) throw KernelError("allocate SPI", EPROTO, "no SA in the reply");
  return *spi;
}

void XfrmNetlink::AddSa(const SaParams& sa) {
  msg::Buffer b;
  char spi[16];
  snprintf(spi, sizeof spi, "0x%08x", sa.spi);
  Transact(xfrm_, msg::BuildSa(b, 0, sa, false), "add SA " + sa.src.ToString() + "->" + sa.dst.ToString() + " spi " + spi);
}

void XfrmNetlink::UpdateSa(const SaParams& sa) {
  msg::Buffer b;
  char spi[16];
  snprintf(spi, sizeof spi, "0x%08x", sa.spi);
  Transact(xfrm_, msg::BuildSa(b, 0, sa, true), "update SA " + sa.src.ToString() + "->" + sa.dst.ToString() + " spi " + spi);
}

void XfrmNetlink::DeleteSa(Addr4 dst, uint32_t spi) {
  msg::Buffer b;
  char s[16];
  snprintf(s, sizeof s, "0x%08x", spi);
  Transact(xfrm_, msg::BuildDelSa(b, 0, dst, spi), "delete SA " + dst.ToString() + " spi " + s);
}

SaCounters XfrmNetlink::QuerySa(Addr4 dst, uint32_t spi) {
  msg::Buffer b;
  std::optional<SaCounters> c;
  char s[16];
  snprintf(s, sizeof s, "0x%08x", spi);
  Transact(xfrm_, msg::BuildGetSa(b, 0, dst, spi), "query SA " + dst.ToString() + " spi " + s,
           [&](const nlmsghdr* nlh) {
             if (auto info = msg::ParseSaInfo(nlh)) c = info->counters;
           });
  if (!c) throw KernelError("query SA", EPROTO, "no SA in the reply");
  return *c;
}

static std::string DirName(PolicyDir d) { return d == PolicyDir::kIn ? "in" : d == PolicyDir::kOut ? "out" : "fwd"; }

void XfrmNetlink::AddPolicy(const PolicyParams& p) {
  msg::Buffer b;
  Transact(xfrm_, msg::BuildPolicy(b, 0, p), "add policy " + DirName(p.dir) + " if_id " + std::to_string(p.if_id));
}

void XfrmNetlink::DeletePolicy(const Selector& sel, PolicyDir dir, uint32_t if_id) {
  msg::Buffer b;
  Transact(xfrm_, msg::BuildDelPolicy(b, 0, sel, dir, if_id), "delete policy " + DirName(dir) + " if_id " + std::to_string(if_id));
}

void XfrmNetlink::CreateXfrmInterface(const XfrmInterfaceParams& p) {
  int underlay = 0;
  if (!p.underlay.empty()) {
    underlay = static_cast<int>(if_nametoindex(p.underlay.c_str()));
    if (underlay == 0) throw KernelError("create XFRM interface " + p.name + ": underlay " + p.underlay, errno, "");
  }
  msg::Buffer b;
  Transact(route_, msg::BuildNewXfrmLink(b, 0, p, underlay), "create XFRM interface " + p.name);
  int ifindex = static_cast<int>(if_nametoindex(p.name.c_str()));
  if (ifindex == 0) throw KernelError("look up new XFRM interface " + p.name, errno, "");
  for (const Prefix4& a : p.addresses)
    Transact(route_, msg::BuildNewAddr(b, 0, ifindex, a),
             "add address " + a.addr.ToString() + "/" + std::to_string(a.len) + " to " + p.name);
}

void XfrmNetlink::DeleteXfrmInterface(const std::string& name) {
  msg::Buffer b;
  Transact(route_, msg::BuildDelLink(b, 0, name), "delete XFRM interface " + name);
}

void XfrmNetlink::BypassSocket(int fd, int family) {
  for (uint8_t dir : {XFRM_POLICY_IN, XFRM_POLICY_OUT}) {
    xfrm_userpolicy_info pol{};
    pol.action = XFRM_POLICY_ALLOW;
    pol.sel.family = static_cast<uint16_t>(family);
    pol.dir = dir;
    pol.lft.soft_byte_limit = pol.lft.hard_byte_limit = XFRM_INF;
    pol.lft.soft_packet_limit = pol.lft.hard_packet_limit = XFRM_INF;
    int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
    int opt = family == AF_INET6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
    if (setsockopt(fd, level, opt, &pol, sizeof(pol)) != 0)
      throw KernelError(std::string("bypass policy ") + (dir == XFRM_POLICY_IN ? "in" : "out") + " on socket " +
                            std::to_string(fd),
                        errno, "");
  }
}

void XfrmNetlink::SubscribeEvents(std::function<void(const KernelEvent&)> handler, Events which) {
  handler_ = std::move(handler);
  // A later call may widen the subscription (a reload adds the first on-demand connection).
  std::vector<int> groups;
  if (!subscribed_) groups.push_back(XFRMNLGRP_EXPIRE);
  if (which == Events::kAcquireAndExpire && !acquires_) groups.push_back(XFRMNLGRP_ACQUIRE);
  for (int group : groups)
    if (mnl_socket_setsockopt(events_, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
      throw KernelError("subscribe to XFRM group " + std::to_string(group), errno, "");
  subscribed_ = true;
  acquires_ = acquires_ || which == Events::kAcquireAndExpire;
}

int XfrmNetlink::event_fd() const { return subscribed_ ? mnl_socket_get_fd(events_) : -1; }

void XfrmNetlink::DispatchEvents() {
  if (!subscribed_) return;
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 2);
  for (;;) {
    ssize_t n = recv(mnl_socket_get_fd(events_), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      throw KernelError("read XFRM events", errno, "");
    }
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
      if (auto ev = msg::ParseEvent(nlh); ev && handler_) handler_(*ev);
    }
  }
}

}  // namespace xgw::kernel
