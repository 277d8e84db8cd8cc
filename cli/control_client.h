#pragma once
// gwctl's side of gwd's control socket: one JSON request line, one JSON response line.
#include <nlohmann/json.hpp>

#include <string>

namespace xgw::cli {

inline constexpr const char* kDefaultSocket = "/run/xgw/gwd.sock";

// Throws std::runtime_error naming the socket when gwd cannot be reached.
nlohmann::json control_request(const std::string& socket_path, const nlohmann::json& request);

}  // namespace xgw::cli
