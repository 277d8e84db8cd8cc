#pragma once
// Prometheus metrics over HTTP: GET /metrics on `metrics_listen` (default 127.0.0.1:9720,
// docs/config.md) answers with the text exposition format. One request per connection,
// plain HTTP/1.0, no keep-alive: what a scraper needs, nothing an attacker can hold open for
// long (5 s to send the request head, 8 KiB at most).
#include <utility>  // before Boost 1.74 asio (see gateway.h)

#include <boost/asio.hpp>

#include <functional>
#include <string>

namespace xgw::gwd {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  MetricsServer(boost::asio::io_context& io, const std::string& listen, Render render);
  ~MetricsServer();
  void start();
  void close();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket sock);

  Render render_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

// "127.0.0.1:9720" -> endpoint; throws std::invalid_argument naming the value and the rule.
boost::asio::ip::tcp::endpoint parse_listen(const std::string& listen);

// The full HTTP response to one request head (pure): 200 and the metrics for GET /metrics,
// 404 for another path, 405 for another method, 400 for anything unparsable.
std::string http_response(const std::string& request_head, const MetricsServer::Render& render);

}  // namespace xgw::gwd
