#include "controller/gwd/gateway.h"

#include <arpa/inet.h>

#include <cstdio>
#include <ctime>

#include "controller/gwd/bgp_watch.h"
#include "controller/gwd/keylog.h"
#include "controller/gwd/log.h"
#include "controller/gwd/packet_rules.h"
#include "controller/gwd/peer_config.h"
#include "controller/gwd/sa_params.h"

namespace xgw::gwd {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// RFC 3948 §4: NAT keepalives every 20 s.
constexpr auto kKeepaliveInterval = std::chrono::seconds(20);

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace

Gateway::Gateway(asio::io_context& io, config::Config cfg, KernelHandles kernel, ike::Random& rng)
    : io_(io),
      cfg_(std::move(cfg)),
      kernel_(kernel),
      engine_(rng),
      state_file_(cfg_.gateway.state_dir),
      keepalive_(io),
      idle_(io),
      inbound_watch_(io),
      state_save_(io) {}

Gateway::~Gateway() = default;

void Gateway::set_keylog(std::unique_ptr<KeyLog> keylog) { keylog_ = std::move(keylog); }

// The engine reports keys (KeysEstablished) only when there is a keylog to write them to.
ike::PeerConfig Gateway::peer_config(const ConnectionState& c, const TunnelState& t) const {
  ike::PeerConfig p = to_peer_config(cfg_.gateway, c.cfg, *t.cfg);
  p.emit_keys = keylog_ != nullptr;
  return p;
}

// The engine's clock is CLOCK_MONOTONIC (steady_clock's epoch is the boot), not the process
// start: the times in a state file stay valid for the gwd that adopts it.
ike::Millis Gateway::now() const {
  return static_cast<ike::Millis>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

namespace {

// What the state file records changes with SAs and events, not with datagrams, timers or
// refused messages: a flood of rejected Main Modes must not become a file write (and fsync)
// per packet.
bool changes_saved_state(const ike::Action& a) {
  if (std::holds_alternative<ike::SendDatagram>(a) || std::holds_alternative<ike::ArmTimer>(a) ||
      std::holds_alternative<ike::CancelTimer>(a))
    return false;
  const auto* e = std::get_if<ike::Event>(&a);
  return !e || (e->type != ike::EventType::kFailure && e->type != ike::EventType::kKeysEstablished);
}

}  // namespace

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
    if (actions.empty()) break;
    for (const auto& a : actions)
      if (changes_saved_state(a)) dirty_ = true;
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
  if (dirty_) save_state_soon();
}

// The state file holds every tunnel, so writing it after each event costs O(tunnels) per
// event: with 100 tunnels coming up at once, about 150 ms per phase 2 under emulation, and
// gwd answered its peers seconds late (bench-ike). Changes within kStateSaveDelay go into one
// write; a gwd killed in that window restarts from the state just before.
void Gateway::save_state_soon() {
  constexpr auto kStateSaveDelay = std::chrono::milliseconds(100);
  if (state_save_armed_) return;
  state_save_armed_ = true;
  state_save_.expires_after(kStateSaveDelay);
  state_save_.async_wait([this](const boost::system::error_code& ec) {
    state_save_armed_ = false;
    if (!ec && started_ && dirty_) save_state();
  });
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
  timer->expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(at)));
  timer->async_wait([this, id](const boost::system::error_code& ec) {
    if (ec) return;
    // Answers already received first: one of them may make this timeout moot (a
    // retransmission's answer cancels its timer, a DPD ACK its deadline).
    if (sockets_) sockets_->read_pending();
    if (!timers_.erase(id)) return;  // cancelled by what was just read
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
  for (auto& [id, t] : tunnels_)
    if (t.phase1_up && engine_.status(t.peer).nat_detected) sockets_->send_keepalive(t.cfg->peer_address, 4500);
  keepalive_.expires_after(kKeepaliveInterval);
  keepalive_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) keepalive_tick();
  });
}

