#pragma once
// Talking to BIRD 2 over its control socket, as birdc does. The protocol is line based: each
// reply line starts with a four-digit code, followed by '-' when more lines follow or by ' '
// on the last one; a line starting with ' ' continues the previous code. Codes 8000 and up
// are errors (8xxx run time, 9xxx parse errors); the greeting is "0001 BIRD x.y ready.".
#include <utility>  // before Boost 1.74 asio (see gateway.h)

#include <boost/asio.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xgw::gwd {

struct BirdReply {
  struct Line {
    int code = 0;
    std::string text;
  };
  std::vector<Line> lines;
  std::string error;  // empty: BIRD answered without an error code
  bool ok() const { return error.empty(); }
};

// Collects one reply from the lines BIRD sends. feed() returns true once the last line came.
class BirdReplyReader {
 public:
  bool feed(const std::string& line);  // without the '\n'
  BirdReply take();

 private:
  BirdReply reply_;
  int code_ = 0;
};

// One row of `show protocols`.
struct BirdProtocol {
  std::string name, proto, table, state, since, info;
};
// The rows of a `show protocols` reply (code 1002 lines; the 2002 header is skipped).
std::vector<BirdProtocol> parse_show_protocols(const BirdReply& reply);

// A prefix (address in host byte order, length).
using BirdPrefix = std::pair<std::uint32_t, std::uint8_t>;
// The routes of a `show route table T1 [table T2 ...] all` reply: table name -> prefix ->
// MED (BGP.med; 0 for a route without one, as BGP compares it, RFC 4271 §9.1.2.2).
std::map<std::string, std::map<BirdPrefix, std::uint32_t>> parse_route_meds(const BirdReply& reply);

class BirdClient {
 public:
  BirdClient(boost::asio::any_io_executor ex, std::string socket_path);
  const std::string& socket_path() const { return path_; }
  // Connects, reads the greeting, sends `command`, returns the reply. Transport failures and
  // timeouts come back as a reply with `error` set ("connect /run/bird/bird.ctl: ...").
  boost::asio::awaitable<BirdReply> command(std::string command, std::chrono::milliseconds timeout);
  // The same on a private io_context, blocking the caller (gwd's shutdown, after its loop).
  BirdReply command_blocking(const std::string& command, std::chrono::milliseconds timeout) const;

 private:
  boost::asio::any_io_executor ex_;
  std::string path_;
};

}  // namespace xgw::gwd
