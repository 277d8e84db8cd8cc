#include "controller/gwd/gateway.h"

#include <arpa/inet.h>

#include <cstdio>
#include <ctime>

#include "controller/gwd/log.h"
#include "controller/gwd/packet_rules.h"
#include "controller/gwd/peer_config.h"
#include "controller/gwd/sa_params.h"

namespace xgw::gwd {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// Marks and routing tables of the steering: tunnel id N uses fwmark 0x7860000+N and table
// 7860000+N, far from values administrators usually pick. Its rule must come before the
// main table's (priority 32766), whose default route would otherwise win: 20000+N.
constexpr std::uint32_t kMarkBase = 0x7860000;
constexpr std::uint32_t kTableBase = 7860000;
constexpr std::uint32_t kRulePriorityBase = 20000;
// RFC 3948 §4: NAT keepalives every 20 s.
constexpr auto kKeepaliveInterval = std::chrono::seconds(20);

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string hex32(std::uint32_t v) {
  char b[11];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

}  // namespace

Gateway::Gateway(asio::io_context& io, config::Config cfg, KernelHandles kernel, ike::Random& rng)
    : io_(io), cfg_(std::move(cfg)), kernel_(kernel), engine_(rng), keepalive_(io) {
  std::uint32_t next_id = 1;
  for (std::size_t ci = 0; ci < cfg_.connections.size(); ++ci) {
    const config::Connection& conn = cfg_.connections[ci];
    ConnectionState cs;
    cs.cfg = &conn;
    cs.id = static_cast<std::uint32_t>(ci);
    for (std::size_t ti = 0; ti < conn.tunnels.size() && ti < 2; ++ti) {
      TunnelState t;
      t.conn = &conn;
      t.cfg = &conn.tunnels[ti];
      t.id = next_id++;
      t.connection = cs.id;
      t.ifname = "xgw" + std::to_string(t.id);
      t.mark = kMarkBase + t.id;
      t.table = kTableBase + t.id;
      t.rule_priority = kRulePriorityBase + t.id;
      cs.tunnels[ti] = tunnels_.size();
      tunnels_.push_back(std::move(t));
    }
    connections_.push_back(cs);
  }
}

Gateway::~Gateway() = default;

ike::Millis Gateway::now() const {
  return static_cast<ike::Millis>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0_).count());
}

void Gateway::start() {
  // Kernel objects first, so a failure leaves nothing half-configured: on any error the
  // tunnels plumbed so far are removed again before the error propagates.
  std::size_t plumbed = 0;
  try {
    for (auto& t : tunnels_) {
      plumb_tunnel(kernel_, cfg_.gateway, t);
      ++plumbed;
      log_info("tunnel " + t.cfg->name + ": interface " + t.ifname + " (if_id " + std::to_string(t.id) + "), peer " +
               config::ipv4_str(t.cfg->peer_address) + ", inside " + config::ipv4_str(t.cfg->local_inside()));
    }
    for (auto& c : connections_) plumb_connection(kernel_, c);
    sockets_ = std::make_unique<IkeSockets>(
        io_, cfg_.gateway.local_address, kernel_.ipsec,
        [this](ike::Endpoint l, ike::Endpoint r, std::span<const std::uint8_t> d) {
          engine_.on_datagram(l, r, ike::ByteView(d.data(), d.size()), now());
          drain();
        });
  } catch (...) {
    for (auto& c : connections_) unplumb_connection(kernel_, c);
    for (std::size_t i = 0; i < plumbed; ++i) unplumb_tunnel(kernel_, cfg_.gateway, tunnels_[i]);
    throw;
  }
  sockets_->start();
  kernel_events_ = std::make_unique<KernelEventWatch>(
      io_, kernel_.ipsec, [this](const kernel::KernelEvent& e) { on_kernel_event(e); });
  for (auto& t : tunnels_) {
    std::size_t i = index_of(t);
    LivenessProbe::Params lp{t.ifname, t.cfg->local_inside(), t.cfg->peer_inside(),
                             static_cast<std::uint16_t>(0x7800 + t.id), t.cfg->probe_interval_ms, t.cfg->probe_misses};
    probes_.push_back(std::make_unique<LivenessProbe>(io_, lp, [this, i](bool alive) {
      TunnelState& tt = tunnels_[i];
      if (!tt.phase2_up) return;  // only meaningful while the tunnel has SAs
      if (alive) log_info("tunnel " + tt.cfg->name + ": liveness probe answered again");
      else
        log_warn("tunnel " + tt.cfg->name + ": liveness probe unanswered " + std::to_string(tt.cfg->probe_misses) +
                 " times in a row (" + std::to_string(tt.cfg->probe_interval_ms) + " ms apart)");
      reselect(connection_of(tt), tt.cfg->name + (alive ? " answers probes again" : " stopped answering probes"));
      // A silent death: ask the peer with DPD now rather than after the idle delay, so a
      // dead endpoint is declared dead and re-initiated within seconds.
      if (!alive) {
        engine_.on_liveness_lost(tt.peer, now());
        drain();
      }
    }));
    probes_.back()->start();
  }
  started_ = true;
  for (auto& t : tunnels_) {
    t.peer = engine_.add_peer(to_peer_config(cfg_.gateway, *t.conn, *t.cfg));
    // AWS never initiates IKEv1: the gateway brings every tunnel up and keeps it up.
    engine_.initiate(t.peer, now());
  }
  drain();
  keepalive_tick();
}

