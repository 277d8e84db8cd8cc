// KernelIpsec over netlink (NETLINK_XFRM for SAs and policies, NETLINK_ROUTE for XFRM
// interfaces), built and parsed with libmnl. Sockets belong to the network namespace that is
// current when the object is constructed.
#pragma once

#include <functional>
#include <memory>

#include "kernel_ipsec.h"

struct mnl_socket;
struct nlmsghdr;

namespace xgw::kernel {

class XfrmNetlink final : public KernelIpsec {
 public:
  XfrmNetlink();
  ~XfrmNetlink() override;
  XfrmNetlink(const XfrmNetlink&) = delete;
  XfrmNetlink& operator=(const XfrmNetlink&) = delete;

  uint32_t AllocateSpi(Addr4 src, Addr4 dst, uint32_t reqid, uint32_t min, uint32_t max) override;
  void AddSa(const SaParams& sa) override;
  void UpdateSa(const SaParams& sa) override;
  void DeleteSa(Addr4 dst, uint32_t spi) override;
  SaCounters QuerySa(Addr4 dst, uint32_t spi) override;
  void AddPolicy(const PolicyParams& p) override;
  void DeletePolicy(const Selector& sel, PolicyDir dir, uint32_t if_id) override;
  void CreateXfrmInterface(const XfrmInterfaceParams& p) override;
  void DeleteXfrmInterface(const std::string& name) override;
  void BypassSocket(int fd, int family) override;
  void SubscribeEvents(std::function<void(const KernelEvent&)> handler,
                       Events which = Events::kAcquireAndExpire) override;
  int event_fd() const override;
  void DispatchEvents() override;

 private:
  // Sends one request and reads until its ack; `on_reply` sees every non-ack message.
  void Transact(mnl_socket* sock, nlmsghdr* req, const std::string& op,
                const std::function<void(const nlmsghdr*)>& on_reply = {});

  mnl_socket* xfrm_ = nullptr;
  mnl_socket* route_ = nullptr;
  mnl_socket* events_ = nullptr;
  std::function<void(const KernelEvent&)> handler_;
  bool subscribed_ = false;
  bool acquires_ = false;
  uint32_t seq_ = 1;
};

}  // namespace xgw::kernel
