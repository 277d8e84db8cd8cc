#pragma once
// Engine internals shared by engine.cpp and the exchange tasks in tasks/. Not installed API.
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "ike/codec/message.h"
#include "ike/codec/payloads.h"
#include "ike/crypto/cipher.h"
#include "ike/crypto/dh.h"
#include "ike/crypto/keys.h"
#include "ike/engine.h"
#include "ike/proposal.h"

namespace xgw::ike {

using codec::Cookie;

// Retransmission state of the last request we sent in one exchange (RFC 2408 §5: the
// initiator of an exchange retransmits; the responder answers a duplicate from its cache).
struct Retx {
  Bytes last_out;        // what to resend on timeout, or to answer a duplicate
  Bytes last_in;         // the last request we answered (duplicate detection)
  TimerId timer = 0;
  int tries = 0;
  Millis interval = 0;
  Millis sent_at = 0;    // first transmission: the round-trip sample if it is answered
};

// Round-trip estimate for the retransmission timeout, after RFC 6298 §2 (SRTT, RTTVAR), with
// Karn's rule (§3: a sample only from an exchange that was never retransmitted). The time
// measured includes our own queueing: with hundreds of tunnels negotiating at once, answers
// are read seconds late, and a fixed 500 ms timer then resent every message several times
// over, doubling the work of both ends until exchanges failed and restarted (bench-ike).
struct RttEstimate {
  Millis srtt = 0, rttvar = 0;
  bool sampled = false;
  Millis backoff = 0;  // Karn: the backed-off timeout kept after an ambiguous answer
  void sample(Millis rtt);
};

struct QuickMode {
  std::uint32_t mid = 0;
  bool initiator = false;
  enum class State { kSentQM1, kSentQM2, kDone } state = State::kSentQM1;
  Phase2Choice choice;
  std::uint32_t my_spi = 0;
  Bytes ni, nr;
  std::optional<crypto::DhKey> dh;
  Bytes peer_ke;
  Bytes iv;              // CBC state for this message ID
  crypto::Secret g_qm_xy;  // PFS shared secret
  Retx retx;
  std::uint64_t rekey_of = 0;  // serial of the child SA this one replaces
  Millis done_at = 0;
  bool inbound_installed = false;  // responder: inbound SA installed when QM2 went out
};

struct ChildSa {
  std::uint64_t serial = 0;
  EspSa in, out;
  std::uint32_t lifetime_s = 0;
  bool outbound_active = false;
  bool out_installed = false;  // the outbound SA is in the kernel (it may not carry traffic yet)
  bool initiator = false;
  std::uint64_t rekey_of = 0;
  Bytes ni;  // Quick Mode initiator nonce: deterministic tie-break for simultaneous rekeys
  TimerId rekey_timer = 0, expire_timer = 0, switch_timer = 0;
  int qm3_resends = 0;  // initiator: QM3 sent again while no packet came on the new inbound SA
  bool rekeying = false;
  // When the pair was installed and when its rekey timer fires, on the controller's clock:
  // what a restored engine re-arms its timers from (persist.cpp).
  Millis installed_at = 0, rekey_at = 0;
};

struct IkeSa {
  std::uint64_t serial = 0;
  Cookie cky_i{}, cky_r{};
  bool initiator = false;
  enum class State { kI1, kI3, kI5, kR2, kR4, kEstablished, kDead } state = State::kI1;
  Endpoint local, remote;
  bool peer_natt = false, peer_dpd = false;
  bool nat_local = false, nat_remote = false;  // NAT in front of us / in front of the peer
  bool floated = false;
  Phase1Choice choice;
  Bytes sai_b;
  std::optional<crypto::DhKey> dh;
  Bytes ni, nr, g_xi, g_xr;
  crypto::Phase1Keys keys;
  std::optional<crypto::AesCbc> cipher;  // keyed with keys.enc_key once it is derived
  Bytes iv;              // Main Mode CBC state (message ID 0)
  Bytes last_p1_block;   // base of every phase 2 IV (RFC 2409 App. B)
  Retx retx;             // Main Mode
  std::map<std::uint32_t, QuickMode> qms;
  // Message IDs of Informationals and Quick Modes already processed (bounded): a replay is
  // never processed twice, so it cannot, e.g., move the peer's NAT endpoint.
  std::map<std::uint32_t, Millis> seen_info;
  TimerId rekey_timer = 0, expire_timer = 0, half_open_timer = 0;
  Millis established_at = 0;
  Millis rekey_at = 0;    // when rekey_timer fires (re-authentication or responder backstop)
  Bytes lifetime_notice;  // responder: the RESPONDER-LIFETIME Informational sent after MM6
  std::uint64_t replaces = 0;  // serial of the IKE SA this re-authentication replaces
  bool rekeyed = false;
  bool nat() const { return nat_local || nat_remote; }
  bool established() const { return state == State::kEstablished; }
};

struct Peer {
  PeerId id = 0;
  PeerConfig cfg;
  std::vector<std::unique_ptr<IkeSa>> sas;
  std::vector<ChildSa> children;
  bool want_up = false;
  std::uint64_t pending_child_rekey = 0;  // child to rekey once a new ISAKMP SA is up
  // The ISAKMP SA our re-authentication replaced: deleted once the active child pair has been
  // renewed on the new one, since a peer such as strongSwan removes the child SAs it made
  // under an ISAKMP SA together with it.
  std::uint64_t retire_ike_sa = 0;
  TimerId duplicate_timer = 0;  // looks for ISAKMP SAs a phase 1 collision left (isakmp_retire.cpp)
  bool initial_contact_sent = false;
  TimerId restart_timer = 0;
  // DPD (RFC 3706)
  std::uint32_t dpd_seq = 0;
  std::uint32_t dpd_pending = 0;
  int dpd_outstanding = 0;
  bool dpd_urgent = false;  // the controller reported the data plane dead (on_liveness_lost)
  Millis last_heard = 0;
  TimerId dpd_timer = 0;
  TimerId keepalive_timer = 0;
  RttEstimate rtt;  // answers of this peer to our requests
};

enum class TimerKind {
  kRetxMM, kRetxQM, kHalfOpen, kIkeRekey, kIkeExpire, kChildRekey, kChildExpire, kSwitchOut, kRestart, kDpd, kKeepalive,
  kDuplicateIsakmp,
};
struct TimerRef {
  PeerId peer = 0;
  TimerKind kind{};
  std::uint64_t serial = 0;  // IKE SA or child SA
  std::uint32_t mid = 0;
};

struct Engine::Core {
  Core(Random& r, EngineLimits l) : rng(r), limits(l) {}
  Random& rng;
  EngineLimits limits;
  std::map<PeerId, Peer> peers;
  std::vector<Action> out;
  std::map<TimerId, TimerRef> timers;
  TimerId next_timer = 1;
  PeerId next_peer = 1;
  std::uint64_t next_serial = 1;
  Millis now = 0;

