// libFuzzer target: the importer of AWS's downloads (CustomerGatewayConfiguration XML,
// DescribeVpnConnections JSON, the Generic text) on arbitrary text. Input is either refused
// with an ImportError or becomes a connection that validates; a valid connection must turn
// into a gwd config whose TOML loads back to the same model, or that gwctl refuses with one
// line ("generated config: ...", as cmd_import does: AWS's ranges and gwd's differ, e.g. MTU).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cli/import/aws_connection.h"
#include "cli/import/to_config.h"
#include "controller/config/config.h"

using namespace xgw;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  import::AwsConnection c;
  try {
    c = import::parse_any(text, "fuzz");
    import::validate(c);
  } catch (const import::ImportError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line
    return 0;
  }
  import::ImportOptions o;
  o.remote_networks.push_back(*config::parse_cidr("10.0.0.0/16"));
  import::ImportResult r;
  try {
    r = import::to_config(c, o);
  } catch (const std::exception&) {
    return 0;  // e.g. a connection AWS could not have produced that the model refuses
  }
  config::Config again;
  try {
    again = config::load_string(r.toml, "imported.toml");
  } catch (const config::ConfigError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (!(again == r.config)) std::abort();
  return 0;
}
