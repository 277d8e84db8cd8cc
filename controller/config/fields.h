#pragma once
// Typed, checked access to one TOML table, with errors that name the field and what was
// expected, and a final check that rejects keys nobody asked for (a typo must not silently
// fall back to a default).
#include <toml++/toml.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "controller/config/config.h"

namespace xgw::config {

class Fields {
 public:
  // `where` names the table in messages, e.g. "tunnel vpn1/2".
  Fields(const toml::table& table, std::string origin, std::string where);

  bool has(const std::string& key) const;
  std::string text(const std::string& key, const std::string& fallback);
  std::string required_text(const std::string& key);
  std::uint32_t number(const std::string& key, std::uint32_t min, std::uint32_t max,
                       std::uint32_t fallback, const char* unit);
  bool flag(const std::string& key, bool fallback);
  std::vector<std::string> texts(const std::string& key, const std::vector<std::string>& fallback);
  std::vector<int> numbers(const std::string& key, const std::vector<int>& fallback);
  std::uint32_t address(const std::string& key);
  Cidr cidr(const std::string& key, const Cidr& fallback);
  std::vector<Cidr> cidrs(const std::string& key);
  const toml::table* table(const std::string& key);
  const toml::array* array_of_tables(const std::string& key);

  // Rejects any key that was not read.
  void reject_unknown() const;

  [[noreturn]] void fail(const std::string& key, const std::string& value, const std::string& expected) const;
  const std::string& where() const { return where_; }

 private:
  const toml::node* get(const std::string& key);
  std::string describe(const toml::node& n) const;

  const toml::table& table_;
  std::string origin_;
  std::string where_;
  std::set<std::string> read_;
};

}  // namespace xgw::config