void Gateway::stop(bool keep_kernel_state) {
  if (!started_) return;
  started_ = false;
  keepalive_.cancel();
  if (kernel_events_) kernel_events_->stop();
  for (auto& p : probes_) p->stop();
  if (!keep_kernel_state) {
    for (auto& t : tunnels_) engine_.terminate(t.peer, now());
    drain();  // sends the Deletes and removes the SAs
    for (auto& c : connections_) unplumb_connection(kernel_, c);
    for (auto& t : tunnels_) unplumb_tunnel(kernel_, cfg_.gateway, t);
  }
  for (auto& [id, timer] : timers_) timer->cancel();
  timers_.clear();
  if (sockets_) sockets_->close();
}

void Gateway::drain() {
  auto run = [this](const ike::Action& a) {
    try {
      execute(a);
    } catch (const std::exception& e) {
      log_error(e.what());
    }
  };
  for (;;) {
    auto actions = engine_.take_actions();
    if (actions.empty()) return;
    // What moves traffic goes first, SA removals last: when the peer deletes the active
    // tunnel's SAs (AWS maintenance) every packet still steered into that tunnel is lost
    // at the peer, so the failover that a phase 2 down event causes must not wait behind
    // other events' log lines or the netlink round trips of the removal. (The engine never
    // reports a tunnel's phase 2 down and up again in one batch.)
    auto phase2_down = [](const ike::Action& a) {
      auto* e = std::get_if<ike::Event>(&a);
      return e && e->type == ike::EventType::kPhase2Down;
    };
    for (const auto& a : actions)
      if (phase2_down(a)) run(a);
    for (const auto& a : actions)
      if (!phase2_down(a) && !std::holds_alternative<ike::DeleteSaPair>(a)) run(a);
    for (const auto& a : actions)
      if (std::holds_alternative<ike::DeleteSaPair>(a)) run(a);
  }
}

