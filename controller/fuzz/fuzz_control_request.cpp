// libFuzzer target: one line on gwd's control socket, through the same path gwd takes
// (handle_request_line, then parse_control_request). Every line gets a JSON object back with
// "ok", and an error is one line; nothing throws out of it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "controller/gwd/control_request.h"

using namespace xgw::gwd;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string line(reinterpret_cast<const char*>(data), size);
  json reply = handle_request_line(line, [](const json& req) {
    auto parsed = parse_control_request(req);
    if (!parsed.request) return json{{"ok", false}, {"error", parsed.error}};
    return json{{"ok", true}};
  });
  if (!reply.is_object() || !reply.contains("ok") || !reply["ok"].is_boolean()) std::abort();
  if (!reply["ok"].get<bool>()) {
    if (!reply.contains("error") || !reply["error"].is_string()) std::abort();
    if (reply["error"].get<std::string>().find('\n') != std::string::npos) std::abort();
  }
  (void)reply.dump();  // what goes back on the socket must serialise (invalid UTF-8 would throw)
  return 0;
}
