// The status the control socket's "status" command returns (schema: docs/cli.md, version 1).
#include "controller/gwd/bgp_watch.h"
#include "controller/gwd/gateway.h"
#include "controller/gwd/sa_params.h"
#include "controller/gwd/stats.h"

namespace xgw::gwd {

using nlohmann::json;

json Gateway::status() const {
  json conns = json::array();
  for (const auto& [cid, c] : connections_) {
    json tuns = json::array();
    for (std::uint32_t id : c.tunnels) {
      const TunnelState& t = tunnels_.at(id);
      ike::PeerStatus ps = engine_.status(t.peer);
      // doctor's "ESP out but none in" (protocol 50 blocked); zeros without a pair.
      auto pair = active_pair_counters(t);
      std::uint64_t esp_in = pair ? pair->in.packets : 0, esp_out = pair ? pair->out.packets : 0;
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
          {"liveness", !t.probe || !t.probe->probing() ? "off" : t.probe->alive() ? "alive" : "dead"},
          {"probe_rtt_ms", t.probe ? t.probe->last_rtt_ms() : 0.0},
          {"ike_sas", ps.ike_sas},
          {"child_sas", ps.child_sas},
          {"esp_in_packets", esp_in},
          {"esp_out_packets", esp_out},
          {"phase1_since", t.phase1_since},
          {"phase2_since", t.phase2_since},
          {"last_failure", t.last_failure == ike::Reason::kNone ? "" : ike::to_string(t.last_failure)},
          {"last_failure_detail", t.last_failure_detail},
          {"last_failure_at", t.last_failure_at},
      });
      if (c.cfg.routing == config::Routing::kBgp) {
        json routes = json::array();
        for (const auto& [p, med] : t.bgp_routes)
          routes.push_back({{"prefix", config::Cidr{p.first, p.second}.str()}, {"med", med}});
        tuns.back()["bgp"] = {{"state", t.bgp_established ? "established" : "down"},
                              {"info", t.bgp_info},
                              {"since", t.bgp_since},
                              {"routes", std::move(routes)}};
      }
    }
    std::string active;
    if (c.active) active = tunnels_.at(c.active).cfg->name;
    conns.push_back({{"name", c.cfg.name},
                     {"routing", config::to_string(c.cfg.routing)},
                     {"on_demand", c.cfg.on_demand},
                     {"demand_up", c.demand_up},
                     {"active_tunnel", active},
                     {"failovers", c.failovers},
                     {"last_switch_reason", c.last_switch_reason},
                     {"tunnels", tuns}});
    if (c.cfg.routing == config::Routing::kBgp) {
      json learned = json::array();
      for (const auto& n : c.learned_networks) learned.push_back(n.str());
      conns.back()["learned_networks"] = std::move(learned);
    }
  }
  json out{{"version", 1}, {"connections", conns}};
  if (bgp_) out["bird"] = {{"socket", bgp_->bird_socket()}, {"error", bgp_->bird_error()}};
  return out;
}

std::optional<Gateway::PairCounters> Gateway::active_pair_counters(const TunnelState& t) const {
  if (!t.phase2_up) return std::nullopt;
  try {
    return PairCounters{kernel_.ipsec.QuerySa(to_addr4(cfg_.gateway.local_address), t.spi_in),
                        kernel_.ipsec.QuerySa(to_addr4(t.cfg->peer_address), t.spi_out)};
  } catch (const kernel::KernelError&) {
    return std::nullopt;
  }
}

json Gateway::stats() const {
  std::vector<TunnelStats> out;
  const ike::Millis t_now = now();
  auto seconds_since = [&](ike::Millis at) -> std::int64_t {
    return at ? static_cast<std::int64_t>(t_now > at ? (t_now - at) / 1000 : 0) : -1;
  };
  auto seconds_until = [&](ike::Millis at) -> std::int64_t {
    return at ? static_cast<std::int64_t>(at > t_now ? (at - t_now) / 1000 : 0) : -1;
  };
  for (const auto& [cid, c] : connections_) {
    for (std::uint32_t id : c.tunnels) {
      const TunnelState& t = tunnels_.at(id);
      ike::PeerStatus ps = engine_.status(t.peer);
      TunnelStats s;
      s.name = t.cfg->name;
      s.connection = c.cfg.name;
      s.active = c.active == t.id;
      s.phase1_up = t.phase1_up;
      s.phase2_up = t.phase2_up;
      if (kernel_.maps) s.datapath = kernel_.maps->ReadTunnelCounters(t.id);
      if (auto pair = active_pair_counters(t)) {
        s.xfrm_in = pair->in;
        s.xfrm_out = pair->out;
      }
      if (ps.phase1_up) {
        s.phase1_age_s = seconds_since(ps.ike_established_at);
        s.phase1_rekey_in_s = seconds_until(ps.ike_rekey_at);
      }
      if (t.phase2_up) {
        s.phase2_age_s = seconds_since(ps.child_installed_at);
        s.phase2_rekey_in_s = seconds_until(ps.child_rekey_at);
      }
      s.failovers = c.failovers;
      s.phase1_established = t.phase1_established;
      s.phase2_established = t.phase2_established;
      s.failures = t.failures;
      s.probe_alive = t.probe && t.probe->probing() && t.probe->alive();
      s.probe_rtt_ms = t.probe ? t.probe->last_rtt_ms() : 0.0;
      out.push_back(std::move(s));
    }
  }
  std::optional<datapath::GlobalCounters> global;
  if (kernel_.maps) global = kernel_.maps->ReadGlobalCounters();
  return stats_json(out, global);
}

}  // namespace xgw::gwd
