#pragma once
// gwd --keylog BASE: the IKE and ESP keys of every SA gwd negotiates, written as the two
// Wireshark "UAT" tables that decrypt a capture (debugging only; see docs/debugging.md):
//
//   BASE.ikev1_decryption_table   one line per ISAKMP SA:  <CKY-I hex>,<encryption key hex>
//   BASE.esp_sa                   one line per ESP SA (two per Quick Mode):
//     "IPv4","<src>","<dst>","0x<spi>","<encryption>","0x<key>","<authentication>","0x<key>"
//
// Wireshark reads each table from a file of exactly that name in its profile directory, so
// the suffixes are the names to copy them to. Lines are appended and reach the file at once
// (one write(2) each, no buffering): an operator can follow them while capturing.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ike/actions.h"

namespace xgw::gwd {

// Wireshark's names (epan/dissectors/packet-ipsec.c, esp_encryption_type_vals and
// esp_authentication_type_vals); nothing when Wireshark has no name for the algorithm.
std::optional<std::string> esp_encryption_name(std::uint8_t transform);
std::optional<std::string> esp_authentication_name(ike::EspAuth integ);

// One line of the IKEv1 decryption table. Its two fields are hex byte strings without quotes
// or 0x (a UAT "buffer" field; quoted, Wireshark reads them as text and rejects the length).
std::string ikev1_decryption_line(ike::ByteView cky_i, ike::ByteView enc_key);

// One line of the ESP SA table. Keys are "0x" + hex (Wireshark reads anything else as the
// ASCII key); a GCM key is the AES key followed by its 4-byte salt (RFC 4106 §8.1), with
// authentication "NULL" and an empty key. Nothing when an algorithm has no Wireshark name.
struct EspSaEntry {
  std::uint32_t src = 0, dst = 0;  // outer IPv4 addresses, host order
  std::uint32_t spi = 0;
  std::uint8_t transform = ike::kEspAesCbc;
  ike::ByteView enc_key;
  ike::EspAuth integ = ike::EspAuth::kNone;
  ike::ByteView integ_key;
};
std::optional<std::string> esp_sa_line(const EspSaEntry& e);

// The table lines for one KeysEstablished event: one IKEv1 line for an ISAKMP SA (no ESP SPIs),
// two ESP lines (inbound, outbound) for an ESP pair.
struct KeyLines {
  std::vector<std::string> ikev1, esp;
};
KeyLines key_lines(const ike::KeysEstablished& k);

class KeyLog {
 public:
  // The two file names for a base path.
  static std::string ikev1_path(const std::string& base) { return base + ".ikev1_decryption_table"; }
  static std::string esp_path(const std::string& base) { return base + ".esp_sa"; }

  // Opens both files for appending, creating them with mode 0600. Throws std::runtime_error
  // with a one-line message naming the file when it cannot be opened, is not a regular file,
  // is not owned by gwd's user or is readable or writable by group or others: keys must not
  // land where another user can read them.
  explicit KeyLog(const std::string& base);
  ~KeyLog();
  KeyLog(const KeyLog&) = delete;
  KeyLog& operator=(const KeyLog&) = delete;

  // Appends the event's lines. Returns an error message (never containing key material)
  // when a write failed or an algorithm has no Wireshark name; the other lines are written.
  std::optional<std::string> write(const ike::KeysEstablished& k);

  const std::string& base() const { return base_; }

 private:
  std::string base_;
  int ikev1_fd_ = -1, esp_fd_ = -1;
};

}  // namespace xgw::gwd
