#pragma once
// Writes the configuration model back as gwd's native TOML (docs/config.md), so that
// load_string(write_toml(c)) == c. Used by `gwctl import` to hand the operator a file they can
// read, diff and edit.
#include <string>

#include "controller/config/config.h"

namespace xgw::config {

struct WriteOptions {
  // Lines of the comment header (without "# "), e.g. where the data came from.
  std::vector<std::string> header;
  // Optional comment lines placed above a tunnel's table, keyed by tunnel name.
  std::vector<std::pair<std::string, std::vector<std::string>>> tunnel_notes;
};

// A tunnel with a non-empty psk_file is written as `psk_file = "..."` (the key itself stays out
// of the file); otherwise the key is written inline.
std::string write_toml(const Config& cfg, const WriteOptions& opts = {});

}  // namespace xgw::config
