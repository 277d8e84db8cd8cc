#include "cli/doctor/firewall.h"

#include <array>
#include <cstdio>
#include <memory>

namespace xgw::doctor::fw {
namespace {

const std::array<Traffic, 3> kTraffic{Traffic{Proto::kUdp, 500}, Traffic{Proto::kUdp, 4500}, Traffic{Proto::kEsp, 0}};

// Runs a command and captures stdout; nullopt when it cannot run or exits non-zero.
std::optional<std::string> capture(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen((cmd + " 2>/dev/null").c_str(), "r"), ::pclose);
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p.get())) > 0;) out.append(buf, n);
  int rc = ::pclose(p.release());
  if (rc != 0) return std::nullopt;
  return out;
}

const char* kFix =
    "accept IKE and ESP from the AWS endpoints before any drop, e.g. nft insert rule inet filter input "
    "udp dport { 500, 4500 } accept; nft insert rule inet filter input meta l4proto esp accept "
    "(iptables: -I INPUT -p udp -m multiport --dports 500,4500 -j ACCEPT; -I INPUT -p esp -j ACCEPT)";

void judge(std::vector<Check>& out, const std::string& tool, const std::vector<Chain>& chains) {
  for (const auto& t : kTraffic) {
    Check c{"host.firewall", tool + ": " + t.name() + " to and from AWS", Status::kPass, "", ""};
    std::string unknown;
    int relevant = 0;
    for (const auto& ch : chains) {
      if (!ch.relevant) continue;
      ++relevant;
      Finding f = evaluate(ch, t);
      if (f.outcome == Outcome::kBlocked) {
        c.status = Status::kFail;
        c.detail = "dropped by " + f.rule;
        c.fix = kFix;
        break;
      }
      if (f.outcome == Outcome::kUnknown && unknown.empty()) unknown = ch.where;
    }
    if (c.status != Status::kFail) {
      if (!unknown.empty()) {
        c.status = Status::kWarn;
        c.detail = "cannot prove it open: " + unknown + " has conditional rules before any certain accept";
        c.fix = kFix;
      } else {
        c.detail = relevant ? "accepted in every input/output chain" : "no filtering chains";
      }
    }
    out.push_back(c);
  }
}

}  // namespace

std::string Traffic::name() const { return proto == Proto::kEsp ? "ESP (protocol 50)" : "UDP " + std::to_string(port); }

Finding evaluate(const Chain& c, const Traffic& t) {
  bool maybe_passed = false;  // a rule that might have accepted (or jumped) came first
  for (const auto& r : c.rules) {
    Tri m = Tri::kYes;
    for (const auto& cond : r.conds) {
      Tri x = cond(t);
      if (x == Tri::kNo) { m = Tri::kNo; break; }
      if (x == Tri::kMaybe) m = Tri::kMaybe;
    }
    if (m == Tri::kNo) continue;
    if (r.jumps || r.verdict == Verdict::kAccept) {
      if (r.verdict == Verdict::kAccept && m == Tri::kYes && !maybe_passed) return {Outcome::kOpen, r.text};
      maybe_passed = true;
      continue;
    }
    if (r.verdict == Verdict::kDrop) {
      if (m == Tri::kYes && !maybe_passed) return {Outcome::kBlocked, r.text};
      maybe_passed = true;  // a possible drop: the path is no longer provably open
    }
  }
  if (c.policy == Verdict::kDrop) {
    if (!maybe_passed) return {Outcome::kBlocked, c.where + " policy drop (no rule accepts it)"};
    return {Outcome::kUnknown, c.where};
  }
  return {maybe_passed ? Outcome::kUnknown : Outcome::kOpen, c.where};
}

std::vector<Check> check_firewall(const std::optional<std::string>& nft_json,
                                  const std::optional<std::string>& iptables_save) {
  std::vector<Check> out;
  if (nft_json) {
    try {
      judge(out, "nftables", parse_nft_json(*nft_json));
    } catch (const std::exception& e) {
      out.push_back({"host.firewall", "nftables ruleset", Status::kWarn, std::string("cannot parse nft -j output: ") + e.what(),
                     "check by hand that UDP 500/4500 and ESP from the AWS endpoints are accepted"});
    }
  }
  if (iptables_save) {
    try {
      judge(out, "iptables", parse_iptables_save(*iptables_save));
    } catch (const std::exception& e) {
      out.push_back({"host.firewall", "iptables rules", Status::kWarn, std::string("cannot parse iptables-save output: ") + e.what(),
                     "check by hand that UDP 500/4500 and ESP from the AWS endpoints are accepted"});
    }
  }
  if (!nft_json && !iptables_save)
    out.push_back({"host.firewall", "local firewall", Status::kWarn, "neither nft nor iptables-save could be run",
                   "check by hand that UDP 500/4500 and ESP from the AWS endpoints are accepted"});
  return out;
}

std::vector<Check> check_host_firewall() {
  // iptables-nft rules also show in the nft ruleset; reading both only repeats a finding.
  return check_firewall(capture("nft -j list ruleset"), capture("iptables-save"));
}

}  // namespace xgw::doctor::fw
