#pragma once
// gwd's log: one line per event on stderr (journald adds its own timestamp under systemd; the
// line carries a UTC timestamp for anyone reading a plain file). Never logs key material.
#include <cstdint>
#include <string>
#include <vector>

namespace xgw::gwd {

enum class Level { kDebug, kInfo, kWarn, kError };

void set_log_level(Level min);
void log(Level level, const std::string& message);
inline void log_info(const std::string& m) { log(Level::kInfo, m); }
inline void log_warn(const std::string& m) { log(Level::kWarn, m); }
inline void log_error(const std::string& m) { log(Level::kError, m); }
inline void log_debug(const std::string& m) { log(Level::kDebug, m); }

// The most recent lines, kept in memory for `gwctl log` (the control socket's "log" command).
struct LogLine {
  std::uint64_t seq = 0;  // 1, 2, ... in the order logged
  std::string text;       // as written to stderr, without the newline
};
inline constexpr std::size_t kLogKeep = 2000;
// Lines with seq > after, oldest first, at most `max` (the newest of them).
std::vector<LogLine> log_since(std::uint64_t after, std::size_t max = kLogKeep);
std::uint64_t log_last_seq();

}  // namespace xgw::gwd
