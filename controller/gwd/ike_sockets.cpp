#include "controller/gwd/ike_sockets.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <cstring>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "controller/gwd/log.h"

namespace xgw::gwd {

namespace asio = boost::asio;

namespace {
// RFC 3948 §2.2: IKE on port 4500 starts with four zero bytes where ESP has its SPI.
constexpr std::uint8_t kNonEspMarker[4] = {0, 0, 0, 0};

// gwd handles IKE on one thread, and a burst of answers (every tunnel starting at once, or
// AWS rekeying many) arrives while it computes Diffie-Hellman. With the default buffer
// (rmem_default, ~200 KiB: some fifty datagrams at veth's per-packet truesize) the rest were
// dropped and their exchanges timed out (bench-ike: 100 tunnels took twice as long as
// strongSwan's, whose receiver thread only queues). SO_RCVBUFFORCE passes rmem_max as root.
constexpr int kIkeReceiveBuffer = 8 << 20;

void enlarge_receive_buffer(int fd, std::uint16_t port) {
  int size = kIkeReceiveBuffer;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) == 0) return;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0)
    log_warn("UDP " + std::to_string(port) + ": cannot enlarge the receive buffer: " + std::strerror(errno));
}
}  // namespace

IkeSockets::IkeSockets(asio::io_context& io, std::uint32_t local_ip, kernel::KernelIpsec& kernel, Handler on_ike)
    : local_ip_(local_ip), on_ike_(std::move(on_ike)), sock500_(io), sock4500_(io) {
  auto addr = asio::ip::address_v4(local_ip);
  for (auto [sock, port] : {std::pair{&sock500_, std::uint16_t{500}}, std::pair{&sock4500_, std::uint16_t{4500}}}) {
    sock->open(udp::v4());
    sock->set_option(asio::socket_base::reuse_address(true));
    try {
      sock->bind(udp::endpoint(addr, port));
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("bind UDP " + addr.to_string() + ":" + std::to_string(port) + ": " + e.code().message());
    }
    kernel.BypassSocket(sock->native_handle(), AF_INET);
    enlarge_receive_buffer(sock->native_handle(), port);
  }
  int encap = UDP_ENCAP_ESPINUDP;
  if (setsockopt(sock4500_.native_handle(), IPPROTO_UDP, UDP_ENCAP, &encap, sizeof encap) != 0)
    throw std::runtime_error(std::string("setsockopt UDP_ENCAP on UDP 4500: ") + std::strerror(errno));
}

void IkeSockets::start() {
  asio::co_spawn(sock500_.get_executor(), receive_loop(sock500_, 500), asio::detached);
  asio::co_spawn(sock4500_.get_executor(), receive_loop(sock4500_, 4500), asio::detached);
}

void IkeSockets::close() {
  boost::system::error_code ec;
  sock500_.close(ec);
  sock4500_.close(ec);
}

asio::awaitable<void> IkeSockets::receive_loop(udp::socket& sock, std::uint16_t port) {
  std::vector<std::uint8_t> buf(65536);
  for (;;) {
    udp::endpoint from;
    std::size_t n;
    try {
      n = co_await sock.async_receive_from(asio::buffer(buf), from, asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) co_return;
      log_warn("receive on UDP " + std::to_string(port) + ": " + e.code().message());
      continue;
    }
    dispatch(port, from, std::span<const std::uint8_t>(buf.data(), n));
  }
}

void IkeSockets::dispatch(std::uint16_t port, const udp::endpoint& from, std::span<const std::uint8_t> data) {
  if (port == 4500) {
    if (data.size() == 1 && data[0] == 0xff) return;  // NAT keepalive
    if (data.size() < 4 || std::memcmp(data.data(), kNonEspMarker, 4) != 0) return;  // not IKE
    data = data.subspan(4);
  }
  ike::Endpoint local{local_ip_, port};
  ike::Endpoint remote{from.address().to_v4().to_uint(), from.port()};
  on_ike_(local, remote, data);
}

void IkeSockets::read_pending() {
  // Bounded: a flood must not keep the caller (a timer) from running.
  constexpr int kMaxDatagrams = 256;
  std::vector<std::uint8_t>& buf = pending_buf_;
  for (auto [sock, port] : {std::pair{&sock500_, std::uint16_t{500}}, std::pair{&sock4500_, std::uint16_t{4500}}}) {
    if (!sock->is_open()) continue;
    for (int i = 0; i < kMaxDatagrams; ++i) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(sock->native_handle(), buf.data(), buf.size(), MSG_DONTWAIT,
                             reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0 || from.sin_family != AF_INET) break;  // EAGAIN: nothing (more) queued
      udp::endpoint ep(asio::ip::address_v4(ntohl(from.sin_addr.s_addr)), ntohs(from.sin_port));
      dispatch(port, ep, std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
    }
  }
}

IkeSockets::udp::socket& IkeSockets::socket_for(std::uint16_t local_port) {
  return local_port == 4500 ? sock4500_ : sock500_;
}

void IkeSockets::send(const ike::SendDatagram& d) {
  std::vector<std::uint8_t> out;
  out.reserve(d.data.size() + 4);
  if (d.non_esp_marker) out.insert(out.end(), kNonEspMarker, kNonEspMarker + 4);
  out.insert(out.end(), d.data.begin(), d.data.end());
  udp::endpoint to(asio::ip::address_v4(d.remote.ip), d.remote.port);
  boost::system::error_code ec;
  socket_for(d.local.port).send_to(asio::buffer(out), to, 0, ec);
  if (ec) log_warn("send to " + to.address().to_string() + ":" + std::to_string(to.port()) + ": " + ec.message());
}

void IkeSockets::send_keepalive(std::uint32_t remote_ip, std::uint16_t remote_port) {
  const std::uint8_t ka = 0xff;
  boost::system::error_code ec;
  sock4500_.send_to(asio::buffer(&ka, 1), udp::endpoint(asio::ip::address_v4(remote_ip), remote_port), 0, ec);
}

}  // namespace xgw::gwd