void Gateway::execute(const ike::Action& a) {
  if (auto* d = std::get_if<ike::SendDatagram>(&a)) {
    if (sockets_) sockets_->send(*d);
  } else if (auto* i = std::get_if<ike::InstallSaPair>(&a)) {
    on_install(*i);
  } else if (auto* s = std::get_if<ike::SwitchOutbound>(&a)) {
    on_switch(*s);
  } else if (auto* del = std::get_if<ike::DeleteSaPair>(&a)) {
    on_delete(*del);
  } else if (auto* u = std::get_if<ike::UpdateSaEncap>(&a)) {
    on_update_encap(*u);
  } else if (auto* t = std::get_if<ike::ArmTimer>(&a)) {
    arm(t->id, t->at);
  } else if (auto* c = std::get_if<ike::CancelTimer>(&a)) {
    cancel(c->id);
  } else if (auto* e = std::get_if<ike::Event>(&a)) {
    on_event(*e);
  }
}

void Gateway::arm(ike::TimerId id, ike::Millis at) {
  auto& timer = timers_[id];
  if (!timer) timer = std::make_unique<asio::steady_timer>(io_);
  timer->expires_at(t0_ + std::chrono::milliseconds(at));
  timer->async_wait([this, id](const boost::system::error_code& ec) {
    if (ec) return;
    timers_.erase(id);
    engine_.on_timer(id, now());
    drain();
  });
}

void Gateway::cancel(ike::TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

void Gateway::keepalive_tick() {
  // Keepalives only where the engine detected a NAT and floated to UDP 4500.
  for (auto& t : tunnels_)
    if (t.phase1_up && engine_.status(t.peer).nat_detected) sockets_->send_keepalive(t.cfg->peer_address, 4500);
  keepalive_.expires_after(kKeepaliveInterval);
  keepalive_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) keepalive_tick();
  });
}

void Gateway::on_kernel_event(const kernel::KernelEvent& e) {
  // The tunnel: by XFRM interface id, or else by the peer's outer address.
  TunnelState* t = nullptr;
  for (auto& x : tunnels_) {
    kernel::Addr4 peer = to_addr4(x.cfg->peer_address);
    if (e.if_id ? x.id == e.if_id : (peer == e.dst || peer == e.src)) t = &x;
  }
  std::string name = t ? "tunnel " + t->cfg->name + ": " : "";
  switch (e.type) {
    case kernel::KernelEvent::Type::kHardExpire:
      // The engine rekeys well before this; a hard expiry means that failed: phase 2 down.
      log_warn(name + "kernel hard expiry of SA spi " + hex32(e.spi));
      engine_.on_sa_hard_expired(e.spi, now());
      drain();
      break;
    case kernel::KernelEvent::Type::kSoftExpire:
      log_info(name + "kernel soft expiry of SA spi " + hex32(e.spi) + " (the engine's rekey timer comes first)");
      break;
    case kernel::KernelEvent::Type::kAcquire:
      break;  // not subscribed (kernel_events.cpp): gwd keeps every tunnel up by itself
  }
}

void Gateway::install_sa(const ike::EspSa& sa, TunnelState& t, bool inbound) {
  // The SPI map entry comes first, so the XDP program counts the first packet on the SA.
  if (kernel_.maps) {
    auto encap = sa.mode == ike::EspMode::kUdpEncapTunnel ? datapath::SpiEncap::kUdp : datapath::SpiEncap::kEsp;
    kernel_.maps->UpsertSpi(dp_ip(t.cfg->peer_address), sa.spi, t.id, encap);
  }
  kernel_.ipsec.AddSa(to_sa_params(sa, t.id));
  log_info("tunnel " + t.cfg->name + ": installed " + (inbound ? "inbound" : "outbound") + " SA spi " + hex32(sa.spi) +
           (sa.mode == ike::EspMode::kUdpEncapTunnel ? " (UDP-encapsulated)" : ""));
}

