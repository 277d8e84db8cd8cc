#include "route_watch.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>

#include "kernel_ipsec.h"

namespace xgw::kernel {

namespace {

struct Parse {
  std::uint32_t min, max;
  std::vector<std::pair<KernelRoute, bool>>* out;
};

int OnMessage(const nlmsghdr* nlh, void* data) {
  auto* p = static_cast<Parse*>(data);
  KernelRoute r;
  bool removed = false;
  if (parse_route_message(nlh, p->min, p->max, r, removed)) p->out->emplace_back(r, removed);
  return MNL_CB_OK;
}

int OnAttribute(const nlattr* attr, void* data) {
  auto* r = static_cast<KernelRoute*>(data);
  if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) return MNL_CB_OK;  // every attribute read here is a u32
  switch (mnl_attr_get_type(attr)) {
    case RTA_TABLE:
      r->table = mnl_attr_get_u32(attr);
      break;
    case RTA_DST:
      r->dst = ntohl(mnl_attr_get_u32(attr));
      break;
    case RTA_PRIORITY:
      r->metric = mnl_attr_get_u32(attr);
      break;
    case RTA_OIF:
      r->oif = static_cast<int>(mnl_attr_get_u32(attr));
      break;
    default:
      break;
  }
  return MNL_CB_OK;
}

using Socket = std::unique_ptr<mnl_socket, int (*)(mnl_socket*)>;

Socket Open(unsigned groups, const char* what) {
  Socket s(mnl_socket_open(NETLINK_ROUTE), mnl_socket_close);
  if (!s) throw KernelError(what, errno, "open route netlink socket");
  if (mnl_socket_bind(s.get(), groups, MNL_SOCKET_AUTOPID) < 0) throw KernelError(what, errno, "bind");
  return s;
}

}  // namespace

bool parse_route_message(const nlmsghdr* nlh, std::uint32_t table_min, std::uint32_t table_max, KernelRoute& route,
                         bool& removed) {
  if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) return false;
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(rtmsg))) return false;
  const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
  if (rtm->rtm_family != AF_INET) return false;
  KernelRoute r;
  r.table = rtm->rtm_table;
  r.len = rtm->rtm_dst_len;
  mnl_attr_parse(nlh, sizeof(rtmsg), OnAttribute, &r);
  if (r.table < table_min || r.table > table_max || r.len > 32) return false;
  route = r;
  removed = nlh->nlmsg_type == RTM_DELROUTE;
  return true;
}

RouteTableWatch::RouteTableWatch(std::uint32_t table_min, std::uint32_t table_max) : min_(table_min), max_(table_max) {
  Socket monitor = Open(RTMGRP_IPV4_ROUTE, "watch routing tables");
  dump_ = Open(0, "dump routing tables").release();
  monitor_ = monitor.release();
}

RouteTableWatch::~RouteTableWatch() {
  if (monitor_) mnl_socket_close(monitor_);
  if (dump_) mnl_socket_close(dump_);
}

int RouteTableWatch::fd() const { return mnl_socket_get_fd(monitor_); }

std::vector<KernelRoute> RouteTableWatch::Dump() {
  const char* what = "dump routing tables";
  const std::uint32_t seq = ++dump_seq_;
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  if (mnl_socket_sendto(dump_, nlh, nlh->nlmsg_len) < 0) throw KernelError(what, errno, "send");
  std::vector<std::pair<KernelRoute, bool>> found;
  Parse p{min_, max_, &found};
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(dump_, buf.data(), buf.size());
    if (n < 0) throw KernelError(what, errno, "receive");
    int ret = mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, mnl_socket_get_portid(dump_), OnMessage, &p);
    if (ret < 0) throw KernelError(what, errno, "");
    if (ret == MNL_CB_STOP) break;
  }
  std::vector<KernelRoute> routes;
  for (auto& [r, removed] : found) routes.push_back(r);
  return routes;
}

bool RouteTableWatch::Dispatch(const Handler& handler) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  for (;;) {
    ssize_t n = ::recv(fd(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      if (errno == ENOBUFS) return true;
      throw KernelError("watch routing tables", errno, "receive");
    }
    std::vector<std::pair<KernelRoute, bool>> found;
    Parse p{min_, max_, &found};
    mnl_cb_run(buf.data(), static_cast<size_t>(n), 0, 0, OnMessage, &p);
    for (auto& [r, removed] : found) handler(r, removed);
  }
}

}  // namespace xgw::kernel
