#pragma once
// Is IKE (UDP 500, 4500) and ESP (protocol 50) let through by the local firewall? The nft
// ruleset (`nft -j list ruleset`) and iptables rules (`iptables-save`) are read into one small
// model; each relevant chain is walked in order for each kind of traffic.
//
// We cannot evaluate every match (addresses, interfaces, conntrack state), so rule conditions are
// three-valued. A drop whose conditions all certainly match, met before any rule that might
// accept, proves the path blocked (fail). A certain accept before any possible drop proves it
// open (pass). Anything else is a warning: we cannot prove the path open.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/doctor/check.h"

namespace xgw::doctor::fw {

enum class Proto { kUdp, kEsp };
struct Traffic {
  Proto proto;
  int port = 0;  // UDP: 500 or 4500 (AWS uses the same source and destination port)
  std::string name() const;
};

enum class Tri { kNo, kMaybe, kYes };
enum class Verdict { kAccept, kDrop, kOther };  // kOther: jump/goto/return/log-only: not final

struct Rule {
  std::vector<std::function<Tri(const Traffic&)>> conds;
  Verdict verdict = Verdict::kOther;
  bool jumps = false;  // jump/goto: the target chain may accept
  std::string text;    // for messages: "inet filter input handle 7: udp dport 500 drop"
};

struct Chain {
  std::string where;   // "nft inet filter input" / "iptables filter INPUT"
  bool relevant = false;  // input/output/prerouting hooks of filtering chains
  Verdict policy = Verdict::kAccept;
  std::vector<Rule> rules;
};

enum class Outcome { kOpen, kBlocked, kUnknown };
struct Finding {
  Outcome outcome;
  std::string rule;  // the blocking rule or the chain whose policy drops
};

Finding evaluate(const Chain& c, const Traffic& t);

// Parsers; throw std::runtime_error on malformed input.
std::vector<Chain> parse_nft_json(const std::string& text);
std::vector<Chain> parse_iptables_save(const std::string& text);

// Checks over already-read rulesets (nullopt: that tool was not available).
std::vector<Check> check_firewall(const std::optional<std::string>& nft_json,
                                  const std::optional<std::string>& iptables_save);

// Runs `nft -j list ruleset` and `iptables-save` in the current network namespace.
std::vector<Check> check_host_firewall();

}  // namespace xgw::doctor::fw
