// `iptables-save` -> firewall model. Understands -p, --dport/--sport, --dports/--sports
// (multiport) and the ACCEPT/DROP/REJECT targets; other options make a rule "maybe".
#include <map>
#include <sstream>

#include "cli/doctor/firewall.h"

namespace xgw::doctor::fw {
namespace {

int proto_number(const std::string& s) {
  if (s == "udp" || s == "17") return 17;
  if (s == "esp" || s == "50") return 50;
  if (s == "tcp" || s == "6") return 6;
  if (s == "icmp" || s == "1") return 1;
  if (s == "all" || s == "0") return 0;
  return -1;
}

// "500", "500:600", "500,4500" (multiport).
Tri port_in(const std::string& spec, int port) {
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto colon = item.find(':');
    try {
      int lo = std::stoi(item.substr(0, colon));
      int hi = colon == std::string::npos ? lo : std::stoi(item.substr(colon + 1));
      if (lo <= port && port <= hi) return Tri::kYes;
    } catch (...) {
      return Tri::kMaybe;  // service names
    }
  }
  return Tri::kNo;
}

Tri negate(bool neg, Tri t) {
  if (!neg) return t;
  return t == Tri::kYes ? Tri::kNo : t == Tri::kNo ? Tri::kYes : Tri::kMaybe;
}

}  // namespace

std::vector<Chain> parse_iptables_save(const std::string& text) {
  std::vector<Chain> chains;
  std::map<std::string, std::size_t> index;
  std::string table;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '*') {
      table = line.substr(1);
      continue;
    }
    std::istringstream ls(line);
    std::vector<std::string> tok;
    for (std::string w; ls >> w;) tok.push_back(w);
    if (line[0] == ':' && tok.size() >= 2) {
      Chain c;
      std::string name = tok[0].substr(1);
      c.where = "iptables " + table + " " + name;
      c.relevant = table == "filter" && (name == "INPUT" || name == "OUTPUT");
      c.policy = tok[1] == "DROP" ? Verdict::kDrop : Verdict::kAccept;
      index[table + " " + name] = chains.size();
      chains.push_back(c);
      continue;
    }
    if (tok.size() < 2 || tok[0] != "-A") continue;
    auto it = index.find(table + " " + tok[1]);
    if (it == index.end()) continue;
    Rule r;
    r.text = "iptables -t " + table + " " + line;
    int proto = 0;  // all
    bool proto_neg = false;
    for (std::size_t i = 2; i < tok.size(); ++i) {
      bool neg = tok[i] == "!";
      if (neg && ++i >= tok.size()) break;
      const std::string& o = tok[i];
      std::string v = i + 1 < tok.size() ? tok[i + 1] : "";
      if (o == "-p" || o == "--protocol") {
        proto = proto_number(v);
        proto_neg = neg;
        ++i;
      } else if (o == "--dport" || o == "--sport" || o == "--dports" || o == "--sports" || o == "--destination-port" ||
                 o == "--source-port") {
        r.conds.push_back([spec = v, neg](const Traffic& t) {
          // Port matches exist only for tcp/udp rules: ESP never has them.
          if (t.proto == Proto::kEsp) return Tri::kNo;
          return negate(neg, port_in(spec, t.port));
        });
        ++i;
      } else if (o == "-j" || o == "-g") {
        if (v == "ACCEPT") r.verdict = Verdict::kAccept;
        else if (v == "DROP" || v == "REJECT") r.verdict = Verdict::kDrop;
        else if (v != "LOG") r.jumps = true;  // user chains, RETURN, NFQUEUE, ...
        ++i;
      } else if (o == "-m") {
        ++i;  // the module name; its options follow
      } else if (o == "--comment") {
        ++i;
      } else if (!o.empty() && o[0] == '-') {
        // Addresses, interfaces, state: cannot be decided here.
        r.conds.push_back([](const Traffic&) { return Tri::kMaybe; });
        if (i + 1 < tok.size() && tok[i + 1][0] != '-' && tok[i + 1] != "!") ++i;
      }
    }
    r.conds.insert(r.conds.begin(), [proto, proto_neg](const Traffic& t) {
      if (proto == 0) return proto_neg ? Tri::kNo : Tri::kYes;
      if (proto < 0) return Tri::kMaybe;
      return negate(proto_neg, (t.proto == Proto::kEsp ? 50 : 17) == proto ? Tri::kYes : Tri::kNo);
    });
    chains[it->second].rules.push_back(r);
  }
  return chains;
}

}  // namespace xgw::doctor::fw
