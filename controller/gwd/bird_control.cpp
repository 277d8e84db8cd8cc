#include "controller/gwd/bird_control.h"

#include "controller/config/config.h"

#include <cctype>
#include <optional>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace xgw::gwd {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {
constexpr std::size_t kMaxReply = 1 << 20;  // `show protocols` of a few hundred sessions fits easily
}

bool BirdReplyReader::feed(const std::string& line) {
  bool coded = line.size() >= 5 && std::isdigit(static_cast<unsigned char>(line[0])) &&
               std::isdigit(static_cast<unsigned char>(line[1])) && std::isdigit(static_cast<unsigned char>(line[2])) &&
               std::isdigit(static_cast<unsigned char>(line[3])) && (line[4] == '-' || line[4] == ' ');
  if (!coded) {
    // " text": a continuation of the current code.
    reply_.lines.push_back({code_, line.empty() ? line : line.substr(1)});
    return false;
  }
  code_ = std::stoi(line.substr(0, 4));
  std::string text = line.substr(5);
  if (code_ >= 8000 && reply_.error.empty()) reply_.error = text.empty() ? "error " + line.substr(0, 4) : text;
  if (code_ != 0 || !text.empty()) reply_.lines.push_back({code_, text});
  return line[4] == ' ';
}

BirdReply BirdReplyReader::take() {
  BirdReply r = std::move(reply_);
  reply_ = {};
  code_ = 0;
  return r;
}

std::vector<BirdProtocol> parse_show_protocols(const BirdReply& reply) {
  std::vector<BirdProtocol> rows;
  for (const auto& l : reply.lines) {
    if (l.code != 1002) continue;
    std::istringstream in(l.text);
    BirdProtocol p;
    if (!(in >> p.name >> p.proto >> p.table >> p.state >> p.since)) continue;
    std::vector<std::string> rest;
    for (std::string word; in >> word;) rest.push_back(word);
    // `since` may be a date and a time ("2026-11-29 08:01:02.123"), depending on BIRD's
    // timeformat: a second field shaped like a time belongs to it.
    std::size_t i = 0;
    if (!rest.empty() && rest[0].size() >= 8 && rest[0][2] == ':' && rest[0][5] == ':') p.since += ' ' + rest[i++];
    for (; i < rest.size(); ++i) p.info += (p.info.empty() ? "" : " ") + rest[i];
    rows.push_back(std::move(p));
  }
  return rows;
}

std::map<std::string, std::map<BirdPrefix, std::uint32_t>> parse_route_meds(const BirdReply& reply) {
  std::map<std::string, std::map<BirdPrefix, std::uint32_t>> out;
  std::map<BirdPrefix, std::uint32_t>* table = nullptr;
  std::optional<BirdPrefix> prefix;
  for (const auto& l : reply.lines) {
    std::istringstream in(l.text);
    std::string first;
    if (!(in >> first)) continue;
    if (first == "Table") {
      std::string name;
      in >> name;
      if (!name.empty() && name.back() == ':') name.pop_back();
      table = &out[name];
      prefix.reset();
    } else if (first == "BGP.med:") {
      std::uint32_t med = 0;
      if (table && prefix && (in >> med)) (*table)[*prefix] = med;
    } else if (table && std::isdigit(static_cast<unsigned char>(first[0])) && first.find('/') != std::string::npos) {
      auto cidr = config::parse_cidr(first);
      prefix.reset();
      if (!cidr) continue;
      prefix = BirdPrefix{cidr->addr, cidr->len};
      (*table)[*prefix] = 0;
    }
  }
  return out;
}

BirdClient::BirdClient(asio::any_io_executor ex, std::string socket_path) : ex_(std::move(ex)), path_(std::move(socket_path)) {}

namespace {

asio::awaitable<BirdReply> run_command(asio::any_io_executor ex, std::string path, std::string command,
                                       std::chrono::milliseconds timeout) {
  stream::socket sock(ex);
  asio::steady_timer deadline(ex);
  bool timed_out = false;
  deadline.expires_after(timeout);
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    timed_out = true;
    boost::system::error_code ignored;
    sock.close(ignored);
  });
  const char* step = "connect";
  BirdReply out;
  try {
    co_await sock.async_connect(stream::endpoint(path), asio::use_awaitable);
    std::string buf;
    BirdReplyReader reader;
    auto read_reply = [&]() -> asio::awaitable<BirdReply> {
      for (;;) {
        std::size_t n =
            co_await asio::async_read_until(sock, asio::dynamic_buffer(buf, kMaxReply), '\n', asio::use_awaitable);
        std::string line = buf.substr(0, n - 1);
        buf.erase(0, n);
        if (reader.feed(line)) co_return reader.take();
      }
    };
    step = "read the greeting from";
    co_await read_reply();
    step = "send to";
    std::string wire = command + "\n";
    co_await asio::async_write(sock, asio::buffer(wire), asio::use_awaitable);
    step = "read the reply from";
    out = co_await read_reply();
  } catch (const boost::system::system_error& e) {
    out = {};
    out.error = std::string(step) + " " + path + ": " + (timed_out ? "no answer in time" : e.code().message());
  }
  deadline.cancel();
  boost::system::error_code ignored;
  sock.close(ignored);
  co_return out;
}

}  // namespace

asio::awaitable<BirdReply> BirdClient::command(std::string command, std::chrono::milliseconds timeout) {
  co_return co_await run_command(ex_, path_, std::move(command), timeout);
}

BirdReply BirdClient::command_blocking(const std::string& command, std::chrono::milliseconds timeout) const {
  asio::io_context io;
  BirdReply out;
  asio::co_spawn(io, run_command(io.get_executor(), path_, command, timeout),
                 [&](std::exception_ptr e, BirdReply r) {
                   if (e) out.error = "bird " + command + ": unexpected failure";
                   else out = std::move(r);
                 });
  io.run();
  return out;
}

}  // namespace xgw::gwd
