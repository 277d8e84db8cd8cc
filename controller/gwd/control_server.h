#pragma once
// The control socket gwctl talks to: a unix stream socket (root only, mode 0600; or 0660 for
// a configured group, e.g. the operators'), one JSON
// request per line, one JSON response per line. A malformed request gets an error object.
//
//   {"cmd":"status"}
//   {"cmd":"up","tunnel":"vpn1/1"}        {"cmd":"down","tunnel":"vpn1/1"}
//   {"cmd":"failover","connection":"vpn1","to":"vpn1/2"}   ("to" optional)
// Responses: {"ok":true,...} or {"ok":false,"error":"..."}.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "controller/gwd/control_request.h"

namespace xgw::gwd {

class ControlServer {
 public:
  using Handler = ControlHandler;
  // `group`: "" for root only; otherwise the socket's group (throws when it does not exist).
  ControlServer(boost::asio::io_context& io, std::string path, Handler handler, const std::string& group = "");
  ~ControlServer();
  void start();
  void close();

 private:
  using stream = boost::asio::local::stream_protocol;
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(stream::socket sock);

  std::string path_;
  Handler handler_;
  stream::acceptor acceptor_;
};


}  // namespace xgw::gwd
