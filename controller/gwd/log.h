#pragma once
// gwd's log: one line per event on stderr (journald adds its own timestamp under systemd; the
// line carries a UTC timestamp for anyone reading a plain file). Never logs key material.
#include <string>

namespace xgw::gwd {

enum class Level { kDebug, kInfo, kWarn, kError };

void set_log_level(Level min);
void log(Level level, const std::string& message);
inline void log_info(const std::string& m) { log(Level::kInfo, m); }
inline void log_warn(const std::string& m) { log(Level::kWarn, m); }
inline void log_error(const std::string& m) { log(Level::kError, m); }
inline void log_debug(const std::string& m) { log(Level::kDebug, m); }

}  // namespace xgw::gwd