void Gateway::on_kernel_event(const kernel::KernelEvent& e) {
  // The tunnel: by XFRM interface id, or else by the peer's outer address.
  TunnelState* t = nullptr;
  for (auto& [id, x] : tunnels_) {
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
      on_acquire(e, t);
      break;
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
  else watch_inbound(*t, a.inbound.spi);
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
  t->awaiting_inbound_spi = 0;
}

// Make-before-break needs to know when the peer starts sending on a new pair (it does once it
// has QM3): the engine switches our outbound SA then (Engine::on_esp_inbound), and until then
// sends QM3 again rather than switch blind. The liveness probe's replies make this quick on
// any tunnel; the kernel's packet counter of the new inbound SA is the evidence, read every
// kInboundWatchInterval while a tunnel waits.
void Gateway::watch_inbound(TunnelState& t, std::uint32_t spi) {
  t.awaiting_inbound_spi = spi;
  t.awaiting_inbound_since = now();
  if (!inbound_watching_) inbound_tick();
}

void Gateway::inbound_tick() {
  constexpr auto kInboundWatchInterval = std::chrono::milliseconds(100);
  constexpr ike::Millis kInboundWatchMaxMs = 30000;  // the engine has switched long before
  inbound_watching_ = false;
  std::vector<std::uint32_t> arrived;
  for (auto& [id, t] : tunnels_) {
    if (!t.awaiting_inbound_spi) continue;
    if (now() > t.awaiting_inbound_since + kInboundWatchMaxMs) {
      t.awaiting_inbound_spi = 0;
      continue;
    }
    try {
      if (kernel_.ipsec.QuerySa(to_addr4(cfg_.gateway.local_address), t.awaiting_inbound_spi).packets > 0) {
        arrived.push_back(t.awaiting_inbound_spi);
        t.awaiting_inbound_spi = 0;
        continue;
      }
    } catch (const kernel::KernelError&) {
      t.awaiting_inbound_spi = 0;  // the SA went away (a failed exchange): nothing to wait for
      continue;
    }
    inbound_watching_ = true;
  }
  for (std::uint32_t spi : arrived) engine_.on_esp_inbound(spi, now());
  if (!arrived.empty()) drain();
  if (!inbound_watching_) return;
  inbound_watch_.expires_after(kInboundWatchInterval);
  inbound_watch_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) inbound_tick();
  });
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
      ++t->phase1_established;
      log_info(name + "phase 1 up" + (e.detail.empty() ? "" : " (" + e.detail + ")"));
      break;
    case ike::EventType::kPhase1Down:
      t->phase1_up = engine_.status(t->peer).phase1_up;
      log_info(name + "phase 1 down (" + ike::to_string(e.reason) + ")");
      break;
    case ike::EventType::kPhase2Up: {
      bool fresh = !t->phase2_up;  // came up, rather than rekeyed
      t->phase2_up = true;
      t->phase2_since = unix_now();
      ++t->phase2_established;
      t->spi_in = e.spi_in;
      t->spi_out = e.spi_out;
      // An on-demand tunnel's probe exists only while it has SAs; a new probe resumes itself.
      if (!t->probe) start_probe(*t);
      else t->probe->resume(fresh);
      log_info(name + "phase 2 up, spi in " + hex32(e.spi_in) + " out " + hex32(e.spi_out));
      reselect(c, t->cfg->name + " came up");
      break;
    }
    case ike::EventType::kPhase2Down:
      t->phase2_up = false;
      t->spi_in = t->spi_out = 0;
      if (t->probe) t->probe->pause();
      reselect(c, t->cfg->name + " went down: " + ike::to_string(e.reason));  // before the log line
      log_warn(name + "phase 2 down (" + ike::to_string(e.reason) + ")");
      break;
    case ike::EventType::kDpdDead:
    case ike::EventType::kPeerDelete:
      log_warn(name + ike::to_string(e.type) + " (" + e.detail + ")");
      break;
    case ike::EventType::kPhase1Duplicate:
      log_info(name + "phase 1 collision: " + e.detail);
      break;
    case ike::EventType::kFailure:
      t->last_failure = e.reason;
      t->last_failure_detail = e.detail;
      t->last_failure_at = unix_now();
      ++t->failures[ike::to_string(e.reason)];
      log_failure(*t, name + "failure " + ike::to_string(e.reason) + (e.detail.empty() ? "" : ": " + e.detail),
                  ike::to_string(e.reason));
      break;
    case ike::EventType::kKeysEstablished:
      // To the keylog files only: keys never go to the log.
      if (keylog_ && e.keys)
        if (auto err = keylog_->write(*e.keys)) log_warn(name + *err);
      break;
  }
}

