#pragma once
// One control request, checked: the command and its fields with their types, before gwd acts
// on it. Pure, so the fuzzer reaches everything a client can send (fuzz_control_request).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace xgw::gwd {

struct ControlRequest {
  enum class Cmd { kStatus, kStats, kUp, kDown, kFailover, kReload, kLog } cmd = Cmd::kStatus;
  std::string tunnel;      // up, down
  std::string connection;  // failover
  std::string to;          // failover, optional
  std::uint64_t since = 0;  // log
  std::optional<std::size_t> last;  // log: the newest N lines
};

// The request, or a one-line error naming the field and what was expected.
struct ParsedControlRequest {
  std::optional<ControlRequest> request;
  std::string error;
};
ParsedControlRequest parse_control_request(const nlohmann::json& req);

// Answers one request line with `handler`'s reply, or an error object for a line that is not
// one JSON object with a "cmd" string or when the handler throws; never throws itself.
using ControlHandler = std::function<nlohmann::json(const nlohmann::json& request)>;
nlohmann::json handle_request_line(const std::string& line, const ControlHandler& handler);

}  // namespace xgw::gwd
