#pragma once
// gwd's side of BGP: keeps BIRD configured with one session per tunnel of every BGP
// connection (bird_config.h), polls the sessions' state, and follows the routes each
// session learned through the kernel tables BIRD exports them into. The gateway decides
// what that means for steering and failover (gateway_bgp.cpp).
#include <utility>  // before Boost 1.74 asio (see gateway.h)

#include <boost/asio.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "controller/gwd/bird_config.h"
#include "controller/gwd/bird_control.h"
#include "route_watch.h"

namespace xgw::gwd {

class BgpWatch {
 public:
  using Prefix = BirdPrefix;  // address in host byte order, length
  struct Handlers {
    // BIRD's view of a session changed: `info` is its Info column ("Established", "Active",
    // "Connect", ...) or why BIRD could not be asked.
    std::function<void(std::uint32_t tunnel_id, const std::string& info, bool established)> session;
    // The routes learned over a tunnel changed.
    std::function<void(std::uint32_t tunnel_id)> routes;
  };

  BgpWatch(boost::asio::io_context& io, std::string bird_socket, std::string fragment_path, Handlers handlers);
  ~BgpWatch();

  // Writes the fragment for these sessions when it changed and has BIRD reconfigure,
  // retrying every poll until BIRD takes it.
  void configure(std::vector<BirdSession> sessions);
  // Leaves BIRD without gwd's sessions (an empty fragment, reconfigured before returning)
  // unless `keep` (gwd stopping with --keep-datapath: the sessions carry on).
  void stop(bool keep);

  // The routes learned over a tunnel: prefix -> its MED (as AWS sent it).
  std::map<Prefix, std::uint32_t> learned(std::uint32_t tunnel_id) const;
  // Why BIRD is not configured or not answering; empty when it is.
  const std::string& bird_error() const { return bird_error_; }
  const std::string& bird_socket() const { return bird_.socket_path(); }

 private:
  boost::asio::awaitable<void> poll_loop();
  boost::asio::awaitable<void> poll_once();
  boost::asio::awaitable<void> poll_meds(const std::set<std::uint32_t>& established);
  void set_bird_error(const std::string& error);
  void wait_routes();
  void reload_routes();
  void on_route(const kernel::KernelRoute& r, bool removed);

  boost::asio::io_context& io_;
  BirdClient bird_;
  std::string fragment_path_;
  Handlers handlers_;
  std::vector<BirdSession> sessions_;
  std::string written_;          // the fragment last written
  bool configure_pending_ = false;
  std::string bird_error_;
  std::map<std::uint32_t, std::string> info_;  // tunnel id -> last reported Info
  // Learned routes: tunnel id -> prefix -> the metrics of its kernel routes. A new MED
  // arrives as a new kernel route before the old one goes (the metric is part of the key).
  std::map<std::uint32_t, std::map<Prefix, std::set<std::uint32_t>>> routes_;
  // The MEDs BIRD reports for each established session's routes (polled): tunnel id ->
  // prefix -> MED. A route counts as learned once both the kernel and BIRD list it.
  std::map<std::uint32_t, std::map<Prefix, std::uint32_t>> meds_;
  std::unique_ptr<kernel::RouteTableWatch> watch_;
  boost::asio::posix::stream_descriptor watch_fd_;
  boost::asio::steady_timer tick_;
  bool stopped_ = false;
};

}  // namespace xgw::gwd
