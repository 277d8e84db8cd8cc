#include "controller/gwd/control_server.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>

#include "controller/gwd/log.h"

namespace xgw::gwd {

namespace asio = boost::asio;
using nlohmann::json;

namespace {
constexpr std::size_t kMaxRequest = 64 * 1024;
}

ControlServer::ControlServer(asio::io_context& io, std::string path, Handler handler, const std::string& group)
    : path_(std::move(path)), handler_(std::move(handler)), acceptor_(io) {
  gid_t gid = 0;
  if (!group.empty()) {
    const struct group* g = ::getgrnam(group.c_str());
    if (!g) throw std::runtime_error("control_group \"" + group + "\": no such group");
    gid = g->gr_gid;
  }
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  ::unlink(path_.c_str());
  mode_t old = ::umask(0177);  // the socket is created 0600: root only
  acceptor_.open(stream());
  acceptor_.bind(stream::endpoint(path_));
  ::umask(old);
  // Widened only after it exists with 0600: never briefly open to everyone.
  if (!group.empty() && (::chown(path_.c_str(), 0, gid) != 0 || ::chmod(path_.c_str(), 0660) != 0))
    throw std::runtime_error("control socket " + path_ + ": give it to group " + group + ": " + std::strerror(errno));
  acceptor_.listen();
}

ControlServer::~ControlServer() { close(); }

void ControlServer::close() {
  if (!acceptor_.is_open()) return;
  boost::system::error_code ec;
  acceptor_.close(ec);
  ::unlink(path_.c_str());
}

void ControlServer::start() { asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached); }

asio::awaitable<void> ControlServer::accept_loop() {
  for (;;) {
    try {
      stream::socket sock = co_await acceptor_.async_accept(asio::use_awaitable);
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(sock)), asio::detached);
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) co_return;
      log_warn("control socket accept: " + e.code().message());
    }
  }
}

asio::awaitable<void> ControlServer::serve(stream::socket sock) {
  std::string buf;
  try {
    for (;;) {
      std::size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf, kMaxRequest), '\n',
                                                      asio::use_awaitable);
      std::string line = buf.substr(0, n - 1);
      buf.erase(0, n);
      // Invalid UTF-8 in a reply (a field quoted back) is replaced, never thrown: an
      // exception here would end gwd.
      std::string out = handle_request_line(line, handler_).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
      co_await asio::async_write(sock, asio::buffer(out), asio::use_awaitable);
    }
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::not_found) {  // a line longer than kMaxRequest
      std::string out = json{{"ok", false}, {"error", "request too long"}}.dump() + "\n";
      boost::system::error_code ec;
      asio::write(sock, asio::buffer(out), ec);
    }
  }
}

}  // namespace xgw::gwd
