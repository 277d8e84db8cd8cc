#pragma once
// XFRM expire events from the kernel, delivered on gwd's event loop.
#include <utility>  // before Boost 1.74 asio (see gateway.h)

#include <boost/asio.hpp>

#include <functional>

#include "kernel_ipsec.h"

namespace xgw::gwd {

class KernelEventWatch {
 public:
  using Handler = std::function<void(const kernel::KernelEvent&)>;
  // Subscribes `ipsec` to expire events; `handler` runs on the io_context.
  KernelEventWatch(boost::asio::io_context& io, kernel::KernelIpsec& ipsec, Handler handler);
  ~KernelEventWatch();
  void stop();

 private:
  void wait();

  kernel::KernelIpsec& ipsec_;
  // A duplicate of the netlink socket's descriptor: asio closes its own, the socket stays
  // with KernelIpsec, which reads the events.
  boost::asio::posix::stream_descriptor fd_;
};

}  // namespace xgw::gwd
