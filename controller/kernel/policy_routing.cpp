#include "policy_routing.h"

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>
#include <vector>

#include "kernel_ipsec.h"

namespace xgw::kernel {
namespace {

nlmsghdr* RuleMsg(std::vector<char>& buf, uint16_t type, uint16_t flags, uint32_t mark, uint32_t table,
                  uint32_t priority) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  auto* frh = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
  frh->family = AF_INET;
  frh->action = FR_ACT_TO_TBL;
  frh->table = static_cast<uint8_t>(table < 256 ? table : static_cast<uint32_t>(RT_TABLE_UNSPEC));
  mnl_attr_put_u32(nlh, FRA_FWMARK, mark);
  mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffff);
  mnl_attr_put_u32(nlh, FRA_TABLE, table);
  mnl_attr_put_u32(nlh, FRA_PRIORITY, priority);
  return nlh;
}

nlmsghdr* RouteMsg(std::vector<char>& buf, uint16_t type, uint16_t flags, uint32_t table, int ifindex) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = 0;  // default route
  rtm->rtm_table = static_cast<uint8_t>(table < 256 ? table : static_cast<uint32_t>(RT_TABLE_UNSPEC));
  rtm->rtm_protocol = RTPROT_STATIC;
  rtm->rtm_scope = RT_SCOPE_LINK;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32(nlh, RTA_TABLE, table);
  if (ifindex > 0) mnl_attr_put_u32(nlh, RTA_OIF, static_cast<uint32_t>(ifindex));
  return nlh;
}

}  // namespace

RouteNetlink::RouteNetlink() {
  sock_ = mnl_socket_open(NETLINK_ROUTE);
  if (!sock_) throw KernelError("open route netlink socket", errno, "");
  if (mnl_socket_bind(sock_, 0, MNL_SOCKET_AUTOPID) < 0) {
    int e = errno;
    mnl_socket_close(sock_);
    throw KernelError("bind route netlink socket", e, "");
  }
}

RouteNetlink::~RouteNetlink() {
  if (sock_) mnl_socket_close(sock_);
}

int RouteNetlink::Transact(void* msg, const char* op) {
  auto* nlh = static_cast<nlmsghdr*>(msg);
  nlh->nlmsg_seq = seq_++;
  if (mnl_socket_sendto(sock_, nlh, nlh->nlmsg_len) < 0) throw KernelError(op, errno, "");
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  ssize_t n = mnl_socket_recvfrom(sock_, buf.data(), buf.size());
  if (n < 0) throw KernelError(op, errno, "");
  int ret = mnl_cb_run(buf.data(), static_cast<size_t>(n), nlh->nlmsg_seq, mnl_socket_get_portid(sock_), nullptr,
                       nullptr);
  return ret < 0 ? errno : 0;
}

void RouteNetlink::AddFwmarkRule(uint32_t mark, uint32_t table, uint32_t priority) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  std::string op = "add rule fwmark " + std::to_string(mark) + " lookup " + std::to_string(table);
  int err = Transact(RuleMsg(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, mark, table, priority), op.c_str());
  if (err && err != EEXIST) throw KernelError(op, err, "");
}

void RouteNetlink::DeleteFwmarkRule(uint32_t mark, uint32_t table, uint32_t priority) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  std::string op = "delete rule fwmark " + std::to_string(mark);
  int err = Transact(RuleMsg(buf, RTM_DELRULE, 0, mark, table, priority), op.c_str());
  if (err && err != ENOENT) throw KernelError(op, err, "");
}

void RouteNetlink::ReplaceDefaultRoute(uint32_t table, int ifindex) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  std::string op = "replace default route in table " + std::to_string(table);
  int err = Transact(RouteMsg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, table, ifindex), op.c_str());
  if (err) throw KernelError(op, err, "");
}

void RouteNetlink::DeleteDefaultRoute(uint32_t table) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  std::string op = "delete default route in table " + std::to_string(table);
  int err = Transact(RouteMsg(buf, RTM_DELROUTE, 0, table, 0), op.c_str());
  if (err && err != ESRCH && err != ENOENT) throw KernelError(op, err, "");
}

void RouteNetlink::SetLinkMtu(int ifindex, uint32_t mtu) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
  std::string op = "set MTU " + std::to_string(mtu) + " on interface index " + std::to_string(ifindex);
  int err = Transact(nlh, op.c_str());
  if (err) throw KernelError(op, err, "");
}

}  // namespace xgw::kernel
