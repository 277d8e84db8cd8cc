#pragma once
// AWS's spellings of algorithms (XML "aes-128-cbc", "hmac-sha1-96", "group2"; JSON "AES128",
// "SHA2-256"; generic text "Group 2") mapped to gwd's config names. Lenient on case and on
// the older variants an emulator emitted ("aes-128"); nullopt for anything unknown so the caller
// can name the field in its error.
#include <optional>
#include <string>

namespace xgw::import {

std::optional<std::string> encryption_name(const std::string& aws);
std::optional<std::string> integrity_name(const std::string& aws);
std::optional<int> dh_group(const std::string& aws);  // "group2", "Group 2", "Diffie-Hellman Group 2", "2"

}  // namespace xgw::import
