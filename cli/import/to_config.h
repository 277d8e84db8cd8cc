#pragma once
// An imported AWS connection -> gwd's Config, plus the TOML text and the files to write.
#include <optional>
#include <string>
#include <vector>

#include "cli/import/aws_connection.h"
#include "controller/config/config.h"

namespace xgw::import {

struct ImportOptions {
  std::string wan_interface;  // empty: "eth0", flagged in the header
  std::string lan_interface;
  std::optional<std::uint32_t> local_address;   // default: the address AWS has registered
  std::optional<std::uint32_t> public_address;  // NAT: the address AWS knows us by
  std::vector<config::Cidr> remote_networks;
  std::vector<config::Cidr> advertise;  // BGP: the LAN networks announced to AWS
  std::string name;         // default: the VPN connection id
  bool psk_files = false;   // refer to NAME-N.psk files instead of inline keys
};

struct ImportResult {
  config::Config config;
  std::string toml;
  std::vector<std::pair<std::string, std::string>> psk_files;  // file name -> key
  std::vector<std::string> notes;                              // things the operator should know
};

// Throws ImportError when the options contradict the import (e.g. a public address that is not
// the one AWS has registered).
ImportResult to_config(const AwsConnection& c, const ImportOptions& o);

// Writes DIR/gwd.toml (0600) and the PSK files (0600), creating DIR (0700) if needed. Each file
// is written to a temporary name and renamed, the config last, so a failure leaves no config
// that refers to missing keys. Throws ImportError.
void write_files(const std::string& dir, const ImportResult& r);

}  // namespace xgw::import
