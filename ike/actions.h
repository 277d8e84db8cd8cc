#pragma once
// Everything the engine asks of the outside world, as plain structs. The controller executes
// them: it sends datagrams, programs the kernel (XFRM), arms timers and reports events.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ike/bytes.h"
#include "ike/config.h"

namespace xgw::ike {

struct SendDatagram {
  PeerId peer = 0;
  Endpoint local, remote;
  // Port 4500 after the NAT-T float: the caller prepends the 4-byte zero non-ESP marker
  // (RFC 3948 §2.2). `data` is the ISAKMP message without it. A NAT-keepalive is the single
  // byte 0xFF and goes without the marker (RFC 3948 §2.3).
  bool non_esp_marker = false;
  Bytes data;
};

enum class EspMode : std::uint8_t { kTunnel, kUdpEncapTunnel };

// One direction of an ESP SA with everything XFRM needs.
struct EspSa {
  std::uint32_t spi = 0;
  std::uint32_t src = 0, dst = 0;  // outer addresses (IPv4, host order)
  std::uint8_t transform = kEspAesCbc;  // 12 = AES-CBC, 18/19/20 = AES-GCM 8/12/16 (RFC 4106)
  Bytes enc_key;                   // for GCM: AES key followed by the 4-byte salt
  EspAuth integ = EspAuth::kNone;  // none for GCM
  Bytes integ_key;
  std::uint16_t icv_bits = 0;      // truncation (RFC 4868: SHA2-256 128, -384 192, -512 256; SHA1 96) or GCM ICV
  EspMode mode = EspMode::kTunnel;
  std::uint16_t encap_sport = 0, encap_dport = 0;  // UDP-encap ports (RFC 3948)
  std::uint64_t soft_lifetime_s = 0, hard_lifetime_s = 0;
  std::uint32_t replay_window = 0;
  Subnet src_ts, dst_ts;
};

// Installs inbound (always at once) and outbound. With outbound_now false (make-before-break
// on the Quick Mode initiator during a rekey) only inbound is installed; SwitchOutbound follows.
struct InstallSaPair {
  PeerId peer = 0;
  EspSa inbound, outbound;
  bool outbound_now = true;
  std::uint32_t replaces_outbound_spi = 0;  // 0 for the first pair
};
struct SwitchOutbound {
  PeerId peer = 0;
  EspSa outbound;
  std::uint32_t replaces_outbound_spi = 0;
};
struct DeleteSaPair {
  PeerId peer = 0;
  std::uint32_t inbound_spi = 0, outbound_spi = 0;  // 0: that direction is not installed
  // Outer addresses: src is ours (the inbound SA's destination), dst the peer's (the
  // outbound SA's destination). The kernel finds an SA by destination and SPI.
  std::uint32_t src = 0, dst = 0;
};

// The peer's NAT mapping changed (RFC 3947 §7): after the NAT-T float, an authenticated IKE
// message arrived from a new address or port of a peer behind a NAT (we are not behind one).
// The engine already sends IKE to `remote`; `sas` are the peer's installed UDP-encapsulated
// ESP SAs, both directions, carrying the new outer address and encapsulation port
// (inbound: src / encap_sport, outbound: dst / encap_dport) for the controller to re-program.
// Empty when no ESP SA was installed yet.
struct UpdateSaEncap {
  PeerId peer = 0;
  Endpoint old_remote, remote;
  std::vector<EspSa> sas;
};

using TimerId = std::uint64_t;
struct ArmTimer {
  TimerId id = 0;
  Millis at = 0;  // absolute, on the controller's monotonic clock
};
struct CancelTimer {
  TimerId id = 0;
};

// Machine-readable failure reasons: what was last sent and what was (not) received.
enum class Reason : std::uint8_t {
  kNone,
  kNoReplyMM1, kNoReplyMM3, kNoValidReplyMM5,   // initiator: no (valid) answer after retries
  kNoReplyQM1, kNoReplyQM2,                     // QM initiator / QM responder waiting for QM3
  kNotifyNoProposalChosen, kNotifyAuthenticationFailed, kNotifyPayloadMalformed,
  kNotifyInvalidIdInformation, kNotifyOther,    // peer sent an error notify
  kAuthFailedHashMismatch,                      // HASH_I/HASH_R did not verify (PSK mismatch)
  kProposalMismatchMM1, kProposalMismatchQM1,   // we (responder) found nothing acceptable
  kInvalidKe, kInvalidId, kMalformed,
  kHalfOpenLimit, kDpdDead, kPeerDelete, kExpired, kLocalTerminate,
};
std::string to_string(Reason r);

enum class EventType : std::uint8_t {
  kPhase1Up, kPhase1Down, kPhase2Up, kPhase2Down, kDpdDead, kPeerDelete, kFailure, kKeysEstablished,
  kPhase1Duplicate,  // a phase 1 collision left two ISAKMP SAs: detail says which one goes
};
std::string to_string(EventType t);

struct KeysEstablished {
  // For an operator's keylog (e.g. Wireshark's IKEv1 decryption table and ESP SA table).
  Bytes cky_i, cky_r, enc_key;
  std::uint32_t esp_spi_in = 0, esp_spi_out = 0;
  Bytes esp_in_enc, esp_in_integ, esp_out_enc, esp_out_integ;
  // ESP pairs only: what a decryption table needs besides the keys. Both directions share
  // the algorithms; the outer addresses are those of the negotiation (inbound runs
  // remote -> local). The key length is the key's: for GCM, AES key and 4-byte salt.
  std::uint8_t esp_transform = 0;  // kEspAesCbc or kEspAesGcm8/12/16
  EspAuth esp_integ = EspAuth::kNone;
  std::uint32_t local_ip = 0, remote_ip = 0;  // IPv4, host order
};

struct Event {
  Event() = default;
  Event(EventType t, PeerId p, Reason r = Reason::kNone, std::string d = {})
      : type(t), peer(p), reason(r), detail(std::move(d)) {}
  EventType type = EventType::kFailure;
  PeerId peer = 0;
  Reason reason = Reason::kNone;
  std::string detail;
  std::uint32_t spi_in = 0, spi_out = 0;  // phase 2 events and ESP Deletes
  std::optional<KeysEstablished> keys;
};

using Action =
    std::variant<SendDatagram, InstallSaPair, SwitchOutbound, DeleteSaPair, UpdateSaEncap, ArmTimer, CancelTimer, Event>;

}  // namespace xgw::ike
