// Encryption of messages under an ISAKMP SA with the IV kept per message ID.
#include "ike/crypto/protect.h"
#include "ike/engine_core.h"

namespace xgw::ike {

Bytes Engine::Core::encrypt(IkeSa& sa, Exchange ex, std::uint32_t mid, Bytes& iv,
                            const std::vector<codec::RawPayload>& pl) {
  codec::Header h;
  h.cky_i = sa.cky_i;
  h.cky_r = sa.cky_r;
  h.exchange = ex;
  h.message_id = mid;
  Bytes chain = codec::encode_chain(pl);
  if (!sa.cipher) return {};  // no keys yet: nothing to protect with
  auto e = crypto::encrypt_message(h, pl.front().type, chain, *sa.cipher, iv);
  OPENSSL_cleanse(chain.data(), chain.size());
  if (!e) return {};
  iv = e->last_block;  // the next message of this exchange chains from here (RFC 2409 App. B)
  return std::move(e->datagram);
}

bool Engine::Core::decrypt(IkeSa& sa, ByteView data, Bytes& iv, std::vector<codec::RawPayload>& pl, Bytes& rest,
                           std::string& why) {
  if (!sa.cipher) {
    why = "no keys yet";
    return false;
  }
  auto d = crypto::decrypt_message(data, *sa.cipher, iv);
  if (!d) {
    why = d.error().reason;
    return false;
  }
  auto chain = codec::decode_chain(d->header.next, d->plaintext, true);
  if (!chain) {
    why = "decrypted payloads: " + chain.error().reason;
    return false;
  }
  pl = std::move(chain.value());
  if (pl.empty()) {  // next payload NONE in the header: nothing to authenticate (found by fuzzing)
    why = "encrypted message without payloads";
    return false;
  }
  // Bytes after the first payload up to the end of the last one (padding excluded).
  std::size_t first = kGenericPayloadHeaderLen + pl.front().body.size();
  std::size_t end = 0;
  for (const auto& p : pl) end += kGenericPayloadHeaderLen + p.body.size();
  rest.assign(d->plaintext.begin() + static_cast<long>(first), d->plaintext.begin() + static_cast<long>(end));
  // Only commit the IV once the message parsed: a forged packet must not desynchronise us.
  iv = d->last_block;
  return true;
}

}  // namespace xgw::ike
