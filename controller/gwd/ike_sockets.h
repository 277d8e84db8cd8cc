#pragma once
// The IKE sockets: UDP 500 and UDP 4500 on the gateway's local address.
//
// UDP 4500 carries IKE behind the 4-byte zero non-ESP marker, ESP-in-UDP and NAT keepalives
// (RFC 3948). With UDP_ENCAP_ESPINUDP set on the socket the kernel decapsulates ESP itself
// and hands us the rest: we strip the marker on receive and add it on send. Both sockets get
// per-socket bypass policies so IKE (and DPD) are never encrypted by a 0/0 policy.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ike/actions.h"
#include "kernel_ipsec.h"

namespace xgw::gwd {

class IkeSockets {
 public:
  using Handler = std::function<void(ike::Endpoint local, ike::Endpoint remote, std::span<const std::uint8_t>)>;

  IkeSockets(boost::asio::io_context& io, std::uint32_t local_ip, kernel::KernelIpsec& kernel, Handler on_ike);
  void start();
  // Hands every datagram already queued on the sockets to the handler, without waiting.
  // Before acting on a timeout: on a busy loop an answer can sit in the receive buffer while
  // the retransmission or DPD timer fires, and the peer would be asked again or declared
  // dead although it answered (bench-ike, 200 tunnels: DPD-dead with the ACKs unread).
  void read_pending();
  void send(const ike::SendDatagram& d);
  // RFC 3948 §4: a one-byte 0xFF datagram keeps a NAT mapping alive.
  void send_keepalive(std::uint32_t remote_ip, std::uint16_t remote_port);
  void close();

 private:
  using udp = boost::asio::ip::udp;
  boost::asio::awaitable<void> receive_loop(udp::socket& sock, std::uint16_t port);
  void dispatch(std::uint16_t port, const udp::endpoint& from, std::span<const std::uint8_t> data);
  udp::socket& socket_for(std::uint16_t local_port);

  std::uint32_t local_ip_;
  Handler on_ike_;
  udp::socket sock500_, sock4500_;
  std::vector<std::uint8_t> pending_buf_ = std::vector<std::uint8_t>(65536);  // read_pending's, allocated once
};

}  // namespace xgw::gwd
