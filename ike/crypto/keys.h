#pragma once
// IKEv1 key derivation (RFC 2409 §5, §5.5, App. B) and the hashes that authenticate the
// exchanges. Pure functions of their inputs so that known-answer tests can check each step.
#include <cstdint>

#include "ike/bytes.h"
#include "ike/constants.h"
#include "ike/crypto/secret.h"

namespace xgw::ike::crypto {

struct Phase1Keys {
  Secret skeyid, skeyid_d, skeyid_a, skeyid_e, enc_key;
};

// SKEYID = prf(pre-shared-key, Ni_b | Nr_b)                              (RFC 2409 §5)
// SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
// SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
// SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
// enc key  = SKEYID_e, expanded by App. B when it is shorter than the cipher key.
Phase1Keys derive_phase1_psk(HashAlg h, ByteView psk, ByteView ni_b, ByteView nr_b, ByteView g_xy,
                             ByteView cky_i, ByteView cky_r, std::size_t enc_key_len);

// RFC 2409 App. B: Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1).
Secret expand_enc_key(HashAlg h, ByteView skeyid_e, std::size_t len);

// Phase 1 IV = hash(g^xi | g^xr), truncated to the cipher block size (RFC 2409 App. B).
Bytes phase1_iv(HashAlg h, ByteView g_xi, ByteView g_xr);
// First IV of a phase 2 / Informational message ID M = hash(last phase 1 CBC block | M).
Bytes phase2_iv(HashAlg h, ByteView last_p1_block, std::uint32_t message_id);

// HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)     (RFC 2409 §5)
// HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
Bytes hash_i(HashAlg h, ByteView skeyid, ByteView g_xi, ByteView g_xr, ByteView cky_i, ByteView cky_r,
             ByteView sai_b, ByteView idii_b);
Bytes hash_r(HashAlg h, ByteView skeyid, ByteView g_xi, ByteView g_xr, ByteView cky_i, ByteView cky_r,
             ByteView sai_b, ByteView idir_b);

// Quick Mode (RFC 2409 §5.5):
// HASH(1) = prf(SKEYID_a, M-ID | payloads after HASH)
// HASH(2) = prf(SKEYID_a, M-ID | Ni_b | payloads after HASH)
// HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
Bytes qm_hash1(HashAlg h, ByteView skeyid_a, std::uint32_t mid, ByteView rest);
Bytes qm_hash2(HashAlg h, ByteView skeyid_a, std::uint32_t mid, ByteView ni_b, ByteView rest);
Bytes qm_hash3(HashAlg h, ByteView skeyid_a, std::uint32_t mid, ByteView ni_b, ByteView nr_b);
// Informational HASH(1) = prf(SKEYID_a, M-ID | N/D)                      (RFC 2409 §5.7)
Bytes info_hash(HashAlg h, ByteView skeyid_a, std::uint32_t mid, ByteView rest);

// KEYMAT = K1 | K2 | ...                                                  (RFC 2409 §5.5)
// K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
// Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
Secret keymat(HashAlg h, ByteView skeyid_d, ByteView g_qm_xy, std::uint8_t protocol, ByteView spi,
              ByteView ni_b, ByteView nr_b, std::size_t len);

// NAT-D = HASH(CKY-I | CKY-R | IP | Port)                                 (RFC 3947 §3.2)
Bytes natd_hash(HashAlg h, ByteView cky_i, ByteView cky_r, std::uint32_t ipv4, std::uint16_t port);

}  // namespace xgw::ike::crypto
