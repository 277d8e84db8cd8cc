// `nft -j list ruleset` -> firewall model. Only the matches that decide IKE/ESP are understood
// (l4proto / ip protocol, udp ports); any other condition makes a rule "maybe".
#include <nlohmann/json.hpp>

#include <map>

#include "cli/doctor/firewall.h"

namespace xgw::doctor::fw {
namespace {

using nlohmann::json;

int proto_number(const json& v) {
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s == "udp") return 17;
    if (s == "esp") return 50;
    if (s == "tcp") return 6;
    if (s == "icmp") return 1;
    if (s == "ah") return 51;
  }
  return -1;
}

int port_number(const json& v) {
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s == "isakmp") return 500;
    if (s == "ipsec-nat-t") return 4500;
  }
  return -1;
}

// Does the right-hand side (value, set, range) contain x? Maybe when it cannot tell.
Tri contains(const json& r, int x, int (*conv)(const json&)) {
  if (r.is_object() && r.contains("set")) {
    bool maybe = false;
    for (const auto& e : r["set"]) {
      Tri t = contains(e, x, conv);
      if (t == Tri::kYes) return Tri::kYes;
      maybe = maybe || t == Tri::kMaybe;
    }
    return maybe ? Tri::kMaybe : Tri::kNo;
  }
  if (r.is_array()) return contains(json{{"set", r}}, x, conv);
  if (r.is_object() && r.contains("range") && r["range"].is_array() && r["range"].size() == 2) {
    int lo = conv(r["range"][0]), hi = conv(r["range"][1]);
    if (lo < 0 || hi < 0) return Tri::kMaybe;
    return lo <= x && x <= hi ? Tri::kYes : Tri::kNo;
  }
  int v = conv(r);
  if (v < 0) return Tri::kMaybe;
  return v == x ? Tri::kYes : Tri::kNo;
}

Tri apply_op(const std::string& op, Tri in) {
  if (op == "==" || op == "in") return in;
  if (op == "!=") return in == Tri::kYes ? Tri::kNo : in == Tri::kNo ? Tri::kYes : Tri::kMaybe;
  return Tri::kMaybe;
}

std::function<Tri(const Traffic&)> condition(const json& m) {
  std::string op = m.value("op", "==");
  const json left = m.value("left", json::object());
  const json right = m.value("right", json());
  if (left.contains("payload")) {
    const json& p = left["payload"];
    std::string proto = p.value("protocol", ""), field = p.value("field", "");
    if ((proto == "ip" || proto == "ip6") && (field == "protocol" || field == "nexthdr"))
      return [=](const Traffic& t) { return apply_op(op, contains(right, t.proto == Proto::kEsp ? 50 : 17, proto_number)); };
    if (proto == "udp" || proto == "th" || proto == "tcp" || proto == "sctp" || proto == "udplite" || proto == "dccp") {
      return [=](const Traffic& t) {
        if (t.proto == Proto::kEsp) return proto == "th" ? Tri::kMaybe : Tri::kNo;
        if (proto != "udp" && proto != "th") return Tri::kNo;  // "tcp dport 500" never matches UDP
        if (field != "dport" && field != "sport") return Tri::kMaybe;
        return apply_op(op, contains(right, t.port, port_number));
      };
    }
    if (proto == "esp")  // "esp spi 5": only ESP packets
      return [](const Traffic& t) { return t.proto == Proto::kEsp ? Tri::kMaybe : Tri::kNo; };
    return [](const Traffic&) { return Tri::kMaybe; };  // addresses, lengths, ...
  }
  if (left.contains("meta") && left["meta"].value("key", "") == "l4proto")
    return [=](const Traffic& t) { return apply_op(op, contains(right, t.proto == Proto::kEsp ? 50 : 17, proto_number)); };
  return [](const Traffic&) { return Tri::kMaybe; };  // interfaces, conntrack, marks, ...
}

std::string describe(const json& rule) {
  std::string s = "nft " + rule.value("family", std::string()) + " " + rule.value("table", std::string()) + " " +
                  rule.value("chain", std::string());
  if (rule.contains("handle")) s += " handle " + rule["handle"].dump();
  if (rule.contains("comment")) s += " (" + rule["comment"].get<std::string>() + ")";
  return s;
}

Rule make_rule(const json& r) {
  Rule out;
  out.text = describe(r);
  for (const auto& e : r.value("expr", json::array())) {
    if (!e.is_object() || e.empty()) continue;
    const std::string kind = e.begin().key();
    if (kind == "match") out.conds.push_back(condition(e["match"]));
    else if (kind == "accept") out.verdict = Verdict::kAccept;
    else if (kind == "drop" || kind == "reject") out.verdict = Verdict::kDrop;
    else if (kind == "jump" || kind == "goto" || kind == "return" || kind == "queue") out.jumps = true;
    else if (kind == "counter" || kind == "log" || kind == "comment") continue;
    else out.conds.push_back([](const Traffic&) { return Tri::kMaybe; });  // limit, xt, meter, ...
  }
  return out;
}

}  // namespace

std::vector<Chain> parse_nft_json(const std::string& text) {
  json doc = json::parse(text);
  if (!doc.contains("nftables") || !doc["nftables"].is_array()) throw std::runtime_error("no \"nftables\" array");
  std::vector<Chain> chains;
  auto key = [](const json& o) {
    return o.value("family", std::string()) + " " + o.value("table", std::string()) + " " + o.value("name", o.value("chain", std::string()));
  };
  std::map<std::string, std::size_t> index;
  for (const auto& item : doc["nftables"]) {
    if (item.contains("chain")) {
      const json& c = item["chain"];
      Chain ch;
      ch.where = "nft " + key(c);
      std::string hook = c.value("hook", ""), type = c.value("type", "");
      ch.relevant = type == "filter" && (hook == "input" || hook == "output" || hook == "prerouting");
      ch.policy = c.value("policy", "accept") == "drop" ? Verdict::kDrop : Verdict::kAccept;
      index[key(c)] = chains.size();
      chains.push_back(ch);
    } else if (item.contains("rule")) {
      const json& r = item["rule"];
      auto it = index.find(key(r));
      if (it != index.end()) chains[it->second].rules.push_back(make_rule(r));
    }
  }
  return chains;
}

}  // namespace xgw::doctor::fw
