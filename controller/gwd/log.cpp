#include "controller/gwd/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace xgw::gwd {
namespace {
Level g_min = Level::kInfo;

const char* name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "?";
}
}  // namespace

void set_log_level(Level min) { g_min = min; }

void log(Level level, const std::string& message) {
  if (level < g_min) return;
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  std::fprintf(stderr, "%s.%03lldZ %-5s %s\n", ts, static_cast<long long>(ms), name(level), message.c_str());
  std::fflush(stderr);
}

}  // namespace xgw::gwd
