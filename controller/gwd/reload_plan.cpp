#include "controller/gwd/reload_plan.h"

namespace xgw::gwd {
namespace {

const config::Connection* find(const config::Config& c, const std::string& name) {
  for (const auto& x : c.connections)
    if (x.name == name) return &x;
  return nullptr;
}

// What names a connection to AWS and to the kernel: changing any of it is a new connection.
bool same_identity(const config::Connection& a, const config::Connection& b) {
  if (a.routing != b.routing || a.local_selector != b.local_selector || a.remote_selector != b.remote_selector ||
      a.on_demand != b.on_demand || a.bgp != b.bgp || a.tunnels.size() != b.tunnels.size())
    return false;
  for (std::size_t i = 0; i < a.tunnels.size(); ++i)
    if (a.tunnels[i].name != b.tunnels[i].name) return false;
  return true;
}

}  // namespace

TunnelChange compare_tunnels(const config::Tunnel& running, const config::Tunnel& next) {
  // Liveness settings apply in place; where the PSK was read from does not matter, only the key.
  auto without_liveness = [](config::Tunnel t) {
    t.dpd_interval = t.dpd_retries = t.probe_interval_ms = t.probe_misses = 0;
    t.psk_file.clear();
    return t;
  };
  if (!(without_liveness(running) == without_liveness(next))) return TunnelChange::kRenegotiate;
  bool liveness = running.dpd_interval != next.dpd_interval || running.dpd_retries != next.dpd_retries ||
                  running.probe_interval_ms != next.probe_interval_ms || running.probe_misses != next.probe_misses;
  return liveness ? TunnelChange::kLiveness : TunnelChange::kNone;
}

ReloadDecision plan_reload(const config::Config& running, const config::Config& next) {
  ReloadDecision d;
  if (!(running.gateway == next.gateway)) {
    d.refused = "the [gateway] section changed (interfaces, addresses, sockets, datapath): restart gwd to apply it";
    return d;
  }
  ReloadPlan plan;
  for (const auto& c : running.connections)
    if (!find(next, c.name)) plan.connections.push_back({ConnectionPlan::Action::kRemove, c.name});
  for (const auto& n : next.connections) {
    const config::Connection* r = find(running, n.name);
    ConnectionPlan p;
    p.name = n.name;
    if (!r) {
      p.action = ConnectionPlan::Action::kAdd;
    } else if (!same_identity(*r, n)) {
      p.action = ConnectionPlan::Action::kReplace;
    } else {
      p.settings_changed = r->failback != n.failback || r->idle_timeout != n.idle_timeout ||
                           r->remote_networks != n.remote_networks;
      for (std::size_t i = 0; i < n.tunnels.size() && i < 2; ++i) p.tunnels[i] = compare_tunnels(r->tunnels[i], n.tunnels[i]);
    }
    plan.connections.push_back(p);
  }
  d.plan = std::move(plan);
  return d;
}

bool ReloadPlan::empty() const {
  for (const auto& c : connections)
    if (c.action != ConnectionPlan::Action::kKeep || c.settings_changed || c.tunnels[0] != TunnelChange::kNone ||
        c.tunnels[1] != TunnelChange::kNone)
      return false;
  return true;
}

std::string ReloadPlan::summary() const {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : ", ") + part; };
  for (const auto& c : connections) {
    switch (c.action) {
      case ConnectionPlan::Action::kAdd: add("add " + c.name); continue;
      case ConnectionPlan::Action::kRemove: add("remove " + c.name); continue;
      case ConnectionPlan::Action::kReplace: add("replace " + c.name); continue;
      case ConnectionPlan::Action::kKeep: break;
    }
    if (c.settings_changed) add(c.name + " settings");
    for (int i = 0; i < 2; ++i) {
      if (c.tunnels[i] == TunnelChange::kLiveness) add(c.name + "/" + std::to_string(i + 1) + " liveness");
      if (c.tunnels[i] == TunnelChange::kRenegotiate) add(c.name + "/" + std::to_string(i + 1) + " renegotiate");
    }
  }
  return s.empty() ? "no changes" : s;
}

}  // namespace xgw::gwd
