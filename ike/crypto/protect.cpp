#include "ike/crypto/protect.h"

#include <openssl/crypto.h>

#include "ike/constants.h"
#include "ike/crypto/cipher.h"

namespace xgw::ike::crypto {

Result<Encrypted> encrypt_message(codec::Header h, PayloadType first, ByteView chain, AesCbc& cipher, ByteView iv) {
  Bytes plain(chain.begin(), chain.end());
  std::size_t pad = kAesBlock - plain.size() % kAesBlock;
  plain.resize(plain.size() + pad, 0);
  auto ct = cipher.encrypt(iv, plain);
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!ct) return ct.error();
  h.next = first;
  h.flags |= kFlagEncryption;
  h.length = static_cast<std::uint32_t>(kHeaderLen + ct->size());
  Encrypted e;
  e.datagram.reserve(h.length);
  codec::encode_header(h, e.datagram);
  put_bytes(e.datagram, *ct);
  e.last_block.assign(ct->end() - kAesBlock, ct->end());
  return e;
}

Result<Decrypted> decrypt_message(ByteView datagram, AesCbc& cipher, ByteView iv) {
  auto h = codec::decode_header(datagram);
  if (!h) return h.error();
  if (!(h->flags & kFlagEncryption)) return fail("message is not encrypted");
  ByteView ct = datagram.subspan(kHeaderLen);
  if (ct.empty() || ct.size() % kAesBlock != 0) return fail("encrypted body is not a whole number of blocks");
  auto pt = cipher.decrypt(iv, ct);
  if (!pt) return pt.error();
  Decrypted d;
  d.header = *h;
  d.plaintext = std::move(pt.value());
  d.last_block.assign(ct.end() - kAesBlock, ct.end());
  return d;
}

Result<Encrypted> encrypt_message(codec::Header h, PayloadType first, ByteView chain, ByteView key, ByteView iv) {
  auto c = AesCbc::make(key);
  if (!c) return c.error();
  return encrypt_message(h, first, chain, *c, iv);
}

Result<Decrypted> decrypt_message(ByteView datagram, ByteView key, ByteView iv) {
  auto c = AesCbc::make(key);
  if (!c) return c.error();
  return decrypt_message(datagram, *c, iv);
}

}  // namespace xgw::ike::crypto
