// Links xgw_ike alone (plus OpenSSL, its only library dependency; nlohmann-json is
// header-only) to prove the library pulls in no sockets, netlink or Asio. Runs one derivation so the objects are really linked.
#include "ike/crypto/keys.h"

int main() {
  xgw::ike::Bytes x{1, 2, 3};
  return xgw::ike::crypto::phase1_iv(xgw::ike::HashAlg::kSha1, x, x).size() == 16 ? 0 : 1;
}
