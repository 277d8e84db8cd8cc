#include "controller/gwd/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>

namespace xgw::gwd {
namespace {
Level g_min = Level::kInfo;
// gwd is single-threaded (one io_context): no lock.
std::deque<LogLine> g_recent;
std::uint64_t g_seq = 0;

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
  char head[64];
  std::snprintf(head, sizeof head, "%s.%03lldZ %-5s ", ts, static_cast<long long>(ms), name(level));
  std::string line = head + message;
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
  g_recent.push_back({++g_seq, std::move(line)});
  if (g_recent.size() > kLogKeep) g_recent.pop_front();
}

std::vector<LogLine> log_since(std::uint64_t after, std::size_t max) {
  std::vector<LogLine> out;
  for (const auto& l : g_recent)
    if (l.seq > after) out.push_back(l);
  if (out.size() > max) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max));
  return out;
}

std::uint64_t log_last_seq() { return g_seq; }

}  // namespace xgw::gwd
