// libFuzzer target: gwd's TOML config reader on arbitrary text. A config is either refused
// with a ConfigError (one line naming the field) or loads; what loads must write back
// (config_write) to text that loads to the same model.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "controller/config/config.h"
#include "controller/config/config_write.h"

using namespace xgw::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Config c;
  try {
    c = load_string(text, "fuzz.toml", "/nonexistent");
  } catch (const ConfigError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line
    return 0;
  }
  std::string again = write_toml(c);
  Config c2;
  try {
    c2 = load_string(again, "again.toml", "/nonexistent");
  } catch (const ConfigError&) {
    std::abort();  // what loaded must write back to something that loads
  }
  if (!(c2 == c)) std::abort();
  return 0;
}
