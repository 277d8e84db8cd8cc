#include "controller/gwd/stats.h"

#include <cstdio>
#include <sstream>

#include "counter_names.h"

namespace xgw::gwd {

using nlohmann::json;

namespace {

json counter(const datapath::Counter& c) { return json{{"packets", c.packets}, {"bytes", c.bytes}}; }

json sa(const kernel::SaCounters& c) {
  return json{{"packets", c.packets},
              {"bytes", c.bytes},
              {"replay_dropped", c.replay_dropped},
              {"integrity_failed", c.integrity_failed}};
}

}  // namespace

json stats_json(const std::vector<TunnelStats>& tunnels, const std::optional<datapath::GlobalCounters>& global) {
  json tuns = json::array();
  for (const auto& t : tunnels) {
    json dp = nullptr;
    if (t.datapath) {
      dp = json::object();
      for (int k = 0; k < XGW_TCTR_MAX; ++k)
        dp[datapath::tunnel_counter_name(static_cast<xgw_tunnel_counter>(k))] = counter(t.datapath->c[k]);
    }
    tuns.push_back({{"name", t.name},
                    {"connection", t.connection},
                    {"role", t.active ? "active" : "standby"},
                    {"phase1", t.phase1_up ? "up" : "down"},
                    {"phase2", t.phase2_up ? "up" : "down"},
                    {"datapath", dp},
                    {"xfrm", {{"in", sa(t.xfrm_in)}, {"out", sa(t.xfrm_out)}}},
                    {"phase1_age_s", t.phase1_age_s},
                    {"phase2_age_s", t.phase2_age_s},
                    {"phase1_rekey_in_s", t.phase1_rekey_in_s},
                    {"phase2_rekey_in_s", t.phase2_rekey_in_s},
                    {"failovers", t.failovers},
                    {"phase1_established", t.phase1_established},
                    {"phase2_established", t.phase2_established},
                    {"failures", t.failures},
                    {"probe_alive", t.probe_alive},
                    {"probe_rtt_ms", t.probe_rtt_ms}});
  }
  json g = nullptr;
  if (global) {
    g = {{"classes", json::object()}, {"drops", json::object()}, {"events", json::object()}};
    for (int i = 0; i < XGW_CLASS_MAX; ++i)
      g["classes"][datapath::class_name(static_cast<xgw_pkt_class>(i))] = counter(global->by_class[i]);
    for (int i = 1; i < XGW_DROP_MAX; ++i)  // 0 is "not dropped"
      g["drops"][datapath::drop_reason_name(static_cast<xgw_drop_reason>(i))] = counter(global->by_drop_reason[i]);
    for (int i = 0; i < XGW_EV_MAX; ++i)
      g["events"][datapath::event_name(static_cast<xgw_event>(i))] = counter(global->by_event[i]);
  }
  return json{{"version", 1}, {"tunnels", tuns}, {"datapath", g}};
}

namespace {

// Label values escaped as the exposition format requires (backslash, quote, newline).
std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

class Exposition {
 public:
  // Each metric family once, with HELP and TYPE before its first sample.
  void family(const std::string& name, const char* type, const std::string& help) {
    os_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  void sample(const std::string& name, const Labels& labels, double value) {
    os_ << name;
    if (!labels.empty()) {
      os_ << "{";
      for (std::size_t i = 0; i < labels.size(); ++i)
        os_ << (i ? "," : "") << labels[i].first << "=\"" << escape(labels[i].second) << "\"";
      os_ << "}";
    }
    char v[32];
    std::snprintf(v, sizeof v, "%.17g", value);
    os_ << " " << v << "\n";
  }
  std::string str() const { return os_.str(); }

 private:
  std::ostringstream os_;
};

double num(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0;
}

// j[key] when it is an object, else an empty object (never asserts on a const json).
json sub(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_object() ? j[key] : json::object();
}

}  // namespace

std::string prometheus_text(const json& stats) {
  Exposition e;
  const json tunnels = stats.value("tunnels", json::array());
  auto per_tunnel = [&](const std::string& name, const char* type, const std::string& help, auto&& fn) {
    e.family(name, type, help);
    for (const auto& t : tunnels) fn(t, Labels{{"connection", t.value("connection", "")}, {"tunnel", t.value("name", "")}});
  };
  per_tunnel("xgw_tunnel_up", "gauge", "1 when the tunnel's phase (1: ISAKMP SA, 2: ESP SA pair) is established.",
             [&](const json& t, Labels l) {
               auto l1 = l, l2 = l;
               l1.emplace_back("phase", "1");
               l2.emplace_back("phase", "2");
               e.sample("xgw_tunnel_up", l1, t.value("phase1", "") == "up");
               e.sample("xgw_tunnel_up", l2, t.value("phase2", "") == "up");
             });
  per_tunnel("xgw_tunnel_active", "gauge", "1 for the tunnel carrying its connection's LAN traffic.",
             [&](const json& t, Labels l) { e.sample("xgw_tunnel_active", l, t.value("role", "") == "active"); });
  per_tunnel("xgw_connection_failovers", "gauge", "Failovers of the tunnel's connection since gwd started.",
             [&](const json& t, Labels l) { e.sample("xgw_connection_failovers", l, num(t, "failovers")); });
  per_tunnel("xgw_tunnel_sa_age_seconds", "gauge", "Age of the tunnel's newest ISAKMP SA (phase 1) and active ESP pair (phase 2).",
             [&](const json& t, Labels l) {
               for (const char* ph : {"1", "2"}) {
                 double age = num(t, ph[0] == '1' ? "phase1_age_s" : "phase2_age_s");
                 if (age < 0) continue;
                 auto lp = l;
                 lp.emplace_back("phase", ph);
                 e.sample("xgw_tunnel_sa_age_seconds", lp, age);
               }
             });
  per_tunnel("xgw_tunnel_rekey_in_seconds", "gauge", "Time until gwd renews the SA of the phase.",
             [&](const json& t, Labels l) {
               for (const char* ph : {"1", "2"}) {
                 double in = num(t, ph[0] == '1' ? "phase1_rekey_in_s" : "phase2_rekey_in_s");
                 if (in < 0) continue;
                 auto lp = l;
                 lp.emplace_back("phase", ph);
                 e.sample("xgw_tunnel_rekey_in_seconds", lp, in);
               }
             });
  for (const char* unit : {"packets", "bytes"}) {
    std::string name = std::string("xgw_tunnel_sa_") + unit;
    per_tunnel(name, "gauge", std::string("Kernel XFRM counter of the active ESP SA pair (") + unit + "; a rekey starts a new pair).",
               [&](const json& t, Labels l) {
                 for (const char* dir : {"in", "out"}) {
                   auto ld = l;
                   ld.emplace_back("direction", dir);
                   e.sample(name, ld, num(sub(sub(t, "xfrm"), dir), unit));
                 }
               });
    std::string dp = std::string("xgw_datapath_tunnel_") + unit + "_total";
    per_tunnel(dp, "counter", std::string("Datapath (XDP/TC) counter of the tunnel's WAN traffic by kind (") + unit + ").",
               [&](const json& t, Labels l) {
                 const json dpc = sub(t, "datapath");  // named: items() refers to it
                 for (const auto& [kind, c] : dpc.items()) {
                   auto lk = l;
                   lk.emplace_back("kind", kind);
                   e.sample(dp, lk, num(c, unit));
                 }
               });
  }
  per_tunnel("xgw_ike_established_total", "counter", "ISAKMP SAs (phase 1) and ESP SA pairs (phase 2) established since gwd started.",
             [&](const json& t, Labels l) {
               auto l1 = l, l2 = l;
               l1.emplace_back("phase", "1");
               l2.emplace_back("phase", "2");
               e.sample("xgw_ike_established_total", l1, num(t, "phase1_established"));
               e.sample("xgw_ike_established_total", l2, num(t, "phase2_established"));
             });
  per_tunnel("xgw_ike_failures_total", "counter", "IKE failures by the engine's reason (docs/cli.md).",
             [&](const json& t, Labels l) {
               const json failures = sub(t, "failures");
               for (const auto& [reason, n] : failures.items()) {
                 auto lr = l;
                 lr.emplace_back("reason", reason);
                 e.sample("xgw_ike_failures_total", lr, n.get<double>());
               }
             });
  per_tunnel("xgw_probe_rtt_seconds", "gauge", "Round trip of the last answered liveness probe through the tunnel.",
             [&](const json& t, Labels l) { e.sample("xgw_probe_rtt_seconds", l, num(t, "probe_rtt_ms") / 1000.0); });
  per_tunnel("xgw_probe_alive", "gauge", "1 while the liveness probe through the tunnel is answered.",
             [&](const json& t, Labels l) { e.sample("xgw_probe_alive", l, t.value("probe_alive", false)); });
  const json g = sub(stats, "datapath");
  if (!g.empty()) {
    struct Group {
      const char* key;
      const char* metric;
      const char* label;
      const char* help;
    };
    for (const Group& grp : {Group{"drops", "xgw_datapath_drops_total", "reason", "Packets the XDP program dropped, by reason."},
                             Group{"classes", "xgw_datapath_class_packets_total", "class", "WAN packets by traffic class."},
                             Group{"events", "xgw_datapath_events_total", "event", "Datapath events (steering, clamps, unknown SPIs)."}}) {
      e.family(grp.metric, "counter", grp.help);
      const json group = sub(g, grp.key);
      for (const auto& [k, c] : group.items()) e.sample(grp.metric, {{grp.label, k}}, num(c, "packets"));
    }
  }
  return e.str();
}

}  // namespace xgw::gwd
