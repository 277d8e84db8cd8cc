#include "controller/gwd/kernel_events.h"

#include <unistd.h>

#include <cerrno>

#include "controller/gwd/log.h"

namespace xgw::gwd {

KernelEventWatch::KernelEventWatch(boost::asio::io_context& io, kernel::KernelIpsec& ipsec, Handler handler,
                                   bool acquires)
    : ipsec_(ipsec), handler_(std::move(handler)), fd_(io) {
  // Acquires only for on-demand connections: gwd keeps every other tunnel up by itself, and
  // listening for acquires makes the kernel park a larval state for each packet that meets a
  // tunnel's policy while the tunnel is down.
  ipsec_.SubscribeEvents(handler_, acquires ? kernel::KernelIpsec::Events::kAcquireAndExpire
                                            : kernel::KernelIpsec::Events::kExpireOnly);
  int fd = ::dup(ipsec_.event_fd());
  if (fd < 0) throw kernel::KernelError("duplicate the XFRM event socket", errno, "");
  fd_.assign(fd);
  wait();
}

KernelEventWatch::~KernelEventWatch() { stop(); }

void KernelEventWatch::subscribe_acquires() {
  ipsec_.SubscribeEvents(handler_, kernel::KernelIpsec::Events::kAcquireAndExpire);
}

void KernelEventWatch::stop() {
  boost::system::error_code ec;
  fd_.cancel(ec);
  fd_.close(ec);
}

void KernelEventWatch::wait() {
  fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled at stop
    try {
      ipsec_.DispatchEvents();
    } catch (const std::exception& e) {
      log_error(std::string("XFRM events: ") + e.what());
    }
    wait();
  });
}

}  // namespace xgw::gwd
