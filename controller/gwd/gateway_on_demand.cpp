// On-demand connections (AWS: "the tunnel comes up when traffic is generated from the
// customer gateway side"): only the policies are installed; the first LAN packet that meets
// them makes the kernel send an acquire, which brings both tunnels up. An idle timeout takes
// them down again.
#include "controller/gwd/gateway.h"
#include "controller/gwd/log.h"

namespace xgw::gwd {
namespace {

constexpr auto kIdleCheckInterval = std::chrono::seconds(2);

}  // namespace

void Gateway::on_acquire(const kernel::KernelEvent& e, TunnelState* t) {
  if (!t) return;
  ConnectionState& c = connection_of(*t);
  if (!c.cfg.on_demand || c.demand_up) return;  // always-on tunnels are up or on their way
  bring_up(c, "traffic to " + e.selector.dst.addr.ToString() + " met " + t->cfg->name + "'s policy");
}

void Gateway::idle_tick() {
  const ike::Millis t_now = now();
  for (auto& [cid, c] : connections_) {
    if (!c.cfg.on_demand || !c.cfg.idle_timeout || !c.demand_up) continue;
    if (!c.idle_since) c.idle_since = t_now;
    bool traffic = false;
    for (std::uint32_t id : c.tunnels) {
      TunnelState& t = tunnels_.at(id);
      auto pair = active_pair_counters(t);
      if (!pair) continue;  // no pair, or being replaced: the next check sees the new one
      TunnelState::IdleSample s{t.spi_in, t.spi_out, pair->in.packets + pair->out.packets,
                                t.probe ? t.probe->sent() + t.probe->received() : 0};
      const TunnelState::IdleSample& last = t.idle_sample;
      // Packets through the SAs that the probe did not send or receive itself. A new SA pair
      // (rekey) starts a new sample.
      if (last.spi_in == s.spi_in && last.spi_out == s.spi_out &&
          s.sa_packets - last.sa_packets > s.probe_packets - last.probe_packets)
        traffic = true;
      t.idle_sample = s;
    }
    if (traffic) c.idle_since = t_now;
    else if (t_now - c.idle_since >= ike::Millis{c.cfg.idle_timeout} * 1000)
      take_down_idle(c);
  }
  idle_.expires_after(kIdleCheckInterval);
  idle_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) idle_tick();
  });
}

void Gateway::take_down_idle(ConnectionState& c) {
  log_info("connection " + c.cfg.name + ": idle for " + std::to_string(c.cfg.idle_timeout) +
           " s, taking its tunnels down until traffic returns");
  c.demand_up = false;
  c.idle_since = 0;
  for (std::uint32_t id : c.tunnels) {
    TunnelState& t = tunnels_.at(id);
    // The probe would keep meeting the policy and bring the tunnel straight back.
    if (t.probe) t.probe->stop();
    t.probe.reset();
    t.idle_sample = {};
    engine_.terminate(t.peer, now());
    t.phase1_up = t.phase2_up = false;
    t.spi_in = t.spi_out = 0;
  }
  drain();
  c.active = 0;
  if (kernel_.maps) kernel_.maps->SetActiveTunnel(c.id, c.tunnels[0]);  // for the next acquire
  dirty_ = true;
  drain();
}

}  // namespace xgw::gwd
