#include "controller/config/fields.h"

#include <sstream>

namespace xgw::config {

Fields::Fields(const toml::table& table, std::string origin, std::string where)
    : table_(table), origin_(std::move(origin)), where_(std::move(where)) {}

void Fields::fail(const std::string& key, const std::string& value, const std::string& expected) const {
  std::string msg = origin_ + ": " + where_ + ": " + key;
  if (!value.empty()) msg += " = " + value;
  msg += ": expected " + expected;
  throw ConfigError(msg);
}

std::string Fields::describe(const toml::node& n) const {
  std::ostringstream os;
  if (n.is_string()) {
    os << '"' << n.as_string()->get() << '"';
  } else if (n.is_table()) {
    os << "a table";
  } else if (n.is_array()) {
    os << "an array";
  } else if (auto i = n.as_integer()) {
    os << i->get();
  } else if (auto f = n.as_floating_point()) {
    os << f->get();
  } else if (auto b = n.as_boolean()) {
    os << (b->get() ? "true" : "false");
  } else {
    os << "a date or time";
  }
  return os.str();
}

bool Fields::has(const std::string& key) const { return table_.contains(key); }

const toml::node* Fields::get(const std::string& key) {
  read_.insert(key);
  return table_.get(key);
}

std::string Fields::text(const std::string& key, const std::string& fallback) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  if (!n->is_string()) fail(key, describe(*n), "a string");
  return n->as_string()->get();
}

std::string Fields::required_text(const std::string& key) {
  if (!has(key)) fail(key, "", "a value (the key is missing)");
  std::string v = text(key, "");
  if (v.empty()) fail(key, "\"\"", "a non-empty string");
  return v;
}

std::uint32_t Fields::number(const std::string& key, std::uint32_t min, std::uint32_t max,
                             std::uint32_t fallback, const char* unit) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  std::string range = std::to_string(min) + " to " + std::to_string(max) + (*unit ? " " : "") + unit;
  if (!n->is_integer()) fail(key, describe(*n), "an integer, " + range);
  std::int64_t v = n->as_integer()->get();
  if (v < min || v > max) fail(key, std::to_string(v), range);
  return static_cast<std::uint32_t>(v);
}

bool Fields::flag(const std::string& key, bool fallback) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  if (!n->is_boolean()) fail(key, describe(*n), "true or false");
  return n->as_boolean()->get();
}

std::vector<std::string> Fields::texts(const std::string& key, const std::vector<std::string>& fallback) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  const toml::array* a = n->as_array();
  if (!a || a->empty()) fail(key, describe(*n), "a non-empty array of strings");
  std::vector<std::string> out;
  for (const auto& e : *a) {
    if (!e.is_string()) fail(key, describe(e), "strings only");
    out.push_back(e.as_string()->get());
  }
  return out;
}

std::vector<int> Fields::numbers(const std::string& key, const std::vector<int>& fallback) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  const toml::array* a = n->as_array();
  if (!a || a->empty()) fail(key, describe(*n), "a non-empty array of integers");
  std::vector<int> out;
  for (const auto& e : *a) {
    if (!e.is_integer()) fail(key, describe(e), "integers only");
    out.push_back(static_cast<int>(e.as_integer()->get()));
  }
  return out;
}

std::uint32_t Fields::address(const std::string& key) {
  std::string s = required_text(key);
  auto a = parse_ipv4(s);
  if (!a) fail(key, '"' + s + '"', "an IPv4 address");
  return *a;
}

Cidr Fields::cidr(const std::string& key, const Cidr& fallback) {
  if (!has(key)) {
    read_.insert(key);
    return fallback;
  }
  std::string s = text(key, "");
  auto c = parse_cidr(s);
  if (!c) fail(key, '"' + s + '"', "an IPv4 prefix like 10.0.0.0/16 (no host bits set)");
  return *c;
}

std::vector<Cidr> Fields::cidrs(const std::string& key) {
  std::vector<Cidr> out;
  if (!has(key)) {
    read_.insert(key);
    return out;
  }
  for (const std::string& s : texts(key, {})) {
    auto c = parse_cidr(s);
    if (!c) fail(key, '"' + s + '"', "IPv4 prefixes like 10.0.0.0/16 (no host bits set)");
    out.push_back(*c);
  }
  return out;
}

const toml::table* Fields::table(const std::string& key) {
  const toml::node* n = get(key);
  if (!n) return nullptr;
  if (!n->is_table()) fail(key, describe(*n), "a table [" + key + "]");
  return n->as_table();
}

const toml::array* Fields::array_of_tables(const std::string& key) {
  const toml::node* n = get(key);
  if (!n) return nullptr;
  const toml::array* a = n->as_array();
  if (!a || !a->is_array_of_tables()) fail(key, describe(*n), "tables [[" + key + "]]");
  return a;
}

void Fields::reject_unknown() const {
  for (const auto& [k, v] : table_) {
    std::string key(k.str());
    if (!read_.count(key)) fail(key, "", "a known key (this one is not: check its spelling, see docs/config.md)");
  }
}

}  // namespace xgw::config