void Gateway::on_install(const ike::InstallSaPair& a) {
  TunnelState* t = tunnel_by_peer(a.peer);
  if (!t) return;
  install_sa(a.inbound, *t, true);
  if (a.outbound_now) install_sa(a.outbound, *t, false);
  t->nat_t = a.inbound.mode == ike::EspMode::kUdpEncapTunnel;
  PacketRules r = aws_packet_rules(a.inbound.transform, a.inbound.integ, t->nat_t);
  // The tunnel MTU follows what was negotiated (AWS's table), unless configured.
  if (!t->cfg->mtu && r.mtu != t->mtu) {
    kernel_.routing.SetLinkMtu(t->ifindex, r.mtu);
    t->mtu = r.mtu;
    log_info("tunnel " + t->cfg->name + ": MTU " + std::to_string(r.mtu) + ", MSS " + std::to_string(r.mss) +
             (t->nat_t ? " (negotiated algorithms, NAT-T)" : " (negotiated algorithms)"));
  }
  if (kernel_.maps && !t->cfg->mss) {
    datapath::TunnelParams tp;
    tp.mark = t->mark;
    tp.mss = static_cast<std::uint16_t>(r.mss);
    tp.clear_df = true;
    kernel_.maps->SetTunnelParams(t->id, tp);
  }
}

void Gateway::on_switch(const ike::SwitchOutbound& a) {
  TunnelState* t = tunnel_by_peer(a.peer);
  if (!t) return;
  // The kernel prefers the newest of two outbound SAs for the same policy: adding the new
  // one switches traffic; the old one is deleted by a later DeleteSaPair.
  install_sa(a.outbound, *t, false);
}

// An SA the kernel no longer has (a hard expiry, a flush) is not an error here.
void Gateway::delete_sa(const TunnelState& t, kernel::Addr4 dst, std::uint32_t spi, const char* direction) {
  try {
    kernel_.ipsec.DeleteSa(dst, spi);
    log_info("tunnel " + t.cfg->name + ": removed " + direction + " SA spi " + hex32(spi));
  } catch (const kernel::KernelError& e) {
    if (e.error() != ESRCH && e.error() != ENOENT) log_warn("tunnel " + t.cfg->name + ": " + e.what());
    else log_info("tunnel " + t.cfg->name + ": " + direction + " SA spi " + hex32(spi) + " was already gone");
  }
}

void Gateway::on_delete(const ike::DeleteSaPair& a) {
  TunnelState* t = tunnel_by_peer(a.peer);
  if (!t) return;
  for (const SaKey& k : sa_keys(a)) {
    delete_sa(*t, k.dst, k.spi, k.direction);
    if (kernel_.maps) kernel_.maps->RemoveSpi(dp_ip(t->cfg->peer_address), k.spi);
  }
}

// The engine followed a peer behind a NAT to a new mapping (RFC 3947 §7; it never does so for
// an AWS endpoint, which is not behind a NAT). The ESP SAs get the new encapsulation port in
// place; an outbound SA whose destination address changed is replaced, as the destination is
// part of its identity.
void Gateway::on_update_encap(const ike::UpdateSaEncap& u) {
  TunnelState* t = tunnel_by_peer(u.peer);
  if (!t) return;
  auto ep = [](const ike::Endpoint& e) { return config::ipv4_str(e.ip) + ":" + std::to_string(e.port); };
  log_info("tunnel " + t->cfg->name + ": peer's NAT mapping moved from " + ep(u.old_remote) + " to " + ep(u.remote) +
           ", updating " + std::to_string(u.sas.size()) + " ESP SAs");
  for (const auto& sa : u.sas) {
    if (sa.dst == u.remote.ip && u.old_remote.ip != u.remote.ip) {
      delete_sa(*t, to_addr4(u.old_remote.ip), sa.spi, "outbound");
      kernel_.ipsec.AddSa(to_sa_params(sa, t->id));
    } else {
      kernel_.ipsec.UpdateSa(to_sa_params(sa, t->id));
    }
  }
}

