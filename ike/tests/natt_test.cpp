// NAT traversal beyond detection and the float: NAT-OA payloads in Quick Mode (RFC 3947 §5.2).
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

}  // namespace
}  // namespace xgw::ike::test
