#include "controller/gwd/liveness.h"

#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include <cstring>

#include "controller/gwd/log.h"

namespace xgw::gwd {

namespace asio = boost::asio;

namespace {

// RFC 792 / RFC 1071 Internet checksum.
std::uint16_t inet_checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace

LivenessProbe::LivenessProbe(asio::io_context& io, Params p, OnChange on_change)
    : p_(std::move(p)), on_change_(std::move(on_change)), sock_(io), timer_(io) {}

LivenessProbe::~LivenessProbe() { stop(); }

void LivenessProbe::start() {
  sock_.open(asio::ip::icmp::v4());
  // Only through this tunnel: bound to its XFRM interface, replies read from it alone.
  if (setsockopt(sock_.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, p_.ifname.c_str(),
                 static_cast<socklen_t>(p_.ifname.size())) != 0)
    throw std::runtime_error("liveness probe: bind to " + p_.ifname + ": " + std::strerror(errno));
  sock_.bind(asio::ip::icmp::endpoint(asio::ip::address_v4(p_.src), 0));
  running_ = true;
  receive();
}

void LivenessProbe::stop() {
  running_ = ticking_ = false;
  boost::system::error_code ec;
  timer_.cancel();
  sock_.close(ec);
}

void LivenessProbe::forget_misses() {
  missed_ = 0;
  outstanding_ = false;
  alive_ = true;
}

void LivenessProbe::resume(bool fresh) {
  forget_misses();
  if (fresh) armed_ = false;
  if (running_ && !ticking_) {
    ticking_ = true;
    ++run_;
    tick();
  }
}

void LivenessProbe::pause() {
  ticking_ = false;
  timer_.cancel();
  forget_misses();
}

void LivenessProbe::tick() {
  if (!running_ || !ticking_) return;
  // A reply already queued counts before a miss does (a busy loop reads late).
  read_pending();
  if (outstanding_ && ++missed_ >= p_.misses && alive_ && armed_) {
    alive_ = false;
    on_change_(false);
  }
  // ICMP echo request (RFC 792): type 8, code 0, checksum, identifier, sequence.
  std::uint8_t pkt[16] = {8, 0, 0, 0};
  ++seq_;
  pkt[4] = static_cast<std::uint8_t>(p_.ident >> 8);
  pkt[5] = static_cast<std::uint8_t>(p_.ident);
  pkt[6] = static_cast<std::uint8_t>(seq_ >> 8);
  pkt[7] = static_cast<std::uint8_t>(seq_);
  std::memcpy(pkt + 8, "xgw-live", 8);
  std::uint16_t ck = inet_checksum(pkt, sizeof pkt);
  pkt[2] = static_cast<std::uint8_t>(ck >> 8);
  pkt[3] = static_cast<std::uint8_t>(ck);
  boost::system::error_code ec;
  sock_.send_to(asio::buffer(pkt), asio::ip::icmp::endpoint(asio::ip::address_v4(p_.dst), 0), 0, ec);
  // Without an SA the kernel refuses the send; that counts as a miss like a lost reply.
  outstanding_ = true;
  sent_at_ = std::chrono::steady_clock::now();
  ++sent_;
  timer_.expires_after(std::chrono::milliseconds(p_.interval_ms));
  // A handler of an earlier run (pause, then resume, before it ran) must not start a second
  // chain of ticks beside the new one.
  timer_.async_wait([this, run = run_](const boost::system::error_code& e) {
    if (!e && run == run_) tick();
  });
}

void LivenessProbe::receive() {
  sock_.async_receive(asio::buffer(buf_), [this](const boost::system::error_code& ec, std::size_t n) {
    if (ec == asio::error::operation_aborted || !running_) return;
    if (!ec) handle_datagram(buf_.data(), n);
    receive();
  });
}

// Into its own buffer: the pending async_receive may already have filled buf_ with a reply
// whose handler has not run yet.
void LivenessProbe::read_pending() {
  for (;;) {
    ssize_t n = ::recv(sock_.native_handle(), pending_buf_.data(), pending_buf_.size(), MSG_DONTWAIT);
    if (n < 0) return;  // EAGAIN: nothing queued
    handle_datagram(pending_buf_.data(), static_cast<std::size_t>(n));
  }
}

void LivenessProbe::handle_datagram(const std::uint8_t* b, std::size_t n) {
  if (n < 20) return;
  // Raw ICMP sockets deliver the IP header too.
  std::size_t ihl = static_cast<std::size_t>(b[0] & 0x0f) * 4;
  std::uint32_t from = static_cast<std::uint32_t>(b[12] << 24 | b[13] << 16 | b[14] << 8 | b[15]);
  if (n >= ihl + 8 && from == p_.dst && b[ihl] == 0 /* echo reply */ && (b[ihl + 4] << 8 | b[ihl + 5]) == p_.ident)
    on_reply(static_cast<std::uint16_t>(b[ihl + 6] << 8 | b[ihl + 7]));
}

void LivenessProbe::on_reply(std::uint16_t seq) {
  ++received_;
  armed_ = true;
  if (seq == seq_) {
    last_rtt_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent_at_).count();
    outstanding_ = false;
  }
  missed_ = 0;
  if (!alive_) {
    alive_ = true;
    on_change_(true);
  }
}

}  // namespace xgw::gwd
