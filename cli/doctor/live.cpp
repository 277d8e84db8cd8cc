#include "cli/doctor/live.h"

namespace xgw::doctor {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string join(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
  return s;
}

bool starts(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

const config::Tunnel* find_tunnel(const config::Config& cfg, const std::string& name) {
  for (const auto& c : cfg.connections)
    for (const auto& t : c.tunnels)
      if (t.name == name) return &t;
  return nullptr;
}

}  // namespace

Diagnosis translate_failure(const std::string& reason, const config::Tunnel* t) {
  const std::string peer = t ? config::ipv4_str(t->peer_address) : "the AWS endpoint";
  const bool quick_mode = reason.find(":QM") != std::string::npos;
  if (reason == "no_reply:MM1")
    return {"UDP 500 blocked or wrong peer address; remember AWS never initiates IKEv1",
            "allow UDP 500 to and from " + peer + " on every firewall on the path, check peer_address is the tunnel's "
            "AWS outside IP and that AWS's customer gateway address is ours (or public_address behind NAT)"};
  if (reason == "no_reply:MM3")
    return {"AWS accepted the phase 1 proposal but not the key exchange: packets lost on the path or our address is not "
            "the customer gateway AWS knows",
            "check UDP 500 fragments are not dropped (large DH groups) and that public_address matches AWS's customer gateway"};
  if (reason == "no_valid_reply:MM5" || reason == "no_valid_reply:MM6" || reason == "no_reply:MM5" ||
      reason == "notify:INVALID-HASH-INFORMATION" || reason == "notify:AUTHENTICATION-FAILED" ||
      reason == "notify:INVALID-PAYLOAD-TYPE")
    return {"pre-shared key mismatch",
            "copy the tunnel's pre_shared_key from AWS's file again (each tunnel has its own key); behind NAT, "
            "public_address must be the address AWS has, or AWS picks no key for us"};
  // "notify:NO-PROPOSAL-CHOSEN" or with the exchange appended (":QM1"): which phase matters.
  if (starts(reason, "notify:NO-PROPOSAL-CHOSEN")) {
    std::string offered;
    if (t) {
      const auto& a = t->algorithms;
      offered = quick_mode ? "we offered ESP " + join(a.esp_encryption) + " / " + join(a.esp_integrity) + ", PFS groups " + join(a.esp_pfs_groups)
                           : "we offered " + join(a.ike_encryption) + " / " + join(a.ike_integrity) + ", DH groups " + join(a.ike_dh_groups);
    }
    return {std::string("AWS allows none of our ") + (quick_mode ? "phase 2" : "phase 1") +
                " proposals for this tunnel (AWS allows, unless narrowed in the tunnel options: AES128, AES256, SHA1, "
                "SHA2-256/384/512, groups " + (quick_mode ? "2, 5, 14-24" : "2, 14-24") + ")" + (offered.empty() ? "" : "; " + offered),
            "compare the tunnel options at AWS (aws ec2 describe-vpn-connections) with the ike_*/esp_* lists, or re-import with "
            "gwctl import aws FILE.xml describe.json"};
  }
  if (reason == "notify:INVALID-ID-INFORMATION")
    return {"AWS rejected an identity or the traffic selectors",
            "phase 1: our ID must be the customer gateway address AWS has (public_address behind NAT); phase 2: use one "
            "selector pair, 0.0.0.0/0 <-> 0.0.0.0/0 or AWS's Local/RemoteIpv4NetworkCidr"};
  if (starts(reason, "no_reply:QM"))
    return {"AWS did not answer the phase 2 proposal: PFS group or ESP algorithms not allowed, or AWS dropped phase 1",
            "check esp_* and esp_pfs_groups against the tunnel options (PFS is always required by AWS)"};
  if (reason == "dpd_timeout")
    return {"AWS stopped answering dead peer detection: path lost or AWS endpoint replaced (maintenance)",
            "gwd re-initiates; if it keeps failing, check UDP 500/4500 and ESP to " + peer};
  if (starts(reason, "delete"))
    return {"AWS deleted the SA (DPD timeout on its side, maintenance, or a rekey collision)",
            "gwd re-initiates; answer DPD promptly and keep lifetimes below AWS's (28800/3600 s)"};
  if (starts(reason, "no_reply:"))
    return {"AWS stopped answering during " + reason.substr(9), "check the path to " + peer + " (UDP 500/4500)"};
  return {"engine reported " + reason, "see gwd's log for the tunnel"};
}

namespace {

Check tunnel_check(const nlohmann::json& s, const nlohmann::json& conn, const config::Config& cfg,
                   std::int64_t now_unix, const std::string& bird_error) {
  std::string name = s.value("name", std::string("?"));
  const config::Tunnel* t = find_tunnel(cfg, name);
  std::string p1 = s.value("phase1", std::string("down")), p2 = s.value("phase2", std::string("down"));
  Check c{"live.tunnel", "tunnel " + name + " (phase 1 " + p1 + ", phase 2 " + p2 + ")", Status::kPass, "", ""};
  std::string failure = s.value("last_failure", std::string());
  std::int64_t in = s.value("esp_in_packets", std::int64_t{-1}), out = s.value("esp_out_packets", std::int64_t{-1});
  std::int64_t since = s.value("phase2_since", std::int64_t{0});
  std::int64_t age = since > 0 ? now_unix - since : -1;
  if (s.value("admin", std::string("up")) == "down") {
    c.status = Status::kWarn;
    c.detail = "taken down by the operator";
    c.fix = "gwctl up " + name;
  } else if (p2 == "up" && in == 0 && out > 0 && age >= kNoInboundEspAfterS) {
    c.status = Status::kFail;
    c.detail = "phase 2 up for " + std::to_string(age) + " s, " + std::to_string(out) +
               " ESP packets out, none in: protocol 50 blocked";
    c.fix = "allow ESP (IP protocol 50) from " + (t ? config::ipv4_str(t->peer_address) : std::string("AWS")) +
            " on every firewall on the path; behind NAT, UDP 4500 instead";
  } else if (p1 != "up" || p2 != "up") {
    if (conn.value("on_demand", false) && !conn.value("demand_up", false) && failure.empty()) {
      c.detail = "on-demand: down until LAN traffic arrives";
      return c;
    }
    c.status = Status::kFail;
    if (failure.empty()) {
      c.detail = "not established, no failure recorded yet";
      c.fix = "wait for gwd's next attempt, then run doctor again";
    } else {
      Diagnosis d = translate_failure(failure, t);
      c.detail = failure + ": " + d.cause;
      c.fix = d.fix;
    }
  } else {
    c.detail = "established";
    // AWS marks a BGP tunnel UP only once BGP is established over it (the most common AWS
    // support case: IPsec up, BGP not).
    const nlohmann::json bgp = s.value("bgp", nlohmann::json::object());
    const config::Connection* cc = nullptr;
    for (const auto& x : cfg.connections)
      if (x.routing == config::Routing::kBgp && name.rfind(x.name + "/", 0) == 0) cc = &x;
    if (cc && t && bgp.is_object() && bgp.contains("state") && bgp.value("state", "") != "established") {
      c.status = Status::kFail;
      std::string info = bgp.value("info", std::string());
      c.detail = "IPsec up, BGP not established" + (info.empty() ? std::string() : " (BIRD: " + info + ")") +
                 ": AWS shows this tunnel DOWN";
      if (!bird_error.empty()) {
        c.detail += "; gwd cannot use BIRD: " + bird_error;
        c.fix = "start BIRD 2 (systemctl start bird) with `include \"<bird_config>\";` in bird.conf, and check "
                "bird_socket (docs/bgp.md)";
      } else {
        c.fix = "BGP runs from " + config::ipv4_str(t->local_inside()) + " (AS " + std::to_string(cc->bgp ? cc->bgp->local_asn : 65000) +
                ") to " + config::ipv4_str(t->peer_inside()) + " (AS " + std::to_string(cc->bgp ? cc->bgp->peer_asn : 64512) +
                ", hold time 30 s): check both ASNs against AWS's file and that TCP 179 is not filtered on the tunnel interface";
      }
    }
  }
  return c;
}

}  // namespace

std::vector<Check> live_checks(const nlohmann::json& status, const config::Config& cfg, std::int64_t now_unix) {
  std::vector<Check> out;
  std::string bird_error;
  if (status.contains("bird") && status["bird"].is_object()) bird_error = status["bird"].value("error", std::string());
  for (const auto& conn : status.value("connections", nlohmann::json::array()))
    for (const auto& s : conn.value("tunnels", nlohmann::json::array()))
      out.push_back(tunnel_check(s, conn, cfg, now_unix, bird_error));
  return out;
}

}  // namespace xgw::doctor
