#include "ike/crypto/keys.h"

#include "ike/crypto/hash.h"

namespace xgw::ike::crypto {

Phase1Keys derive_phase1_psk(HashAlg h, ByteView psk, ByteView ni_b, ByteView nr_b, ByteView g_xy,
                             ByteView cky_i, ByteView cky_r, std::size_t enc_key_len) {
  Phase1Keys k;
  Bytes nonces = concat({ni_b, nr_b});
  k.skeyid = Secret(prf(h, psk, nonces));
  const std::uint8_t c0 = 0, c1 = 1, c2 = 2;
  Secret in(concat({g_xy, cky_i, cky_r, ByteView(&c0, 1)}));
  k.skeyid_d = Secret(prf(h, k.skeyid, in));
  in = Secret(concat({k.skeyid_d, g_xy, cky_i, cky_r, ByteView(&c1, 1)}));
  k.skeyid_a = Secret(prf(h, k.skeyid, in));
  in = Secret(concat({k.skeyid_a, g_xy, cky_i, cky_r, ByteView(&c2, 1)}));
  k.skeyid_e = Secret(prf(h, k.skeyid, in));
  if (k.skeyid_e.size() >= enc_key_len)
    k.enc_key = Secret(k.skeyid_e.view().first(enc_key_len));
  else
    k.enc_key = expand_enc_key(h, k.skeyid_e, enc_key_len);
  return k;
}

Secret expand_enc_key(HashAlg h, ByteView skeyid_e, std::size_t len) {
  Bytes out;
  Bytes k{0};  // K1 = prf(SKEYID_e, 0): a single zero octet
  while (out.size() < len) {
    k = prf(h, skeyid_e, k);
    put_bytes(out, k);
  }
  out.resize(len);
  return Secret(std::move(out));
}

Bytes phase1_iv(HashAlg h, ByteView g_xi, ByteView g_xr) {
  Bytes iv = hash(h, concat({g_xi, g_xr}));
  iv.resize(kAesBlock);
  return iv;
}

Bytes phase2_iv(HashAlg h, ByteView last_block, std::uint32_t mid) {
  Bytes m = u32_bytes(mid);
  Bytes iv = hash(h, concat({last_block, m}));
  iv.resize(kAesBlock);
  return iv;
}

Bytes hash_i(HashAlg h, ByteView skeyid, ByteView g_xi, ByteView g_xr, ByteView cky_i, ByteView cky_r,
             ByteView sai_b, ByteView idii_b) {
  return prf(h, skeyid, concat({g_xi, g_xr, cky_i, cky_r, sai_b, idii_b}));
}

Bytes hash_r(HashAlg h, ByteView skeyid, ByteView g_xi, ByteView g_xr, ByteView cky_i, ByteView cky_r,
             ByteView sai_b, ByteView idir_b) {
  return prf(h, skeyid, concat({g_xr, g_xi, cky_r, cky_i, sai_b, idir_b}));
}

Bytes qm_hash1(HashAlg h, ByteView skeyid_a, std::uint32_t mid, ByteView rest) {
  Bytes m = u32_bytes(mid);
  return prf(h, skeyid_a, concat({m, rest}));
}

Bytes qm_hash2(HashAlg h, ByteView skeyid_a, std::uint32_t mid, ByteView ni_b, ByteView rest) {
  Bytes m = u32_bytes(mid);
  return prf(h, skeyid_a, concat({m, ni_b, rest}));
}

Bytes qm_hash3(HashAlg h, ByteView skeyid_a, std::uint32_t mid, ByteView ni_b, ByteView nr_b) {
  Bytes m = u32_bytes(mid);
  const std::uint8_t zero = 0;
  return prf(h, skeyid_a, concat({ByteView(&zero, 1), m, ni_b, nr_b}));
}

Bytes info_hash(HashAlg h, ByteView skeyid_a, std::uint32_t mid, ByteView rest) {
  return qm_hash1(h, skeyid_a, mid, rest);
}

Secret keymat(HashAlg h, ByteView skeyid_d, ByteView g_qm_xy, std::uint8_t protocol, ByteView spi,
              ByteView ni_b, ByteView nr_b, std::size_t len) {
  Secret seed(concat({g_qm_xy, ByteView(&protocol, 1), spi, ni_b, nr_b}));
  Bytes out, k;
  while (out.size() < len) {
    Secret in(concat({k, seed}));
    k = prf(h, skeyid_d, in);
    put_bytes(out, k);
  }
  out.resize(len);
  return Secret(std::move(out));
}

Bytes natd_hash(HashAlg h, ByteView cky_i, ByteView cky_r, std::uint32_t ipv4, std::uint16_t port) {
  Bytes in;
  in.reserve(cky_i.size() + cky_r.size() + 6);
  put_bytes(in, cky_i);
  put_bytes(in, cky_r);
  put_u32(in, ipv4);
  put_u16(in, port);
  return hash(h, in);
}

}  // namespace xgw::ike::crypto
