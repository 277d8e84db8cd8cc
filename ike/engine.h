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
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

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
  // For operators (stats, metrics), on the controller's clock; 0 when there is no such SA.
  Millis ike_established_at = 0, ike_rekey_at = 0;      // the newest established ISAKMP SA
  Millis child_installed_at = 0, child_rekey_at = 0;    // the active pair
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

  // --- Carrying on across a controller restart (persist.cpp) and changing peers in place
  // (peer_admin.cpp).

  // Snapshot of a peer's established state: its established ISAKMP SAs (cookies, role,
  // endpoints, NAT-T state, negotiated suite, SKEYID_d/_a/_e, phase 2 IV base, lifetime,
  // established and rekey times) and its installed child SA pairs (SPIs, suites, ESP keys,
  // lifetimes, install and rekey times, which pair carries outbound traffic), the DPD sequence
  // and want_up, with "version": 1. Exchanges in progress are not included (a restored peer
  // restarts them). Contains key material: store it with mode 0600 (the JSON's strings are
  // not wiped when freed, unlike crypto::Secret). Times are on the controller's clock, which
  // must continue across restarts (gwd: CLOCK_MONOTONIC, system wide). null for an unknown
  // peer. Take one after restore() too: it changes the DPD sequence and may change SAs.
  nlohmann::json snapshot(PeerId peer) const;

  // Restores a snapshot into a peer just added with the same addresses and identities (no
  // exchange started yet). `kernel_has(spi_in, spi_out)` says whether the kernel still holds a
  // child pair (spi_out is 0 for a pair whose outbound SA was not installed yet); pairs it
  // lacks are dropped and a Delete for them goes to the peer under the restored ISAKMP SA.
  // Re-arms the rekey/expiry timers from the stored times (an SA past its rekey time rekeys at
  // once; one past its hard lifetime is dropped), the DPD and NAT keepalive timers; emits
  // Phase1Up and Phase2Up (detail "restored") but no InstallSaPair (the kernel kept the SAs).
  // If no usable child pair remains but an ISAKMP SA does, starts a Quick Mode on it; if
  // nothing usable remains, behaves like initiate() (both only when the snapshot's want_up is
  // set, as for every peer the controller initiated). The DPD sequence continues 0x10000 ahead
  // (persist.cpp says why). Returns a one-line error (which field, what was wrong) for a
  // malformed snapshot or one for other addresses/identities than the peer's config; nothing
  // is changed then.
  std::optional<std::string> restore(PeerId peer, const nlohmann::json& snap, Millis now,
                                     const std::function<bool(std::uint32_t, std::uint32_t)>& kernel_has);

  // Removes a peer completely (terminate(), then forget it); its PeerId is never reused, and
  // datagrams from its address are then dropped like those of any unknown peer.
  void remove_peer(PeerId peer, Millis now);

  // Applies changed liveness settings in place to a running peer without touching its SAs and
  // re-arms its DPD timer (from when the peer was last heard). The short form keeps the
  // peer's dpd_urgent_interval_ms and nat_keepalive_s.
  void update_liveness(PeerId peer, std::uint32_t dpd_delay_s, std::uint32_t dpd_retries);
  void update_liveness(PeerId peer, std::uint32_t dpd_delay_s, std::uint32_t dpd_retries,
                       Millis dpd_urgent_interval_ms, std::uint32_t nat_keepalive_s);

  std::vector<Action> take_actions();
  PeerStatus status(PeerId peer) const;

  struct Core;

 private:
  std::unique_ptr<Core> core_;
};

}  // namespace xgw::ike
