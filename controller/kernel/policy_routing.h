// Policy routing for the LAN steering: `ip rule fwmark MARK lookup TABLE` and a default route
// in TABLE into a tunnel's XFRM interface. The LAN TC program marks packets with the active
// tunnel's mark, so failover needs no change here; these entries are set up once per tunnel.
// Also the tunnel interface's MTU, which follows the negotiated ESP algorithms.
#pragma once

#include <cstdint>

struct mnl_socket;

namespace xgw::kernel {

class PolicyRouting {
 public:
  virtual ~PolicyRouting() = default;
  // Idempotent: an existing identical rule or route is not an error.
  virtual void AddFwmarkRule(uint32_t mark, uint32_t table, uint32_t priority) = 0;
  virtual void DeleteFwmarkRule(uint32_t mark, uint32_t table, uint32_t priority) = 0;
  virtual void ReplaceDefaultRoute(uint32_t table, int ifindex) = 0;
  virtual void DeleteDefaultRoute(uint32_t table) = 0;
  virtual void SetLinkMtu(int ifindex, uint32_t mtu) = 0;
};

// rtnetlink implementation (libmnl). Errors throw KernelError.
class RouteNetlink final : public PolicyRouting {
 public:
  RouteNetlink();
  ~RouteNetlink() override;
  RouteNetlink(const RouteNetlink&) = delete;
  RouteNetlink& operator=(const RouteNetlink&) = delete;

  void AddFwmarkRule(uint32_t mark, uint32_t table, uint32_t priority) override;
  void DeleteFwmarkRule(uint32_t mark, uint32_t table, uint32_t priority) override;
  void ReplaceDefaultRoute(uint32_t table, int ifindex) override;
  void DeleteDefaultRoute(uint32_t table) override;
  void SetLinkMtu(int ifindex, uint32_t mtu) override;

 private:
  // Returns the kernel's errno (0 on success); throws on transport errors.
  int Transact(void* nlh, const char* op);
  ::mnl_socket* sock_ = nullptr;
  uint32_t seq_ = 1;
};

}  // namespace xgw::kernel