  // --- plumbing (engine.cpp)
  TimerId arm(Millis delay, TimerRef ref);
  void cancel(TimerId& id);
  void emit(Event e) { out.emplace_back(std::move(e)); }
  void event(PeerId p, EventType t, Reason r = Reason::kNone, std::string detail = {}, std::uint32_t in = 0,
             std::uint32_t outspi = 0);
  void send(Peer& p, const IkeSa& sa, Bytes data);
  Cookie new_cookie();
  IkeSa* find_sa(Peer& p, std::uint64_t serial);
  // The ISAKMP SA an ISAKMP SPI (CKY-I | CKY-R, 16 octets) names, if any.
  IkeSa* find_sa_by_cookies(Peer& p, ByteView spi);
  ChildSa* find_child(Peer& p, std::uint64_t serial);
  IkeSa* newest_established(Peer& p);
  void remove_sa(Peer& p, std::uint64_t serial);
  void fail_sa(Peer& p, IkeSa& sa, Reason r, std::string detail);
  void schedule_restart(Peer& p);
  std::size_t half_open_total() const;
  // --- retransmission timer (retransmit.cpp)
  RttEstimate rtt;  // every peer's answers: the start for a peer that has not answered yet
  void start_retx(Peer& p, Retx& r, TimerKind kind, std::uint64_t serial, std::uint32_t mid);
  // The peer answered the request `r` retransmits: a round-trip sample (or Karn's backoff).
  void answered(Peer& p, const Retx& r);
  Millis retx_timeout(const Peer& p) const;
  Millis measured_timeout(const Peer& p) const;
  // No copy of a request was answered: nothing says the peer is slow rather than gone, so
  // the next exchange starts at the measured pace again.
  void unanswered(Peer& p);
  // The next interval after a timeout: backed off, capped at the configured maximum or the
  // peer's timeout when that is longer.
  Millis retx_backoff(const Peer& p, Millis interval) const;
  Millis fuzzed_rekey_delay(const PeerConfig& cfg, std::uint32_t lifetime_s);
  // When to renew an SA: the side that initiated it rekeys inside the margin (fuzzed); the
  // responder only as a backstop after the initiator's latest time, so the two sides do
  // not start colliding exchanges for the same SA (IKEv1 has no rule for who rekeys).
  Millis rekey_delay(const PeerConfig& cfg, std::uint32_t lifetime_s, bool we_initiated);
  void heard_from(Peer& p) {
    p.last_heard = now;
    p.dpd_outstanding = 0;
    p.dpd_urgent = false;
  }