// One line per tunnel and reason per kFailureLogIntervalMs: a peer (or someone spoofing its
// address) can make the engine refuse messages as fast as it sends them, and each refusal
// must not become a log line. The counts stay exact in stats (`failures`).
void Gateway::log_failure(TunnelState& t, const std::string& line, const std::string& reason) {
  constexpr ike::Millis kFailureLogIntervalMs = 10000;
  auto& lim = t.failure_log[reason];
  const ike::Millis at = now();
  if (lim.logged_at && at < lim.logged_at + kFailureLogIntervalMs) {
    ++lim.suppressed;
    return;
  }
  log_warn(line + (lim.suppressed ? " (and " + std::to_string(lim.suppressed) + " more since the last such line)" : ""));
  lim.logged_at = at;
  lim.suppressed = 0;
}

void Gateway::reselect(ConnectionState& c, const std::string& why) {
  if (c.cfg.routing == config::Routing::kBgp) return reselect_bgp(c, why);
  TunnelState& preferred = tunnels_.at(c.tunnels[0]);
  TunnelState& second = tunnels_.at(c.tunnels[1]);
  TunnelState* current = c.active ? tunnel_by_id(c.active) : nullptr;
  if (current && usable(*current)) {
    // Return to the preferred tunnel only before any failover, or when failback is enabled.
    // Settling on the preferred tunnel when the second one happened to come up first is not
    // a failover; a failback after one is.
    if (current != &preferred && usable(preferred) && (c.failovers == 0 || c.cfg.failback))
      set_active(c, preferred, why, c.failovers > 0);
    return;
  }
  bool failover = current != nullptr;  // the active tunnel is no longer usable
  if (usable(preferred)) set_active(c, preferred, why, failover);
  else if (usable(second)) set_active(c, second, why, failover);
}

void Gateway::set_active(ConnectionState& c, TunnelState& t, const std::string& why, bool failover) {
  if (c.active == t.id) return;
  if (kernel_.maps) kernel_.maps->SetActiveTunnel(c.id, t.id);
  if (failover) ++c.failovers;
  c.active = t.id;
  c.active_bgp_seen = !t.bgp_routes.empty();
  c.last_switch_reason = why;
  dirty_ = true;
  log_info("connection " + c.cfg.name + ": " + (failover ? "failover" : "active") + " -> " + t.cfg->name + " (" +
           why + ")");
}

bool Gateway::usable(const TunnelState& t) const {
  bool probe_alive = !t.probe || t.probe->alive();
  return t.admin_up && t.phase2_up && probe_alive;
}

TunnelState* Gateway::tunnel_by_peer(ike::PeerId p) {
  for (auto& [id, t] : tunnels_)
    if (t.peer == p) return &t;
  return nullptr;
}

TunnelState* Gateway::tunnel_by_name(const std::string& name) {
  for (auto& [id, t] : tunnels_)
    if (t.cfg->name == name) return &t;
  return nullptr;
}

TunnelState* Gateway::tunnel_by_id(std::uint32_t id) {
  auto it = tunnels_.find(id);
  return it == tunnels_.end() ? nullptr : &it->second;
}

ConnectionState& Gateway::connection_of(const TunnelState& t) { return connections_.at(t.connection); }

TunnelState& Gateway::other_tunnel(const TunnelState& t) {
  ConnectionState& c = connection_of(t);
  return tunnels_.at(c.tunnels[0] == t.id ? c.tunnels[1] : c.tunnels[0]);
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
  for (auto& [cid, c] : connections_) {
    if (c.cfg.name != conn_name) continue;
    TunnelState* target = nullptr;
    if (to.empty()) {
      target = c.active ? &other_tunnel(tunnels_.at(c.active)) : &tunnels_.at(c.tunnels[1]);
    } else {
      target = tunnel_by_name(to);
      if (!target || target->connection != c.id) return "tunnel '" + to + "' is not a tunnel of " + conn_name;
    }
    if (!target->phase2_up) return "tunnel " + target->cfg->name + " has no phase 2 SA; refusing to steer into it";
    if (c.active == target->id) return std::nullopt;
    set_active(c, *target, "operator request", true);
    if (dirty_) save_state();
    return std::nullopt;
  }
  return "no connection named '" + conn_name + "'";
}

}  // namespace xgw::gwd
