// The gateway's lifecycle: start (fresh or adopting a previous gwd's state), stop, reload,
// connections added and removed, and the state file that makes restarts lossless.
#include <set>

#include "controller/gwd/bgp_watch.h"
#include "controller/gwd/gateway.h"
#include "controller/gwd/log.h"
#include "controller/gwd/peer_config.h"
#include "controller/gwd/reload_plan.h"
#include "controller/gwd/sa_params.h"

namespace xgw::gwd {

using nlohmann::json;

namespace {

// Marks and routing tables of the steering: tunnel id N uses fwmark 0x7860000+N and table
// 7860000+N, far from values administrators usually pick. Its rule must come before the
// main table's (priority 32766), whose default route would otherwise win: 20000+N.
constexpr std::uint32_t kMarkBase = 0x7860000;
constexpr std::uint32_t kTableBase = 7860000;
constexpr std::uint32_t kRulePriorityBase = 20000;

const json* find_named(const json* list, const std::string& name) {
  if (!list || !list->is_array()) return nullptr;
  for (const auto& x : *list)
    if (x.is_object() && x.value("name", "") == name) return &x;
  return nullptr;
}

}  // namespace

void Gateway::start() {
  std::string why;
  adopted_ = state_file_.load(why);
  if (!why.empty()) log_warn("not adopting the previous state: " + why);
  if (adopted_) log_info("adopting the kernel state and IKE SAs recorded in " + state_file_.path());
  const json* saved_conns = adopted_ ? &(*adopted_)["connections"] : nullptr;
  bool on_demand = false;
  // Kernel objects first, so a failure leaves nothing half-configured: on any error the
  // connections set up so far are removed again before the error propagates.
  try {
    for (const auto& conn : cfg_.connections) {
      add_connection(conn, find_named(saved_conns, conn.name));
      on_demand = on_demand || conn.on_demand;
    }
    sockets_ = std::make_unique<IkeSockets>(
        io_, cfg_.gateway.local_address, kernel_.ipsec,
        [this](ike::Endpoint l, ike::Endpoint r, std::span<const std::uint8_t> d) {
          engine_.on_datagram(l, r, ike::ByteView(d.data(), d.size()), now());
          drain();
        });
  } catch (...) {
    while (!connections_.empty()) remove_connection(connections_.begin()->first);
    throw;
  }
  sockets_->start();
  kernel_events_ = std::make_unique<KernelEventWatch>(
      io_, kernel_.ipsec, [this](const kernel::KernelEvent& e) { on_kernel_event(e); }, on_demand);
  started_ = true;
  for (auto& [id, c] : connections_) activate(c, find_named(saved_conns, c.cfg.name));
  adopted_.reset();
  bgp_sync();
  dirty_ = true;
  drain();
  keepalive_tick();
  idle_tick();
}

void Gateway::stop(bool keep_kernel_state) {
  if (!started_) return;
  started_ = false;
  keepalive_.cancel();
  inbound_watch_.cancel();
  idle_.cancel();
  state_save_.cancel();
  if (kernel_events_) kernel_events_->stop();
  if (bgp_) bgp_->stop(keep_kernel_state);
  for (auto& [id, t] : tunnels_)
    if (t.probe) t.probe->stop();
  if (keep_kernel_state) {
    save_state();  // the next gwd adopts exactly this
  } else {
    while (!connections_.empty()) remove_connection(connections_.begin()->first);
    state_file_.remove();
  }
  for (auto& [id, timer] : timers_) timer->cancel();
  timers_.clear();
  if (sockets_) sockets_->close();
}

std::uint32_t Gateway::free_tunnel_id(const json* saved) const {
  if (saved && saved->contains("id") && (*saved)["id"].is_number_unsigned()) {
    auto id = (*saved)["id"].get<std::uint32_t>();
    if (id > 0 && !tunnels_.count(id)) return id;
  }
  // Ids recorded in an adopted state stay reserved for the tunnels they belong to.
  std::set<std::uint32_t> reserved;
  if (adopted_)
    for (const auto& c : (*adopted_)["connections"])
      for (const auto& t : c.value("tunnels", json::array())) reserved.insert(t.value("id", 0u));
  std::uint32_t id = 1;
  while (tunnels_.count(id) || reserved.count(id)) ++id;
  return id;
}

std::uint32_t Gateway::free_connection_id() const {
  std::uint32_t id = 0;
  while (connections_.count(id)) ++id;
  return id;
}

ConnectionState& Gateway::add_connection(const config::Connection& cfg, const json* saved) {
  std::uint32_t cid = free_connection_id();
  if (saved && saved->value("id", ~0u) != ~0u && !connections_.count(saved->value("id", 0u))) cid = saved->value("id", 0u);
  ConnectionState& c = connections_[cid];
  c.cfg = cfg;
  c.id = cid;
  const json* saved_tunnels = saved && saved->contains("tunnels") ? &(*saved)["tunnels"] : nullptr;
  try {
    for (std::size_t i = 0; i < 2 && i < c.cfg.tunnels.size(); ++i) {
      const json* st = find_named(saved_tunnels, c.cfg.tunnels[i].name);
      std::uint32_t id = free_tunnel_id(st);
      TunnelState& t = tunnels_[id];
      t.conn = &c.cfg;
      t.cfg = &c.cfg.tunnels[i];
      t.id = id;
      t.connection = cid;
      c.tunnels[i] = id;
      setup_tunnel(t, st);
    }
    plumb_connection(kernel_, c);
  } catch (...) {
    // Best effort: removes what was made of the tunnel that failed too.
    for (std::uint32_t id : c.tunnels)
      if (TunnelState* t = tunnel_by_id(id); t && t->connection == cid && id) {
        teardown_tunnel(*t);
        tunnels_.erase(id);
      }
    connections_.erase(cid);
    throw;
  }
  if (c.cfg.on_demand && kernel_.maps) {
    // Steer the connection's LAN traffic into its preferred tunnel while it is down: the
    // packets meet the tunnel's policy without an SA, and the kernel's acquire brings it up.
    kernel_.maps->SetActiveTunnel(c.id, c.tunnels[0]);
  }
  dirty_ = true;
  return c;
}

void Gateway::setup_tunnel(TunnelState& t, const json* saved) {
  t.ifname = "xgw" + std::to_string(t.id);
  t.mark = kMarkBase + t.id;
  t.table = kTableBase + t.id;
  t.rule_priority = kRulePriorityBase + t.id;
  plumb_tunnel(kernel_, cfg_.gateway, t, saved != nullptr);
  if (saved) {
    t.mtu = saved->value("mtu", 0u);
    t.nat_t = saved->value("nat_t", false);
    t.admin_up = saved->value("admin_up", true);
  }
  log_info("tunnel " + t.cfg->name + ": interface " + t.ifname + " (if_id " + std::to_string(t.id) + "), peer " +
           config::ipv4_str(t.cfg->peer_address) + ", inside " + config::ipv4_str(t.cfg->local_inside()));
}

void Gateway::teardown_tunnel(TunnelState& t) {
  if (t.probe) t.probe->stop();
  t.probe.reset();
  unplumb_tunnel(kernel_, cfg_.gateway, t);
}

void Gateway::start_probe(TunnelState& t) {
  std::uint32_t id = t.id;
  LivenessProbe::Params lp{t.ifname, t.cfg->local_inside(), t.cfg->peer_inside(),
                           static_cast<std::uint16_t>(0x7800 + t.id), t.cfg->probe_interval_ms, t.cfg->probe_misses};
  t.probe = std::make_unique<LivenessProbe>(io_, lp, [this, id](bool alive) {
    TunnelState* tt = tunnel_by_id(id);
    if (!tt || !tt->phase2_up) return;  // only meaningful while the tunnel has SAs
    if (alive) log_info("tunnel " + tt->cfg->name + ": liveness probe answered again");
    else
      log_warn("tunnel " + tt->cfg->name + ": liveness probe unanswered " + std::to_string(tt->cfg->probe_misses) +
               " times in a row (" + std::to_string(tt->cfg->probe_interval_ms) + " ms apart)");
    reselect(connection_of(*tt), tt->cfg->name + (alive ? " answers probes again" : " stopped answering probes"));
    // A silent death: ask the peer with DPD now rather than after the idle delay, so a dead
    // endpoint is declared dead and re-initiated within seconds.
    if (!alive) {
      engine_.on_liveness_lost(tt->peer, now());
      drain();
    }
  });
  t.probe->start();
  if (t.phase2_up) t.probe->resume(true);  // a new probe (new settings) on a tunnel that is up
}

// Hands the connection's tunnels to the engine: restored from the saved snapshot when there
// is one (the kernel kept the SAs), otherwise negotiated (unless on-demand and not wanted).
void Gateway::activate(ConnectionState& c, const json* saved) {
  if (saved) {
    // Before the restored tunnels report phase 2 up: reselect() must see the active tunnel
    // and failover count the previous gwd had, or it would fail back on its own.
    c.active = saved->value("active", 0u);
    if (c.active && !tunnel_by_id(c.active)) c.active = 0;
    c.failovers = saved->value("failovers", 0u);
    c.demand_up = saved->value("demand_up", false);
  }
  const json* saved_tunnels = saved && saved->contains("tunnels") ? &(*saved)["tunnels"] : nullptr;
  for (std::uint32_t id : c.tunnels) {
    TunnelState& t = tunnels_.at(id);
    t.peer = engine_.add_peer(peer_config(c, t));
    if (!c.cfg.on_demand) start_probe(t);
    if (!t.admin_up) continue;
    const json* st = find_named(saved_tunnels, t.cfg->name);
    if (st && st->contains("ike")) {
      kernel::Addr4 us = to_addr4(cfg_.gateway.local_address), peer = to_addr4(t.cfg->peer_address);
      auto kernel_has = [&](std::uint32_t spi_in, std::uint32_t spi_out) {
        try {
          kernel_.ipsec.QuerySa(us, spi_in);
          if (spi_out) kernel_.ipsec.QuerySa(peer, spi_out);  // 0: not installed yet (a pending switch)
          return true;
        } catch (const kernel::KernelError&) {
          return false;
        }
      };
      if (auto err = engine_.restore(t.peer, (*st)["ike"], now(), kernel_has)) {
        log_warn("tunnel " + t.cfg->name + ": cannot restore its IKE state (" + *err + "); negotiating anew");
      } else {
        log_info("tunnel " + t.cfg->name + ": restored its IKE and ESP SAs from the state file");
        continue;
      }
    }
    if (!c.cfg.on_demand || c.demand_up) engine_.initiate(t.peer, now());
  }
  if (c.active && kernel_.maps) kernel_.maps->SetActiveTunnel(c.id, c.active);
}

void Gateway::bring_up(ConnectionState& c, const std::string& why) {
  if (c.demand_up) return;
  c.demand_up = true;
  c.idle_since = 0;
  log_info("connection " + c.cfg.name + ": bringing its tunnels up (" + why + ")");
  for (std::uint32_t id : c.tunnels) {
    TunnelState& t = tunnels_.at(id);
    if (t.admin_up) engine_.initiate(t.peer, now());
  }
  dirty_ = true;
  drain();
}

void Gateway::remove_connection(std::uint32_t cid) {
  ConnectionState& c = connections_.at(cid);
  for (std::uint32_t id : c.tunnels) {
    TunnelState* t = tunnel_by_id(id);
    if (!t) continue;
    if (t->peer) engine_.remove_peer(t->peer, now());
    drain();  // the Deletes and SA removals, while the tunnel is still known
    t->peer = 0;
    teardown_tunnel(*t);
  }
  unplumb_connection(kernel_, c);
  if (kernel_.maps) kernel_.maps->SetActiveTunnel(c.id, 0);
  for (std::uint32_t id : c.tunnels) tunnels_.erase(id);
  log_info("connection " + c.cfg.name + ": removed");
  connections_.erase(cid);
  dirty_ = true;
}

void Gateway::renegotiate(TunnelState& t, const config::Tunnel& next) {
  ConnectionState& c = connection_of(t);
  const std::string name = t.cfg->name;
  TunnelState& other = other_tunnel(t);
  // Traffic first moves to the other tunnel, so the renegotiation costs no packet.
  if (c.active == t.id && usable(other)) set_active(c, other, "reload renegotiates " + name, true);
  engine_.remove_peer(t.peer, now());
  drain();
  t.peer = 0;
  teardown_tunnel(t);
  std::size_t slot = c.tunnels[0] == t.id ? 0 : 1;
  c.cfg.tunnels[slot] = next;  // t.cfg points here
  TunnelState fresh;
  fresh.conn = t.conn;
  fresh.cfg = t.cfg;
  fresh.id = t.id;
  fresh.connection = t.connection;
  fresh.admin_up = t.admin_up;
  t = std::move(fresh);
  setup_tunnel(t, nullptr);
  t.peer = engine_.add_peer(peer_config(c, t));
  if (!c.cfg.on_demand) start_probe(t);
  if (t.admin_up && (!c.cfg.on_demand || c.demand_up)) engine_.initiate(t.peer, now());
  log_info("tunnel " + name + ": renegotiating with the new configuration");
}

std::string Gateway::reload(config::Config next) {
  ReloadDecision d = plan_reload(cfg_, next);
  if (!d.plan) throw std::runtime_error(d.refused);
  const ReloadPlan& plan = *d.plan;
  auto by_name = [this](const std::string& n) -> ConnectionState* {
    for (auto& [id, c] : connections_)
      if (c.cfg.name == n) return &c;
    return nullptr;
  };
  auto next_cfg = [&](const std::string& n) -> const config::Connection& {
    for (const auto& c : next.connections)
      if (c.name == n) return c;
    throw std::logic_error("reload plan names unknown connection " + n);
  };
  bool on_demand = false;
  for (const auto& p : plan.connections) {
    using A = ConnectionPlan::Action;
    if (p.action == A::kRemove || p.action == A::kReplace) remove_connection(by_name(p.name)->id);
    if (p.action == A::kAdd || p.action == A::kReplace) {
      ConnectionState& c = add_connection(next_cfg(p.name), nullptr);
      activate(c, nullptr);
      on_demand = on_demand || c.cfg.on_demand;
      continue;
    }
    if (p.action != A::kKeep) continue;
    ConnectionState& c = *by_name(p.name);
    const config::Connection& n = next_cfg(p.name);
    if (p.settings_changed) {
      std::vector<config::Cidr> previous = c.cfg.remote_networks;
      previous.insert(previous.end(), c.learned_networks.begin(), c.learned_networks.end());
      c.cfg.failback = n.failback;
      c.cfg.idle_timeout = n.idle_timeout;
      c.cfg.remote_networks = n.remote_networks;
      update_remote_networks(kernel_, c, previous);
    }
    for (std::size_t i = 0; i < 2; ++i) {
      TunnelState& t = tunnels_.at(c.tunnels[i]);
      if (p.tunnels[i] == TunnelChange::kLiveness) {
        c.cfg.tunnels[i] = n.tunnels[i];
        engine_.update_liveness(t.peer, t.cfg->dpd_interval, t.cfg->dpd_retries);
        if (t.probe) start_probe(t);  // new interval and misses
        log_info("tunnel " + t.cfg->name + ": DPD " + std::to_string(t.cfg->dpd_interval) + " s x " +
                 std::to_string(t.cfg->dpd_retries) + ", probe " + std::to_string(t.cfg->probe_interval_ms) +
                 " ms x " + std::to_string(t.cfg->probe_misses) + " (applied in place)");
      } else if (p.tunnels[i] == TunnelChange::kRenegotiate) {
        renegotiate(t, n.tunnels[i]);
      } else {
        c.cfg.tunnels[i].psk_file = n.tunnels[i].psk_file;
      }
    }
  }
  if (on_demand && kernel_events_) kernel_events_->subscribe_acquires();
  cfg_ = std::move(next);
  bgp_sync();
  dirty_ = true;
  drain();
  log_info("reload: " + plan.summary());
  return plan.summary();
}

void Gateway::save_state() {
  json conns = json::array();
  for (const auto& [cid, c] : connections_) {
    json tuns = json::array();
    for (std::uint32_t id : c.tunnels) {
      const TunnelState& t = tunnels_.at(id);
      json jt{{"name", t.cfg->name}, {"id", t.id}, {"admin_up", t.admin_up}, {"mtu", t.mtu}, {"nat_t", t.nat_t}};
      if (t.peer && t.phase1_up) jt["ike"] = engine_.snapshot(t.peer);
      tuns.push_back(std::move(jt));
    }
    conns.push_back({{"name", c.cfg.name},
                     {"id", c.id},
                     {"active", c.active},
                     {"failovers", c.failovers},
                     {"demand_up", c.demand_up},
                     {"tunnels", std::move(tuns)}});
  }
  try {
    state_file_.save(json{{"connections", std::move(conns)}});
    dirty_ = false;
  } catch (const std::exception& e) {
    log_error(std::string(e.what()) + " (a restart would renegotiate instead of adopting)");
  }
}

}  // namespace xgw::gwd
