#include "controller/gwd/control_request.h"

#include "controller/config/config.h"

#include <algorithm>
#include <cstdint>

namespace xgw::gwd {
namespace {

using nlohmann::json;

const char* kCommands = "status, stats, up, down, failover, reload, log";

}  // namespace

json handle_request_line(const std::string& line, const ControlHandler& handler) {
  json req;
  try {
    req = json::parse(line);
  } catch (const json::exception&) {
    // parse_error, and also out_of_range for a number too large (found by
    // fuzz_control_request: it escaped and would have ended gwd).
    return json{{"ok", false}, {"error", "malformed request: expected one JSON object per line"}};
  }
  if (!req.is_object() || !req.contains("cmd") || !req["cmd"].is_string())
    return json{{"ok", false}, {"error", "malformed request: expected {\"cmd\": \"...\"}"}};
  try {
    return handler(req);
  } catch (const std::exception& e) {
    return json{{"ok", false}, {"error", e.what()}};
  }
}

ParsedControlRequest parse_control_request(const json& req) {
  ParsedControlRequest out;
  auto fail = [&](std::string why) {
    out.error = std::move(why);
    return out;
  };
  if (!req.is_object() || !req.contains("cmd") || !req["cmd"].is_string())
    return fail("malformed request: expected {\"cmd\": \"...\"}");
  ControlRequest r;
  const std::string cmd = req["cmd"].get<std::string>();
  auto string_field = [&](const char* k, std::string& into, bool required) {
    if (!req.contains(k)) {
      if (required) out.error = std::string("missing string field \"") + k + "\"";
      return !required;
    }
    if (!req[k].is_string()) {
      out.error = std::string("field \"") + k + "\": expected a string";
      return false;
    }
    into = req[k].get<std::string>();
    return true;
  };
  auto count_field = [&](const char* k, std::uint64_t& into) {
    if (!req.contains(k)) return true;
    if (!req[k].is_number_unsigned()) {
      out.error = std::string("field \"") + k + "\": expected a non-negative integer";
      return false;
    }
    into = req[k].get<std::uint64_t>();
    return true;
  };
  if (cmd == "status") r.cmd = ControlRequest::Cmd::kStatus;
  else if (cmd == "stats") r.cmd = ControlRequest::Cmd::kStats;
  else if (cmd == "reload") r.cmd = ControlRequest::Cmd::kReload;
  else if (cmd == "up" || cmd == "down") {
    r.cmd = cmd == "up" ? ControlRequest::Cmd::kUp : ControlRequest::Cmd::kDown;
    if (!string_field("tunnel", r.tunnel, true)) return out;
  } else if (cmd == "failover") {
    r.cmd = ControlRequest::Cmd::kFailover;
    if (!string_field("connection", r.connection, true) || !string_field("to", r.to, false)) return out;
  } else if (cmd == "log") {
    r.cmd = ControlRequest::Cmd::kLog;
    std::uint64_t last = 0;
    if (!count_field("since", r.since) || !count_field("last", last)) return out;
    if (req.contains("last")) r.last = static_cast<std::size_t>(std::min<std::uint64_t>(last, SIZE_MAX));
  } else {
    // The command quoted back may hold anything, newlines included: one escaped line.
    return fail(config::one_line("unknown command \"" + cmd + "\" (" + kCommands + ")"));
  }
  out.request = std::move(r);
  return out;
}

}  // namespace xgw::gwd
