#include "controller/gwd/metrics_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

#include "controller/gwd/log.h"

namespace xgw::gwd {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t kMaxHead = 8 * 1024;
constexpr auto kHeadTimeout = std::chrono::seconds(5);

std::string reply(const char* status, const char* type, const std::string& body) {
  return std::string("HTTP/1.0 ") + status + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

tcp::endpoint parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  boost::system::error_code ec;
  if (colon == std::string::npos) throw std::invalid_argument("metrics_listen \"" + listen + "\": expected ADDRESS:PORT");
  auto addr = asio::ip::make_address(listen.substr(0, colon), ec);
  std::string port = listen.substr(colon + 1);
  if (ec || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    throw std::invalid_argument("metrics_listen \"" + listen + "\": expected ADDRESS:PORT, e.g. 127.0.0.1:9720");
  return tcp::endpoint(addr, static_cast<unsigned short>(std::stoul(port)));
}

std::string http_response(const std::string& head, const MetricsServer::Render& render) {
  auto eol = head.find("\r\n");
  std::string line = head.substr(0, eol);
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string::npos || line.compare(sp2 + 1, 5, "HTTP/") != 0)
    return reply("400 Bad Request", "text/plain", "bad request\n");
  std::string method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (method != "GET") return reply("405 Method Not Allowed", "text/plain", "only GET\n");
  if (target != "/metrics" && target.rfind("/metrics?", 0) != 0)
    return reply("404 Not Found", "text/plain", "metrics are at /metrics\n");
  return reply("200 OK", "text/plain; version=0.0.4; charset=utf-8", render());
}

MetricsServer::MetricsServer(asio::io_context& io, const std::string& listen, Render render)
    : render_(std::move(render)), acceptor_(io) {
  tcp::endpoint ep = parse_listen(listen);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
}

MetricsServer::~MetricsServer() { close(); }

void MetricsServer::close() {
  boost::system::error_code ec;
  if (acceptor_.is_open()) acceptor_.close(ec);
}

void MetricsServer::start() { asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached); }

asio::awaitable<void> MetricsServer::accept_loop() {
  for (;;) {
    try {
      tcp::socket sock = co_await acceptor_.async_accept(asio::use_awaitable);
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(sock)), asio::detached);
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) co_return;
      log_warn("metrics accept: " + e.code().message());
    }
  }
}

asio::awaitable<void> MetricsServer::serve(tcp::socket sock) {
  // A scraper that never finishes its request head is cut off.
  asio::steady_timer deadline(sock.get_executor());
  deadline.expires_after(kHeadTimeout);
  deadline.async_wait([&sock](const boost::system::error_code& ec) {
    if (!ec) {
      boost::system::error_code ignored;
      sock.close(ignored);
    }
  });
  std::string buf;
  try {
    std::size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf, kMaxHead), "\r\n\r\n",
                                                    asio::use_awaitable);
    deadline.cancel();
    std::string out = http_response(buf.substr(0, n), render_);
    co_await asio::async_write(sock, asio::buffer(out), asio::use_awaitable);
  } catch (const boost::system::system_error&) {
    // closed by the deadline, head too long, or the peer went away: nothing to answer
  }
  deadline.cancel();
  boost::system::error_code ec;
  sock.shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace xgw::gwd