void Gateway::on_event(const ike::Event& e) {
  TunnelState* t = tunnel_by_peer(e.peer);
  if (!t) return;
  ConnectionState& c = connection_of(*t);
  const std::string name = "tunnel " + t->cfg->name + ": ";
  switch (e.type) {
    case ike::EventType::kPhase1Up:
      t->phase1_up = true;
      t->phase1_since = unix_now();
      log_info(name + "phase 1 up" + (e.detail.empty() ? "" : " (" + e.detail + ")"));
      break;
    case ike::EventType::kPhase1Down:
      t->phase1_up = engine_.status(t->peer).phase1_up;
      log_info(name + "phase 1 down (" + ike::to_string(e.reason) + ")");
      break;
    case ike::EventType::kPhase2Up:
      t->phase2_up = true;
      t->phase2_since = unix_now();
      t->spi_in = e.spi_in;
      t->spi_out = e.spi_out;
      if (index_of(*t) < probes_.size()) probes_[index_of(*t)]->reset();
      log_info(name + "phase 2 up, spi in " + hex32(e.spi_in) + " out " + hex32(e.spi_out));
      reselect(c, t->cfg->name + " came up");
      break;
    case ike::EventType::kPhase2Down:
      t->phase2_up = false;
      t->spi_in = t->spi_out = 0;
      reselect(c, t->cfg->name + " went down: " + ike::to_string(e.reason));  // before the log line
      log_warn(name + "phase 2 down (" + ike::to_string(e.reason) + ")");
      break;
    case ike::EventType::kDpdDead:
    case ike::EventType::kPeerDelete:
      log_warn(name + ike::to_string(e.type) + " (" + e.detail + ")");
      break;
    case ike::EventType::kFailure:
      t->last_failure = e.reason;
      t->last_failure_detail = e.detail;
      t->last_failure_at = unix_now();
      log_warn(name + "failure " + ike::to_string(e.reason) + (e.detail.empty() ? "" : ": " + e.detail));
      break;
    case ike::EventType::kKeysEstablished:
      break;  // keylog comes with the observability work; keys are never logged
  }
}

void Gateway::reselect(ConnectionState& c, const std::string& why) {
  TunnelState& preferred = tunnels_[c.tunnels[0]];
  TunnelState& second = tunnels_[c.tunnels[1]];
  TunnelState* current = c.active ? &tunnels_[c.tunnels[c.active == preferred.id ? 0 : 1]] : nullptr;
  if (current && usable(*current)) {
    // Return to the preferred tunnel only before any failover, or when failback is enabled.
    if (current != &preferred && usable(preferred) && (c.failovers == 0 || c.cfg->failback))
      set_active(c, preferred, why);
    return;
  }
  if (usable(preferred)) set_active(c, preferred, why);
  else if (usable(second)) set_active(c, second, why);
}

void Gateway::set_active(ConnectionState& c, TunnelState& t, const std::string& why) {
  if (c.active == t.id) return;
  bool failover = c.active != 0;
  if (kernel_.maps) kernel_.maps->SetActiveTunnel(c.id, t.id);
  if (failover) ++c.failovers;
  c.active = t.id;
  c.last_switch_reason = why;
  log_info("connection " + c.cfg->name + ": " + (failover ? "failover" : "active") + " -> " + t.cfg->name + " (" +
           why + ")");
}

bool Gateway::usable(const TunnelState& t) const {
  std::size_t i = index_of(t);
  bool probe_alive = i >= probes_.size() || probes_[i]->alive();
  return t.admin_up && t.phase2_up && probe_alive;
}

TunnelState* Gateway::tunnel_by_peer(ike::PeerId p) {
  for (auto& t : tunnels_)
    if (t.peer == p) return &t;
  return nullptr;
}

TunnelState* Gateway::tunnel_by_name(const std::string& name) {
  for (auto& t : tunnels_)
    if (t.cfg->name == name) return &t;
  return nullptr;
}

ConnectionState& Gateway::connection_of(const TunnelState& t) { return connections_[t.connection]; }

TunnelState& Gateway::other_tunnel(const TunnelState& t) {
  ConnectionState& c = connection_of(t);
  TunnelState& a = tunnels_[c.tunnels[0]];
  return &a == &t ? tunnels_[c.tunnels[1]] : a;
}

