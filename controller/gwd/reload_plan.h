#pragma once
// What a reload changes: the new configuration compared with the running one, connection by
// connection (matched by name) and tunnel by tunnel. Pure, so every rule is unit-tested.
//
// - Gateway settings (interfaces, addresses, sockets, datapath mode) need a restart: refused.
// - A tunnel whose only changes are liveness settings (DPD, probe) is updated in place.
// - Any other tunnel change (PSK, algorithms, lifetimes, addresses, MTU) renegotiates it.
// - A connection whose identity changed (routing, selectors, on-demand, tunnel names) is
//   removed and added again; its other settings (failback, idle timeout, remote networks)
//   are applied in place.
#include <optional>
#include <string>
#include <vector>

#include "controller/config/config.h"

namespace xgw::gwd {

enum class TunnelChange { kNone, kLiveness, kRenegotiate };

struct ConnectionPlan {
  enum class Action { kKeep, kAdd, kRemove, kReplace } action = Action::kKeep;
  std::string name;
  bool settings_changed = false;  // kKeep: failback, idle timeout or remote networks differ
  TunnelChange tunnels[2] = {TunnelChange::kNone, TunnelChange::kNone};
};

struct ReloadPlan {
  std::vector<ConnectionPlan> connections;  // removals first, then the rest in config order
  bool empty() const;
  std::string summary() const;  // one line for the log and the reply
};

// The plan, or the reason the new configuration cannot be applied without a restart.
struct ReloadDecision {
  std::optional<ReloadPlan> plan;
  std::string refused;
};
ReloadDecision plan_reload(const config::Config& running, const config::Config& next);

TunnelChange compare_tunnels(const config::Tunnel& running, const config::Tunnel& next);

}  // namespace xgw::gwd
