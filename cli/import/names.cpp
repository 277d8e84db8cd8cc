#include "cli/import/names.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace xgw::import {
namespace {

// Lowercase, without blanks: "AES128-GCM-16" -> "aes128-gcm-16".
std::string squash(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> encryption_name(const std::string& aws) {
  static const std::map<std::string, std::string> k{
      {"aes128", "aes128"},        {"aes-128-cbc", "aes128"},       {"aes-128", "aes128"},
      {"aes256", "aes256"},        {"aes-256-cbc", "aes256"},       {"aes-256", "aes256"},
      {"aes128-gcm-16", "aes128-gcm-16"}, {"aes-128-gcm-16", "aes128-gcm-16"}, {"aes-128-gcm", "aes128-gcm-16"},
      {"aes256-gcm-16", "aes256-gcm-16"}, {"aes-256-gcm-16", "aes256-gcm-16"}, {"aes-256-gcm", "aes256-gcm-16"},
  };
  auto it = k.find(squash(aws));
  if (it == k.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> integrity_name(const std::string& aws) {
  static const std::map<std::string, std::string> k{
      {"sha1", "sha1"},         {"hmac-sha1-96", "sha1"},        {"hmac-sha1", "sha1"},
      {"sha2-256", "sha2-256"}, {"hmac-sha2-256-128", "sha2-256"}, {"sha256", "sha2-256"},
      {"sha2-384", "sha2-384"}, {"hmac-sha2-384-192", "sha2-384"}, {"sha384", "sha2-384"},
      {"sha2-512", "sha2-512"}, {"hmac-sha2-512-256", "sha2-512"}, {"sha512", "sha2-512"},
  };
  auto it = k.find(squash(aws));
  if (it == k.end()) return std::nullopt;
  return it->second;
}

std::optional<int> dh_group(const std::string& aws) {
  std::string s = squash(aws);
  for (const char* prefix : {"diffie-hellmangroup", "group"})
    if (s.rfind(prefix, 0) == 0) s = s.substr(std::string(prefix).size());
  if (s.empty() || s.size() > 2 || !std::all_of(s.begin(), s.end(), ::isdigit)) return std::nullopt;
  return std::stoi(s);
}

}  // namespace xgw::import
