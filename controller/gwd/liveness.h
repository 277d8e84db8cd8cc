#pragma once
// Data-plane liveness of a tunnel: ICMP echo through the tunnel's XFRM interface to the
// VGW's inside address (169.254.x.1) every interval. `misses` unanswered probes in a row
// declare the tunnel dead long before DPD (AWS: 10 s x 3) would; one answer revives it.
// Utility of the probe: a silent death (the endpoint vanishes, its SAs carry nothing) is
// noticed in about misses x interval.
// The probe runs only while the tunnel has a phase 2 SA pair: without one the kernel refuses
// each send only after a policy and state lookup, a larval SA and an ICMP error, and with
// 200 tunnels negotiating at once that work (4 sends a second per tunnel) took most of gwd's
// time under emulation (perf in bench-ike).
#include <utility>  // before Boost 1.74 asio (see gateway.h)

#include <boost/asio.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace xgw::gwd {

class LivenessProbe {
 public:
  using OnChange = std::function<void(bool alive)>;
  struct Params {
    std::string ifname;
    std::uint32_t src = 0, dst = 0;  // host order: our inside address, the VGW's
    std::uint16_t ident = 0;         // ICMP identifier, unique per tunnel
    std::uint32_t interval_ms = 250;
    std::uint32_t misses = 4;
  };

  LivenessProbe(boost::asio::io_context& io, Params p, OnChange on_change);
  ~LivenessProbe();
  // Opens the socket; probing starts with resume().
  void start();
  void stop();
  // A new SA pair was installed: probe (again), starting from "alive". After a tunnel came up (fresh),
  // misses count only once the peer has answered: a busy peer installs its side of a new
  // pair seconds after us (IKEv1's responder on QM3), and declaring such a tunnel dead sent
  // an urgent DPD that a busy peer cannot answer either (bench-ike: tunnels torn down as
  // fast as they came up). A rekey (not fresh) keeps the probe armed.
  void resume(bool fresh);
  // The tunnel lost its SAs: no probes until the next resume().
  void pause();
  bool probing() const { return ticking_; }
  bool alive() const { return alive_; }
  double last_rtt_ms() const { return last_rtt_ms_; }
  std::uint64_t sent() const { return sent_; }
  std::uint64_t received() const { return received_; }

 private:
  void tick();
  void receive();
  void read_pending();  // replies already queued, without waiting
  void handle_datagram(const std::uint8_t* b, std::size_t n);
  void forget_misses();
  void on_reply(std::uint16_t seq);

  Params p_;
  OnChange on_change_;
  boost::asio::ip::icmp::socket sock_;
  boost::asio::steady_timer timer_;
  std::uint16_t seq_ = 0;
  std::uint32_t missed_ = 0;
  bool outstanding_ = false;
  bool alive_ = true;
  bool armed_ = false;  // answered since the tunnel came up: misses count
  bool running_ = false;  // socket open
  bool ticking_ = false;  // probes being sent
  std::uint64_t run_ = 0;  // which resume() the pending tick belongs to
  std::chrono::steady_clock::time_point sent_at_;
  double last_rtt_ms_ = 0;
  std::uint64_t sent_ = 0, received_ = 0;
  std::array<std::uint8_t, 1500> buf_{};          // the async receive's
  std::array<std::uint8_t, 1500> pending_buf_{};  // read_pending's
};

}  // namespace xgw::gwd