std::optional<std::string> Gateway::set_admin(const std::string& name, bool up) {
  TunnelState* t = tunnel_by_name(name);
  if (!t) return "no tunnel named '" + name + "' (tunnels are named CONNECTION/1 and CONNECTION/2)";
  if (t->admin_up == up) return std::nullopt;
  t->admin_up = up;
  if (up) {
    engine_.initiate(t->peer, now());
    log_info("tunnel " + name + ": up requested by operator");
  } else {
    engine_.terminate(t->peer, now());
    t->phase1_up = t->phase2_up = false;
    log_info("tunnel " + name + ": down requested by operator");
    reselect(connection_of(*t), name + " taken down by operator");
  }
  drain();
  return std::nullopt;
}

std::optional<std::string> Gateway::failover(const std::string& conn_name, const std::string& to) {
  for (auto& c : connections_) {
    if (c.cfg->name != conn_name) continue;
    TunnelState* target = nullptr;
    if (to.empty()) {
      target = c.active ? &other_tunnel(tunnels_[c.tunnels[c.active == tunnels_[c.tunnels[0]].id ? 0 : 1]])
                        : &tunnels_[c.tunnels[1]];
    } else {
      target = tunnel_by_name(to);
      if (!target || target->connection != c.id) return "tunnel '" + to + "' is not a tunnel of " + conn_name;
    }
    if (!target->phase2_up) return "tunnel " + target->cfg->name + " has no phase 2 SA; refusing to steer into it";
    if (c.active == target->id) return std::nullopt;
    set_active(c, *target, "operator request");
    return std::nullopt;
  }
  return "no connection named '" + conn_name + "'";
}

json Gateway::status() const {
  json conns = json::array();
  for (const auto& c : connections_) {
    json tuns = json::array();
    for (std::size_t i : c.tunnels) {
      const TunnelState& t = tunnels_[i];
      ike::PeerStatus ps = engine_.status(t.peer);
      tuns.push_back({
          {"name", t.cfg->name},
          {"peer_address", config::ipv4_str(t.cfg->peer_address)},
          {"inside_address", config::ipv4_str(t.cfg->local_inside())},
          {"interface", t.ifname},
          {"admin", t.admin_up ? "up" : "down"},
          {"phase1", t.phase1_up ? "up" : "down"},
          {"phase2", t.phase2_up ? "up" : "down"},
          {"role", c.active == t.id ? "active" : "standby"},
          {"spi_in", t.spi_in ? hex32(t.spi_in) : ""},
          {"spi_out", t.spi_out ? hex32(t.spi_out) : ""},
          {"nat_t", ps.nat_detected},
          {"liveness", index_of(t) < probes_.size() && probes_[index_of(t)]->alive() ? "alive" : "dead"},
          {"probe_rtt_ms", index_of(t) < probes_.size() ? probes_[index_of(t)]->last_rtt_ms() : 0.0},
          {"ike_sas", ps.ike_sas},
          {"child_sas", ps.child_sas},
          {"phase1_since", t.phase1_since},
          {"phase2_since", t.phase2_since},
          {"last_failure", t.last_failure == ike::Reason::kNone ? "" : ike::to_string(t.last_failure)},
          {"last_failure_detail", t.last_failure_detail},
          {"last_failure_at", t.last_failure_at},
      });
    }
    std::string active;
    for (std::size_t i : c.tunnels)
      if (tunnels_[i].id == c.active) active = tunnels_[i].cfg->name;
    conns.push_back({{"name", c.cfg->name},
                     {"routing", config::to_string(c.cfg->routing)},
                     {"active_tunnel", active},
                     {"failovers", c.failovers},
                     {"last_switch_reason", c.last_switch_reason},
                     {"tunnels", tuns}});
  }
  return json{{"version", 1}, {"connections", conns}};
}

}  // namespace xgw::gwd
