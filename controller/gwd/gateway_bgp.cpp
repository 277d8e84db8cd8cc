// BGP connections (docs/bgp.md): BIRD runs one session per tunnel; the gateway turns what
// the sessions learned into steered networks and lets BGP's health and AWS's MED choose
// between two usable tunnels. IKE, DPD and the liveness probe still decide whether a tunnel
// is usable at all: BGP's hold timer is never the only detector, and a failover stays one
// datapath map update.
#include <ctime>

#include "controller/gwd/bgp_watch.h"
#include "controller/gwd/gateway.h"
#include "controller/gwd/log.h"

namespace xgw::gwd {

namespace {

constexpr std::uint32_t kNoRoutes = ~0u;

std::string prefix_str(const std::pair<std::uint32_t, std::uint8_t>& p) {
  return config::Cidr{p.first, p.second}.str();
}

}  // namespace

void Gateway::bgp_sync() {
  std::vector<BirdSession> sessions;
  for (const auto& [cid, c] : connections_) {
    if (c.cfg.routing != config::Routing::kBgp || !c.cfg.bgp) continue;
    for (std::uint32_t id : c.tunnels) {
      const TunnelState& t = tunnels_.at(id);
      sessions.push_back({t.id, t.cfg->name, t.cfg->local_inside(), t.cfg->peer_inside(), *c.cfg.bgp});
    }
  }
  if (sessions.empty() && !bgp_) return;
  if (!bgp_) {
    BgpWatch::Handlers h;
    h.session = [this](std::uint32_t id, const std::string& info, bool established) {
      on_bgp_session(id, info, established);
    };
    h.routes = [this](std::uint32_t id) { on_bgp_routes(id); };
    bgp_ = std::make_unique<BgpWatch>(io_, cfg_.gateway.bird_socket, cfg_.gateway.bird_config, std::move(h));
  }
  bgp_->configure(std::move(sessions));
}

void Gateway::on_bgp_session(std::uint32_t tunnel_id, const std::string& info, bool established) {
  TunnelState* t = tunnel_by_id(tunnel_id);
  if (!t) return;
  bool changed = established != t->bgp_established;
  t->bgp_info = info;
  if (!changed) {
    if (!established) log_info("tunnel " + t->cfg->name + ": BGP " + info);
    return;
  }
  t->bgp_established = established;
  t->bgp_since = std::time(nullptr);
  ConnectionState& c = connection_of(*t);
  if (established) {
    log_info("tunnel " + t->cfg->name + ": BGP established with AS " + std::to_string(c.cfg.bgp->peer_asn));
  } else {
    log_warn("tunnel " + t->cfg->name + ": BGP down (" + info + ")");
  }
}

void Gateway::on_bgp_routes(std::uint32_t tunnel_id) {
  TunnelState* t = tunnel_by_id(tunnel_id);
  if (!t || !bgp_) return;
  t->bgp_routes = bgp_->learned(tunnel_id);
  ConnectionState& c = connection_of(*t);
  if (c.active == t->id && !t->bgp_routes.empty()) c.active_bgp_seen = true;
  std::vector<config::Cidr> learned;
  for (std::uint32_t id : c.tunnels)
    for (const auto& [p, med] : tunnels_.at(id).bgp_routes) {
      config::Cidr n{p.first, p.second};
      if (std::find(learned.begin(), learned.end(), n) == learned.end()) learned.push_back(n);
    }
  std::vector<config::Cidr> previous = c.learned_networks;
  if (learned != previous) {
    for (const auto& n : learned)
      if (std::find(previous.begin(), previous.end(), n) == previous.end())
        log_info("connection " + c.cfg.name + ": steering " + n.str() + " (learned over BGP)");
    for (const auto& n : previous)
      if (std::find(learned.begin(), learned.end(), n) == learned.end())
        log_info("connection " + c.cfg.name + ": no longer steering " + n.str() + " (withdrawn over BGP)");
    previous.insert(previous.end(), c.cfg.remote_networks.begin(), c.cfg.remote_networks.end());
    c.learned_networks = std::move(learned);
    update_remote_networks(kernel_, c, previous);
  }
  std::string meds;
  for (const auto& [p, med] : t->bgp_routes) meds += (meds.empty() ? "" : ", ") + prefix_str(p) + " MED " + std::to_string(med);
  log_info("tunnel " + t->cfg->name + ": routes learned over BGP: " + (meds.empty() ? "none" : meds));
  reselect(c, "BGP routes on " + t->cfg->name);
}

std::uint32_t Gateway::bgp_med(const TunnelState& t) const {
  std::uint32_t med = kNoRoutes;
  for (const auto& [p, m] : t.bgp_routes) med = std::min(med, m);
  return med;
}

// Between two tunnels of a BGP connection: a usable one beats one that is not; then one
// over which routes were learned (a session that went down has withdrawn them; one that is
// established but has not announced anything yet is no better than none); then the lower
// MED (AWS raises it on a tunnel before maintenance, so traffic leaves that tunnel before
// its Delete comes). Positive: a is better.
int Gateway::bgp_compare(const TunnelState& a, const TunnelState& b) const {
  if (usable(a) != usable(b)) return usable(a) ? 1 : -1;
  bool ra = !a.bgp_routes.empty(), rb = !b.bgp_routes.empty();
  if (ra != rb) return ra ? 1 : -1;
  std::uint32_t ma = bgp_med(a), mb = bgp_med(b);
  if (ma != mb) return ma < mb ? 1 : -1;
  return 0;
}

void Gateway::reselect_bgp(ConnectionState& c, const std::string& why) {
  TunnelState& preferred = tunnels_.at(c.tunnels[0]);
  TunnelState& second = tunnels_.at(c.tunnels[1]);
  TunnelState* current = c.active ? tunnel_by_id(c.active) : nullptr;
  TunnelState& best = bgp_compare(second, preferred) > 0 ? second : preferred;
  if (!usable(best) || current == &best) return;
  std::string reason = why;
  bool settling = false;
  if (current && usable(*current)) {
    int cmp = bgp_compare(best, *current);
    // Equal: stay, except to settle on the preferred tunnel before any failover (or with
    // failback), as static connections do.
    settling = cmp == 0 && &best == &preferred && (c.failovers == 0 || c.cfg.failback);
    if (cmp < 0 || (cmp == 0 && !settling)) return;
    if (cmp > 0 && !best.bgp_routes.empty() && !current->bgp_routes.empty())
      reason += ": " + current->cfg->name + " MED " + std::to_string(bgp_med(*current)) + ", " + best.cfg->name +
                " MED " + std::to_string(bgp_med(best));
  }
  // Leaving a tunnel over which routes had been learned is a failover; settling (or failing
  // back) on the preferred tunnel counts as static connections count it.
  bool failover = settling ? c.failovers > 0 : current && c.active_bgp_seen;
  set_active(c, best, reason, failover);
}

}  // namespace xgw::gwd
