// NAT traversal detection (RFC 3947 §3.2): NAT-D = HASH(CKY-I | CKY-R | IP | Port). The first
// NAT-D payload describes the receiver's address as the sender sees it, the others the sender's
// own addresses. A mismatch tells which side is behind a NAT.
#include <algorithm>

#include "ike/crypto/keys.h"
#include "ike/engine_core.h"

namespace xgw::ike {

std::vector<codec::RawPayload> Engine::Core::natd_payloads(const IkeSa& sa) {
  HashAlg h = sa.choice.suite.hash;
  return {
      {PayloadType::kNatD, crypto::natd_hash(h, sa.cky_i, sa.cky_r, sa.remote.ip, sa.remote.port)},
      {PayloadType::kNatD, crypto::natd_hash(h, sa.cky_i, sa.cky_r, sa.local.ip, sa.local.port)},
  };
}

void Engine::Core::natd_check(IkeSa& sa, const std::vector<codec::RawPayload>& pl, Endpoint local, Endpoint remote) {
  std::vector<const Bytes*> natd;
  for (const auto& p : pl)
    if (p.type == PayloadType::kNatD) natd.push_back(&p.body);
  if (natd.size() < 2) return;  // peer without NAT-T support
  HashAlg h = sa.choice.suite.hash;
  Bytes me = crypto::natd_hash(h, sa.cky_i, sa.cky_r, local.ip, local.port);
  Bytes them = crypto::natd_hash(h, sa.cky_i, sa.cky_r, remote.ip, remote.port);
  sa.nat_local = *natd[0] != me;
  sa.nat_remote = std::none_of(natd.begin() + 1, natd.end(), [&](const Bytes* b) { return *b == them; });
}

// NAT-keepalive (RFC 3948 §4): only the side behind a NAT needs to keep its mapping open.
void Engine::Core::keepalive_tick(Peer& p) {
  IkeSa* sa = newest_established(p);
  if (!sa || !sa->nat_local || !p.cfg.nat_keepalive_s) return;
  SendDatagram d;
  d.peer = p.id;
  d.local = sa->local;
  d.remote = sa->remote;
  d.non_esp_marker = false;
  d.data = Bytes{0xff};
  out.emplace_back(std::move(d));
  p.keepalive_timer = arm(Millis{p.cfg.nat_keepalive_s} * 1000, TimerRef{p.id, TimerKind::kKeepalive});
}

}  // namespace xgw::ike
