#pragma once
// XFRM expire (and, for on-demand connections, acquire) events from the kernel, delivered on gwd's event loop.
#include <utility>  // before Boost 1.74 asio (see gateway.h)

#include <boost/asio.hpp>

#include <functional>

#include "kernel_ipsec.h"

namespace xgw::gwd {

class KernelEventWatch {
 public:
  using Handler = std::function<void(const kernel::KernelEvent&)>;
  // Subscribes `ipsec` to expire events, and to acquires when `acquires` (on-demand
  // connections); `handler` runs on the io_context.
  KernelEventWatch(boost::asio::io_context& io, kernel::KernelIpsec& ipsec, Handler handler, bool acquires);
  ~KernelEventWatch();
  void stop();
  // Adds acquires to a running subscription (a reload added an on-demand connection).
  void subscribe_acquires();

 private:
  void wait();

  kernel::KernelIpsec& ipsec_;
  Handler handler_;
  // A duplicate of the netlink socket's descriptor: asio closes its own, the socket stays
  // with KernelIpsec, which reads the events.
  boost::asio::posix::stream_descriptor fd_;
};

}  // namespace xgw::gwd
