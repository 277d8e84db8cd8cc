#pragma once
// The IKEv1 engine: owns the IKE SAs per peer, message IDs, retransmissions, lifetimes and
// the child (ESP) SAs. Pure: datagrams and time in, actions out (see actions.h). It never
// reads a clock, opens a socket or talks to the kernel; the controller does that and calls
// back with what happened.
//
// Typical use by the controller:
//   ike::Engine eng(csprng);
//   auto peer = eng.add_peer(cfg);
//   eng.initiate(peer, now);
//   loop: eng.on_datagram(...) / eng.on_timer(id, now) / eng.on_esp_inbound(spi, now);
//         for (auto& a : eng.take_actions()) execute(a);
#include <memory>
#include <vector>

#include "ike/actions.h"
#include "ike/config.h"
#include "ike/random.h"

namespace xgw::ike {

struct PeerStatus {
  bool phase1_up = false;
  std::size_t ike_sas = 0;        // established ISAKMP SAs
  std::size_t half_open = 0;      // Main Modes in progress
  std::size_t child_sas = 0;      // installed ESP SA pairs
  std::uint32_t active_spi_in = 0, active_spi_out = 0;  // the pair carrying outbound traffic
  bool nat_detected = false;
};

class Engine {
 public:
  explicit Engine(Random& rng, EngineLimits limits = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  PeerId add_peer(PeerConfig cfg);
  // Brings the tunnel up as initiator (Main Mode, then Quick Mode) and keeps it up: failed
  // attempts are retried after cfg.retransmit.restart_delay_ms.
  void initiate(PeerId peer, Millis now);
  // Sends Delete for the ESP SAs and the ISAKMP SA, removes everything, stops retrying.
  void terminate(PeerId peer, Millis now);
  // A datagram received on UDP 500 or 4500 (non-ESP marker already stripped by the caller).
  void on_datagram(Endpoint local, Endpoint remote, ByteView data, Millis now);
  void on_timer(TimerId id, Millis now);
  // The first ESP packet seen on a new inbound SPI: the peer has switched, so we can switch
  // our outbound SA too (make-before-break).
  void on_esp_inbound(std::uint32_t inbound_spi, Millis now);
  // The controller's data-plane probe stopped getting answers through the peer's tunnel:
  // check the peer with DPD now, at cfg.dpd_urgent_interval_ms, instead of waiting for the
  // idle delay (RFC 3706 §5.3 leaves when to ask to the implementation). Unanswered, the
  // peer is declared dead and the tunnel is re-initiated; any authenticated message from
  // the peer ends the check.
  void on_liveness_lost(PeerId peer, Millis now);
  // The kernel reports a hard expiry (a backstop; the engine's timers normally rekey first).
  void on_sa_hard_expired(std::uint32_t inbound_spi, Millis now);

  std::vector<Action> take_actions();
  PeerStatus status(PeerId peer) const;

  struct Core;

 private:
  std::unique_ptr<Core> core_;
};

}  // namespace xgw::ike