  // --- protected messages (tasks/protect_sa.cpp)
  Bytes encrypt(IkeSa& sa, Exchange ex, std::uint32_t mid, Bytes& iv, const std::vector<codec::RawPayload>& pl);
  // Decrypts into a payload chain; `rest` receives the bytes after the first payload (for the
  // HASH of Quick Mode and Informational, RFC 2409 §5.5/§5.7).
  bool decrypt(IkeSa& sa, ByteView data, Bytes& iv, std::vector<codec::RawPayload>& pl, Bytes& rest, std::string& why);

  // --- Main Mode (tasks/main_mode.cpp)
  void mm_start(Peer& p, std::uint64_t replaces);
  void mm_on_message(Peer& p, IkeSa* sa, const codec::Header& h, Endpoint local, Endpoint remote, ByteView data);
  void mm_respond_mm1(Peer& p, const codec::Header& h, Endpoint local, Endpoint remote, ByteView data);
  void mm_established(Peer& p, IkeSa& sa);

  // --- retiring ISAKMP SAs (tasks/isakmp_retire.cpp)
  // Deletes ISAKMP SA `old` once the active pair runs on a pair renewed under `on`.
  void retire_after_renewal(Peer& p, IkeSa& on, std::uint64_t old);
  void retire_replaced_ike_sa(Peer& p);
  // After a phase 1 collision: arms the look for duplicates / acts on it when it fires.
  void watch_duplicate_isakmp(Peer& p);
  void retire_duplicate_isakmp(Peer& p);
  // The newest established ISAKMP SA re-authenticates when due, even if its rekey time passed
  // while a newer one (gone now) was the newest.
  void resume_reauth_schedule(Peer& p);

  // --- NAT-T (tasks/natd.cpp)
  std::vector<codec::RawPayload> natd_payloads(const IkeSa& sa);
  void natd_check(IkeSa& sa, const std::vector<codec::RawPayload>& pl, Endpoint local, Endpoint remote);
  // After an authenticated message under `sa` from `remote` (received on `local`).
  void authenticated_from(Peer& p, IkeSa& sa, Endpoint local, Endpoint remote);
  void follow_nat_mapping(Peer& p, IkeSa& sa, Endpoint remote);

  // --- Quick Mode (tasks/quick_mode.cpp)
  void qm_start(Peer& p, IkeSa& sa, std::uint64_t rekey_of);
  // The ESP SA of one direction of a Quick Mode, keys derived per RFC 2409 §5.5.
  EspSa qm_esp_sa(Peer& p, IkeSa& sa, QuickMode& qm, bool inbound);
  // A responder Quick Mode that ends without QM3 removes the inbound SA it installed early.
  void drop_early_inbound(const Peer& p, const IkeSa& sa, QuickMode& qm);
  void qm_on_message(Peer& p, IkeSa& sa, const codec::Header& h, Endpoint local, Endpoint remote, ByteView data);
  void qm_install(Peer& p, IkeSa& sa, QuickMode& qm);
  void child_rekey_due(Peer& p, ChildSa& c);
  // A rekey of pair `serial` got no answer or an error: tried again after the restart delay
  // while the pair lives.
  void rekey_failed(Peer& p, std::uint64_t serial);
  // One of our Quick Modes for a first pair or a rekey is waiting for its answer.
  bool quick_mode_under_way(const Peer& p) const;
  void child_switch_outbound(Peer& p, ChildSa& c);
  // The switch delay ran out with nothing received on the new inbound SA (quick_mode.cpp).
  void child_switch_due(Peer& p, ChildSa& c);
  void child_remove(Peer& p, std::uint64_t serial, bool send_delete, bool peer_deleted);
  void resolve_siblings(Peer& p, std::uint64_t serial);
  ChildSa* active_child(Peer& p);

  // --- Informational, Delete, DPD (tasks/informational.cpp)
  Bytes info_send(Peer& p, IkeSa& sa, codec::RawPayload payload);  // returns the datagram sent
  void info_on_message(Peer& p, IkeSa& sa, const codec::Header& h, Endpoint local, Endpoint remote, ByteView data);
  void remember_message_id(IkeSa& sa, std::uint32_t mid);
  void send_delete_isakmp(Peer& p, IkeSa& sa);
  void send_delete_esp(Peer& p, const ChildSa& c);
  void dpd_tick(Peer& p);
  void keepalive_tick(Peer& p);
  void peer_dead(Peer& p, Reason r, std::string detail);

  // --- RESPONDER-LIFETIME, phase 1 and 2 (tasks/responder_lifetime.cpp)
  static codec::RawPayload responder_lifetime(ProtocolId proto, Bytes spi, std::uint32_t seconds);
  static std::optional<std::uint32_t> responder_lifetime_seconds(const codec::NotifyPayload& n);
  void p1_send_responder_lifetime(Peer& p, IkeSa& sa);
  void p1_shorten_lifetime(Peer& p, IkeSa& sa, std::uint32_t seconds);
};

}  // namespace xgw::ike
