// NAT traversal beyond detection and the float: NAT-OA payloads in Quick Mode (RFC 3947 §5.2)
// and following a NAT mapping that changed after Main Mode (RFC 3947 §7).
#include <gtest/gtest.h>

#include "ike/tests/exchange_harness.h"
#include "ike/tests/scripted_initiator.h"

namespace xgw::ike::test {
namespace {

std::size_t count_events(const std::vector<Action>& acts, EventType t) {
  std::size_t n = 0;
  for (const auto& a : acts)
    if (auto* e = std::get_if<Event>(&a); e && e->type == t) ++n;
  return n;
}

// NAT-OA payloads carry the original addresses for transport mode (RFC 3947 §5.2); in tunnel
// mode we need nothing from them, but a peer may still send them: the Quick Mode is accepted.
TEST(NatOa, QuickModeWithNatOaPayloadsIsAccepted) {
  DeterministicRandom rng(2);
  Engine responder(rng);
  responder.add_peer(default_config(false));
  ScriptedInitiator cgw(responder, default_config(true), 11);
  ASSERT_TRUE(cgw.main_mode());
  std::vector<codec::RawPayload> oa{{PayloadType::kNatOa, codec::encode_nat_oa({kIdIpv4Addr, kCgwPrivateIp})},
                                    {PayloadType::kNatOa, codec::encode_nat_oa({kIdIpv4Addr, kAwsIp})}};
  ASSERT_TRUE(cgw.quick_mode(oa)) << "QM1 with NAT-OA got no valid QM2";
  for (auto& a : responder.take_actions()) cgw.actions.push_back(std::move(a));
  EXPECT_EQ(count_events(cgw.actions, EventType::kPhase2Up), 1u);
  EXPECT_EQ(count_events(cgw.actions, EventType::kFailure), 0u);
  bool installed = false;
  for (const auto& a : cgw.actions) installed = installed || std::holds_alternative<InstallSaPair>(a);
  EXPECT_TRUE(installed);
}

// --- NAT mapping change. A (the CGW) is behind the harness NAT; B sees it from 44500.

const SendDatagram* last_sent_by_b(const Harness& h) {
  for (auto it = h.log.rbegin(); it != h.log.rend(); ++it)
    if (!it->from_a) return &it->d;
  return nullptr;
}

TEST(NatMapping, PeerPortChangeIsFollowedAfterAnAuthenticatedMessage) {
  Harness h(default_config(true), default_config(false), /*nat=*/true);
  h.start();
  ASSERT_TRUE(h.both_up());
  std::uint32_t b_out = *h.b.out_active, b_in = *h.a.out_active;
  ASSERT_EQ(h.b.sad_out.at(b_out).encap_dport, 44500);
  h.nat_port_4500 = 45500;  // the NAT renewed its mapping
  h.advance(15000);         // A's next R-U-THERE comes from the new port (authenticated)
  ASSERT_EQ(h.b.encap_updates.size(), 1u);
  const UpdateSaEncap& u = h.b.encap_updates[0];
  EXPECT_EQ(u.old_remote, (Endpoint{kCgwIp, 44500}));
  EXPECT_EQ(u.remote, (Endpoint{kCgwIp, 45500}));
  ASSERT_EQ(u.sas.size(), 2u);  // both directions of the one pair
  EXPECT_EQ(h.b.sad_out.at(b_out).encap_dport, 45500);
  EXPECT_EQ(h.b.sad_out.at(b_out).dst, kCgwIp);
  EXPECT_EQ(h.b.sad_in.at(b_in).encap_sport, 45500);
  EXPECT_EQ(h.b.sad_out.at(b_out).encap_sport, kNatTPort);  // our own side is unchanged
  EXPECT_EQ(h.b.sad_out.at(b_out).enc_key, h.a.sad_in.at(b_out).enc_key);
  EXPECT_EQ(last_sent_by_b(h)->remote.port, 45500);  // IKE follows too
  EXPECT_TRUE(h.a.encap_updates.empty());            // A is behind the NAT: nothing to follow
  h.advance(60000);  // DPD keeps working over the new mapping
  EXPECT_EQ(h.a.count(EventType::kDpdDead), 0u);
  EXPECT_EQ(h.b.count(EventType::kDpdDead), 0u);
  EXPECT_TRUE(h.both_up());
  h.expect_matching_sas();
  EXPECT_EQ(h.b.encap_updates.size(), 1u);  // once per change
}

TEST(NatMapping, UnauthenticatedOrReplayedPacketsFromANewPortAreIgnored) {
  Harness h(default_config(true), default_config(false), /*nat=*/true);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.advance(15000);  // some authenticated Informationals (DPD) on the wire
  std::size_t b_sent = h.sent_by(false);
  Endpoint b_local{kAwsIp, kNatTPort}, rogue{kCgwIp, 47000};
  // A replay of the last Informational A sent, from another port: already seen, never re-processed.
  const Packet* info = nullptr;
  for (const auto& p : h.log) {
    auto hd = codec::decode_header(p.d.data);
    if (p.from_a && hd && hd->exchange == Exchange::kInformational) info = &p;
  }
  ASSERT_NE(info, nullptr);
  h.b.eng->on_datagram(b_local, rogue, info->d.data, h.now);
  // The same with a flipped ciphertext bit and a fresh message ID: fails decryption or HASH.
  Bytes forged = info->d.data;
  forged.back() ^= 1;
  set_u32(forged, 20, get_u32(&forged[20]) ^ 0x01010101);
  h.b.eng->on_datagram(b_local, rogue, forged, h.now);
  // A replay of A's QM1 (log index 6: after MM1..MM6): that exchange is finished.
  h.b.eng->on_datagram(b_local, rogue, h.log.at(6).d.data, h.now);
  // Garbage with the live cookies.
  Bytes junk(info->d.data.size(), 0x5a);
  std::copy(info->d.data.begin(), info->d.data.begin() + 20, junk.begin());
  set_u32(junk, 24, static_cast<std::uint32_t>(junk.size()));
  h.b.eng->on_datagram(b_local, rogue, junk, h.now);
  h.pump();
  EXPECT_TRUE(h.b.encap_updates.empty());
  EXPECT_EQ(h.sent_by(false), b_sent);  // no answer to any of them
  h.advance(15000);
  EXPECT_TRUE(h.b.encap_updates.empty());
  EXPECT_EQ(last_sent_by_b(h)->remote.port, 44500);
  EXPECT_TRUE(h.both_up());
}

TEST(NatMapping, TheSideBehindTheNatDoesNotFollow) {
  Harness h(default_config(true), default_config(false), /*nat=*/true);
  h.start();
  ASSERT_TRUE(h.both_up());
  h.b_source_port_4500 = 4600;  // B's authenticated messages now appear from another port
  h.advance(30000);
  EXPECT_TRUE(h.a.encap_updates.empty());  // RFC 3947 §7: MUST NOT, it opens a DoS
  for (const auto& p : h.log) {
    if (p.from_a && p.d.local.port == kNatTPort) {
      EXPECT_EQ(p.d.remote.port, kNatTPort);
    }
  }
  EXPECT_TRUE(h.both_up());
}

TEST(NatMapping, ReauthenticationFromANewPortUpdatesTheEspSas) {
  PeerConfig ca = default_config(true), cb = default_config(false);
  ca.ike_lifetime_s = cb.ike_lifetime_s = 3000;
  ca.rekey_margin_s = 540;  // A re-authenticates at 2460 s
  ca.esp_lifetime_s = cb.esp_lifetime_s = 28800;
  ca.dpd_delay_s = cb.dpd_delay_s = 0;  // nothing authenticated in between
  Harness h(ca, cb, /*nat=*/true);
  h.start();
  ASSERT_TRUE(h.both_up());
  std::uint32_t b_out = *h.b.out_active;
  h.advance(2000 * 1000);
  h.nat_port_4500 = 45500;
  // Only Main Mode may tell B: A's Delete of the old ISAKMP SA would do it too.
  h.drop = [](const Packet& p) {
    auto hd = codec::decode_header(p.d.data);
    return p.from_a && hd && hd->exchange == Exchange::kInformational;
  };
  h.advance(500 * 1000);
  EXPECT_EQ(h.a.count(EventType::kPhase1Up), 2u);
  ASSERT_EQ(h.b.encap_updates.size(), 1u);  // from the new ISAKMP SA's MM5
  EXPECT_EQ(h.b.encap_updates[0].old_remote.port, 44500);  // what the ESP SAs used
  EXPECT_EQ(h.b.encap_updates[0].remote.port, 45500);
  EXPECT_EQ(h.b.sad_out.at(b_out).encap_dport, 45500);
  // The re-authentication also renewed the pair on the new ISAKMP SA (docs/ike.md): the new
  // outbound SA uses the new mapping from the start.
  EXPECT_EQ(h.b.sad_out.at(*h.b.out_active).encap_dport, 45500);
}

}  // namespace
}  // namespace xgw::ike::test
