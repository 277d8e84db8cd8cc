#pragma once
// Follows the IPv4 routes of a range of kernel routing tables over rtnetlink: a dump of what
// is there, then every change as it happens. gwd reads the BGP routes BIRD exports into its
// per-tunnel tables this way (controller/gwd/bird_config.h).
#include <cstdint>
#include <functional>
#include <vector>

struct mnl_socket;
struct nlmsghdr;

namespace xgw::kernel {

struct KernelRoute {
  std::uint32_t table = 0;
  std::uint32_t dst = 0;  // host byte order
  std::uint8_t len = 0;
  std::uint32_t metric = 0;
  int oif = 0;
  bool operator==(const KernelRoute&) const = default;
};

// A route of table_min..table_max from an RTM_NEWROUTE or RTM_DELROUTE message (its
// `removed` set for the latter); false for anything else (other tables, other families).
bool parse_route_message(const nlmsghdr* nlh, std::uint32_t table_min, std::uint32_t table_max, KernelRoute& route,
                         bool& removed);

class RouteTableWatch {
 public:
  using Handler = std::function<void(const KernelRoute&, bool removed)>;
  // Subscribes to IPv4 route changes in the calling thread's network namespace. Throws
  // KernelError.
  RouteTableWatch(std::uint32_t table_min, std::uint32_t table_max);
  ~RouteTableWatch();
  RouteTableWatch(const RouteTableWatch&) = delete;
  RouteTableWatch& operator=(const RouteTableWatch&) = delete;

  // The routes there now (a second socket, opened with the first in the same namespace:
  // changes that race the dump also arrive
  // through Dispatch, so a handler must treat a repeated route as a replacement).
  std::vector<KernelRoute> Dump();
  // For the event loop: readable when changes are pending.
  int fd() const;
  // Reads the pending changes without blocking. After an overrun (ENOBUFS: changes were
  // lost) it returns true: call Dump() and rebuild.
  bool Dispatch(const Handler& handler);

 private:
  std::uint32_t min_, max_;
  ::mnl_socket* monitor_ = nullptr;
  ::mnl_socket* dump_ = nullptr;
  std::uint32_t dump_seq_ = 0;
};

}  // namespace xgw::kernel
