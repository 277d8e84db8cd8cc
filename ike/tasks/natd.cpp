// NAT traversal detection (RFC 3947 §3.2): NAT-D = HASH(CKY-I | CKY-R | IP | Port). The first
// NAT-D payload describes the receiver's address as the sender sees it, the others the sender's
// own addresses. A mismatch tells which side is behind a NAT. Then: following a changed NAT
// mapping (RFC 3947 §7) and NAT-keepalives (RFC 3948 §4).
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

void Engine::Core::authenticated_from(Peer& p, IkeSa& sa, Endpoint local, Endpoint remote) {
  heard_from(p);
  if (local.port == kNatTPort) follow_nat_mapping(p, sa, remote);  // UDP-encapsulated IKE only
}

// RFC 3947 §7: a NAT may drop or renew a mapping (a NAT reboot, an idle timeout), so the peer
// reappears from another port or address. The end that is not behind a NAT follows the last
// valid UDP-encapsulated IKE packet; the end behind a NAT MUST NOT, which would open a DoS. Only
// authenticated messages count: never a keepalive or anything unauthenticated. The new endpoint
// is used for every floated ISAKMP SA of the peer and for the installed ESP SAs
// (UpdateSaEncap).
void Engine::Core::follow_nat_mapping(Peer& p, IkeSa& sa, Endpoint remote) {
  if (!sa.floated || !sa.nat_remote || sa.nat_local) return;
  UpdateSaEncap u{p.id, sa.remote, remote, {}};
  for (auto& s : p.sas)
    if (s->floated) s->remote = remote;
  for (auto& c : p.children) {
    if (c.in.mode != EspMode::kUdpEncapTunnel) continue;
    if (c.in.src == remote.ip && c.in.encap_sport == remote.port && c.out.dst == remote.ip &&
        c.out.encap_dport == remote.port)
      continue;
    // The ESP SAs may still use a mapping older than this ISAKMP SA's (a re-authentication from
    // a new port): report what they used.
    if (u.sas.empty()) u.old_remote = {c.out.dst, c.out.encap_dport};
    c.in.src = c.out.dst = remote.ip;
    c.in.encap_sport = c.out.encap_dport = remote.port;
    u.sas.push_back(c.in);
    u.sas.push_back(c.out);
  }
  if (u.old_remote != remote || !u.sas.empty()) out.emplace_back(std::move(u));
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
