#pragma once
// Per-peer configuration given to the engine by the controller.
#include <cstdint>
#include <string>
#include <vector>

#include "ike/bytes.h"
#include "ike/constants.h"

namespace xgw::ike {

using PeerId = std::uint32_t;
using Millis = std::uint64_t;  // monotonic milliseconds; the controller owns the clock

struct Endpoint {
  std::uint32_t ip = 0;  // IPv4, host byte order
  std::uint16_t port = kIkePort;
  bool operator==(const Endpoint&) const = default;
};

// Phase 1 suite: AES-CBC (the only cipher AWS offers) with a key length, the hash that is also
// the PRF (RFC 2409 §5), and a DH group.
struct IkeSuite {
  std::uint16_t key_bits = 128;
  HashAlg hash = HashAlg::kSha1;
  std::uint16_t group = 2;
  bool operator==(const IkeSuite&) const = default;
};

// Phase 2 ESP suite. transform: kEspAesCbc or kEspAesGcm8/12/16 (RFC 4106: no separate
// integrity algorithm). pfs_group 0 means no PFS.
struct EspSuite {
  std::uint8_t transform = kEspAesCbc;
  std::uint16_t key_bits = 128;
  EspAuth auth = EspAuth::kHmacSha1;
  std::uint16_t pfs_group = 2;
  bool operator==(const EspSuite&) const = default;
};

struct Subnet {
  std::uint32_t addr = 0;
  std::uint32_t mask = 0;  // 0.0.0.0/0.0.0.0 for AWS route-based tunnels
};

struct RetransmitPolicy {
  Millis initial_ms = 2000;
  double backoff = 2.0;
  Millis max_interval_ms = 30000;
  int tries = 5;                // retransmissions before the exchange is declared failed
  Millis restart_delay_ms = 5000;  // an initiator keeps trying: restart Main Mode after a failure
};

struct PeerConfig {
  std::string name;
  std::uint32_t local_ip = 0;
  std::uint32_t remote_ip = 0;
  Bytes psk;
  // Phase 1 identities (ID_IPV4_ADDR); 0 = the address. Behind a NAT our ID is usually the
  // public address AWS knows as the customer gateway IP.
  std::uint32_t local_id = 0;
  std::uint32_t remote_id = 0;
  // Lists in the order we offer them; see proposal.h for how this meets AWS's rule.
  std::vector<IkeSuite> ike_suites{IkeSuite{}};
  std::vector<EspSuite> esp_suites{EspSuite{}};
  // RFC 5114 DH groups 22-24 (phase 1 and PFS) are neither offered nor accepted without this
  // explicit opt-in: suites naming them are left out, and a peer's offer of them is treated as
  // any unsupported proposal.
  bool allow_rfc5114_groups = false;
  std::uint32_t ike_lifetime_s = 28800;
  std::uint32_t esp_lifetime_s = 3600;
  std::uint32_t rekey_margin_s = 270;   // AWS default margin
  std::uint32_t rekey_fuzz_pct = 100;   // AWS default fuzz: margin + up to 100 % of it
  Subnet local_ts, remote_ts;
  std::uint32_t dpd_delay_s = 10;       // 0 disables sending R-U-THERE (we always answer)
  std::uint32_t dpd_retries = 3;
  // R-U-THERE interval once the controller reports the data plane dead (on_liveness_lost):
  // RFC 3706 §5.5 leaves retransmission timing to the implementation.
  Millis dpd_urgent_interval_ms = 1000;
  bool nat_t = true;
  std::uint32_t nat_keepalive_s = 20;  // behind a NAT: 1-byte 0xFF on UDP 4500 (RFC 3948 §4); 0 = off
  bool initial_contact = true;
  std::uint32_t replay_window = 1024;
  Millis outbound_switch_delay_ms = 1000;  // make-before-break on the QM initiator
  RetransmitPolicy retransmit;
  bool emit_keys = false;  // opt-in KeysEstablished events (operator keylog)
};

struct EngineLimits {
  std::size_t max_half_open = 1024;          // total responder Main Modes not yet authenticated
  std::size_t max_half_open_per_peer = 16;   // per source address
  Millis half_open_timeout_ms = 30000;
};

}  // namespace xgw::ike
