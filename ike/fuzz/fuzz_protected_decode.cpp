// libFuzzer target: decrypt + decode of Quick Mode and Informational messages with a known
// key, the path an authenticated peer (or anyone holding a stolen cookie pair) reaches.
// The input is the plaintext payload chain; it is encrypted under the aws-default fixture's
// keys, then decrypted, decoded and its HASH verified as the engine does, and finally fed to
// an engine that holds an established ISAKMP SA with those cookies.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "ike/codec/message.h"
#include "ike/codec/payloads.h"
#include "ike/crypto/keys.h"
#include "ike/crypto/protect.h"
#include "ike/engine.h"

using namespace xgw::ike;

namespace {

// aws-default fixture (../shared/fixtures/ike/aws-default/keys.json).
const Bytes kEncKey = from_hex("010d77af1e9e51fcc4d5b2151596bbc0");
const Bytes kSkeyidA = from_hex("947e30c85f6dc8f266e2f211bffca7b56dba912e");
const Bytes kLastBlock = from_hex("0cb9c46d8e955954df5669180a1aeed0");
const Bytes kCkyI = from_hex("acbcf9347ad1ba6c");
const Bytes kCkyR = from_hex("69f995f6d02036d7");

// An engine pair with an established tunnel, made once; its keys come from the keylog event.
struct Live {
  DeterministicRandom ra{1}, rb{2};
  Engine a{ra}, b{rb};
  PeerId pa = 0, pb = 0;
  Bytes cky_i, cky_r, enc_key;
  Live() {
    PeerConfig ca, cb;
    ca.local_ip = cb.remote_ip = 0xc633640a;
    ca.remote_ip = cb.local_ip = 0xcb007115;
    ca.psk = cb.psk = Bytes{'k', 'e', 'y'};
    cb.emit_keys = true;
    pa = a.add_peer(ca);
    pb = b.add_peer(cb);
    a.initiate(pa, 0);
    for (int round = 0; round < 20; ++round) {
      for (auto [from, to] : {std::pair{&a, &b}, std::pair{&b, &a}})
        for (auto& act : from->take_actions()) {
          if (auto* d = std::get_if<SendDatagram>(&act)) to->on_datagram(d->remote, d->local, d->data, 0);
          if (auto* e = std::get_if<Event>(&act); e && e->keys && enc_key.empty()) {
            cky_i = e->keys->cky_i;
            cky_r = e->keys->cky_r;
            enc_key = e->keys->enc_key;
          }
        }
    }
    if (enc_key.empty()) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Live live;
  if (size < 6) return 0;
  Exchange ex = data[0] & 1 ? Exchange::kQuickMode : Exchange::kInformational;
  std::uint32_t mid = get_u32(data + 1) | 1;
  PayloadType first = static_cast<PayloadType>(data[5]);
  ByteView chain(data + 6, size - 6);
  if (chain.empty()) return 0;

  codec::Header h;
  std::copy(kCkyI.begin(), kCkyI.end(), h.cky_i.begin());
  std::copy(kCkyR.begin(), kCkyR.end(), h.cky_r.begin());
  h.exchange = ex;
  h.message_id = mid;
  Bytes iv = crypto::phase2_iv(HashAlg::kSha1, kLastBlock, mid);
  auto enc = crypto::encrypt_message(h, first, chain, kEncKey, iv);
  if (!enc) return 0;
  auto dec = crypto::decrypt_message(enc->datagram, kEncKey, iv);
  if (!dec) std::abort();  // we just made it
  if (auto pl = codec::decode_chain(dec->header.next, dec->plaintext, true); pl && !pl->empty()) {
    std::size_t firstlen = 4 + pl->front().body.size(), end = 0;
    for (const auto& p : *pl) end += 4 + p.body.size();
    ByteView rest(dec->plaintext.data() + firstlen, end - firstlen);
    (void)crypto::info_hash(HashAlg::kSha1, kSkeyidA, mid, rest);
    for (const auto& p : *pl) {
      if (p.type == PayloadType::kSa) (void)codec::decode_sa(p.body);
      if (p.type == PayloadType::kNotify) (void)codec::decode_notify(p.body);
      if (p.type == PayloadType::kDelete) (void)codec::decode_delete(p.body);
      if (p.type == PayloadType::kId) (void)codec::decode_id(p.body);
      if (p.type == PayloadType::kNatOa) (void)codec::decode_nat_oa(p.body);
    }
  }

  // The same plaintext under the live engine's keys, into its Quick Mode / Informational path.
  std::copy(live.cky_i.begin(), live.cky_i.end(), h.cky_i.begin());
  std::copy(live.cky_r.begin(), live.cky_r.end(), h.cky_r.begin());
  // Without the engine's SKEYID_a the HASH check stops forged input; the IV below is wrong on
  // purpose half of the time to exercise the garbage path after decryption.
  auto e2 = crypto::encrypt_message(h, first, chain, live.enc_key, Bytes(16, data[0]));
  if (e2) live.b.on_datagram({0xcb007115, 500}, {0xc633640a, 500}, e2->datagram, 1);
  std::size_t sent = 0;
  for (auto& a : live.b.take_actions()) sent += std::holds_alternative<SendDatagram>(a);
  if (sent > 1) std::abort();  // never more than one packet in answer to anything
  return 0;
}
