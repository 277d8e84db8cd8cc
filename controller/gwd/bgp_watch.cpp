#include "controller/gwd/bgp_watch.h"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>

#include "controller/gwd/atomic_file.h"
#include "controller/gwd/log.h"
#include "kernel_ipsec.h"

namespace xgw::gwd {

namespace asio = boost::asio;

namespace {
constexpr auto kPollInterval = std::chrono::seconds(1);
constexpr auto kBirdTimeout = std::chrono::milliseconds(2000);
constexpr std::uint32_t kMaxTunnelId = 65535;
}  // namespace

BgpWatch::BgpWatch(asio::io_context& io, std::string bird_socket, std::string fragment_path, Handlers handlers)
    : io_(io),
      bird_(io.get_executor(), std::move(bird_socket)),
      fragment_path_(std::move(fragment_path)),
      handlers_(std::move(handlers)),
      watch_(std::make_unique<kernel::RouteTableWatch>(bgp_kernel_table(1), bgp_kernel_table(kMaxTunnelId))),
      watch_fd_(io),
      tick_(io) {
  int fd = ::dup(watch_->fd());
  if (fd < 0) throw kernel::KernelError("duplicate the route watch socket", errno, "");
  watch_fd_.assign(fd);
  reload_routes();
  wait_routes();
  asio::co_spawn(io_, poll_loop(), asio::detached);
}

BgpWatch::~BgpWatch() {
  stopped_ = true;
  boost::system::error_code ec;
  watch_fd_.close(ec);
  tick_.cancel();
}

void BgpWatch::configure(std::vector<BirdSession> sessions) {
  sessions_ = std::move(sessions);
  std::string text = render_bird_fragment(sessions_);
  if (text != written_) {
    try {
      write_file_atomic(fragment_path_, text, 0644);  // BIRD may run as its own user; no secrets here
      written_ = text;
      configure_pending_ = true;
    } catch (const std::exception& e) {
      set_bird_error(std::string("BIRD fragment: ") + e.what());
    }
  }
  for (auto it = info_.begin(); it != info_.end();) {
    bool kept = false;
    for (const auto& s : sessions_) kept = kept || s.tunnel_id == it->first;
    it = kept ? std::next(it) : info_.erase(it);
  }
  tick_.cancel();  // poll now rather than within a second
}

void BgpWatch::stop(bool keep) {
  stopped_ = true;
  tick_.cancel();
  boost::system::error_code ec;
  watch_fd_.close(ec);
  if (keep || written_.empty()) return;
  try {
    write_file_atomic(fragment_path_, render_bird_fragment({}), 0644);
  } catch (const std::exception& e) {
    log_warn(std::string("BIRD fragment: ") + e.what() + ": BIRD keeps gwd's BGP sessions");
    return;
  }
  BirdReply r = bird_.command_blocking("configure", kBirdTimeout);
  if (r.ok()) log_info("BIRD reconfigured without gwd's BGP sessions");
  else log_warn("BIRD configure: " + r.error + ": BIRD keeps gwd's BGP sessions until it is reconfigured");
}

std::map<BgpWatch::Prefix, std::uint32_t> BgpWatch::learned(std::uint32_t tunnel_id) const {
  std::map<Prefix, std::uint32_t> out;
  auto it = routes_.find(tunnel_id);
  auto meds = meds_.find(tunnel_id);
  if (it == routes_.end() || meds == meds_.end()) return out;
  for (const auto& [prefix, metrics] : it->second) {
    auto med = meds->second.find(prefix);
    if (!metrics.empty() && med != meds->second.end()) out[prefix] = med->second;
  }
  return out;
}

void BgpWatch::set_bird_error(const std::string& error) {
  if (error == bird_error_) return;
  if (error.empty()) log_info("BIRD answers on " + bird_.socket_path());
  else log_warn(error);
  bird_error_ = error;
}

asio::awaitable<void> BgpWatch::poll_loop() {
  while (!stopped_) {
    co_await poll_once();
    if (stopped_) co_return;
    tick_.expires_after(kPollInterval);
    boost::system::error_code ec;
    co_await tick_.async_wait(asio::redirect_error(asio::use_awaitable, ec));  // cancelled: poll early
  }
}

asio::awaitable<void> BgpWatch::poll_once() {
  auto report_all = [this](const std::string& info) {
    for (const auto& s : sessions_) {
      if (info_[s.tunnel_id] == info) continue;
      info_[s.tunnel_id] = info;
      if (handlers_.session) handlers_.session(s.tunnel_id, info, false);
    }
  };
  if (sessions_.empty() && !configure_pending_) co_return;
  if (configure_pending_) {
    BirdReply r = co_await bird_.command("configure", kBirdTimeout);
    if (stopped_) co_return;
    if (!r.ok()) {
      set_bird_error("BIRD configure: " + r.error);
      report_all("BIRD not configured");
      co_return;
    }
    configure_pending_ = false;
    log_info("BIRD reconfigured from " + fragment_path_ + ": " + std::to_string(sessions_.size()) + " BGP session(s)");
  }
  BirdReply r = co_await bird_.command("show protocols", kBirdTimeout);
  if (stopped_) co_return;
  if (!r.ok()) {
    set_bird_error("BIRD show protocols: " + r.error);
    report_all("BIRD not answering");
    co_return;
  }
  set_bird_error("");
  std::vector<BirdProtocol> rows = parse_show_protocols(r);
  std::set<std::uint32_t> established_ids;
  for (const auto& s : sessions_) {
    std::string name = bird_protocol_name(s.tunnel_id), info = "not in BIRD's configuration";
    bool established = false;
    for (const auto& row : rows) {
      if (row.name != name) continue;
      info = row.info.empty() ? row.state : row.info;
      established = row.state == "up" && row.info.rfind("Established", 0) == 0;
    }
    if (established) established_ids.insert(s.tunnel_id);
    if (info_.count(s.tunnel_id) && info_[s.tunnel_id] == info) continue;
    info_[s.tunnel_id] = info;
    if (handlers_.session) handlers_.session(s.tunnel_id, info, established);
  }
  co_await poll_meds(established_ids);
}

asio::awaitable<void> BgpWatch::poll_meds(const std::set<std::uint32_t>& established) {
  std::map<std::string, std::map<Prefix, std::uint32_t>> by_table;
  if (!established.empty()) {
    std::string cmd = "show route";
    for (std::uint32_t id : established) cmd += " table " + bird_protocol_name(id) + "_routes";
    BirdReply r = co_await bird_.command(cmd + " where source = RTS_BGP all", kBirdTimeout);
    if (stopped_) co_return;
    if (!r.ok()) {
      set_bird_error("BIRD show route: " + r.error);
      co_return;  // keep what we had: the kernel tables still report withdrawals
    }
    by_table = parse_route_meds(r);
  }
  for (const auto& s : sessions_) {
    auto before = learned(s.tunnel_id);
    meds_[s.tunnel_id] = by_table[bird_protocol_name(s.tunnel_id) + "_routes"];
    if (learned(s.tunnel_id) != before && handlers_.routes) handlers_.routes(s.tunnel_id);
  }
}

void BgpWatch::wait_routes() {
  watch_fd_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    try {
      if (watch_->Dispatch([this](const kernel::KernelRoute& r, bool removed) { on_route(r, removed); })) {
        log_warn("BGP route watch overran: reading the tables again");
        reload_routes();
      }
    } catch (const std::exception& e) {
      log_error(std::string("BGP route watch: ") + e.what());
    }
    wait_routes();
  });
}

void BgpWatch::reload_routes() {
  std::set<std::uint32_t> touched;
  for (const auto& [id, r] : routes_) touched.insert(id);
  routes_.clear();
  for (const kernel::KernelRoute& r : watch_->Dump()) {
    std::uint32_t id = r.table - kBgpKernelTableBase;
    routes_[id][{r.dst, r.len}].insert(r.metric);
    touched.insert(id);
  }
  if (handlers_.routes)
    for (std::uint32_t id : touched) handlers_.routes(id);
}

void BgpWatch::on_route(const kernel::KernelRoute& r, bool removed) {
  std::uint32_t id = r.table - kBgpKernelTableBase;
  auto before = learned(id);
  auto& metrics = routes_[id][{r.dst, r.len}];
  if (removed) {
    metrics.erase(r.metric);
    if (metrics.empty()) routes_[id].erase({r.dst, r.len});
  } else {
    metrics.insert(r.metric);
  }
  if (learned(id) != before && handlers_.routes) handlers_.routes(id);
}

}  // namespace xgw::gwd
