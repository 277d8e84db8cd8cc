#pragma once
// The JSON form of a peer's established state, for Engine::snapshot / Engine::restore
// (persist.cpp). Internal to ike/. Only what outlives a controller restart is in it: the
// established ISAKMP SAs and the installed ESP SA pairs with their keys and times; exchanges in
// progress and the replay cache are not (see persist.cpp).
//
// Serial numbers of ISAKMP and child SAs are kept verbatim: they are only looked up within
// one peer, so a restored peer may reuse them, and `rekey_of` / `retire_ike_sa` keep pointing
// at the right SA (a dangling `rekey_of` stays dangling, as before the restart).
#include <nlohmann/json.hpp>

#include "ike/engine_core.h"
#include "ike/result.h"

namespace xgw::ike::persist {

inline constexpr int kVersion = 1;

struct PeerState {
  std::uint32_t local_ip = 0, remote_ip = 0, local_id = 0, remote_id = 0;
  bool want_up = false;
  std::uint32_t dpd_seq = 0;  // as snapshotted (restore skips it ahead)
  std::uint64_t retire_ike_sa = 0;
  std::vector<std::unique_ptr<IkeSa>> ike_sas;  // established; cipher not yet keyed
  std::vector<ChildSa> children;                // no timers armed
};

nlohmann::json encode(const Peer& p);
// Parses and checks a snapshot against the peer's configuration. The error names the field
// ("ike_sas[0].cky_i: missing").
Result<PeerState> decode(const nlohmann::json& j, const PeerConfig& cfg);

}  // namespace xgw::ike::persist
