#include "controller/config/secrets.h"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace xgw::config {

bool keep_secrets_out_of_core_dumps() {
  const rlimit none{0, 0};
  bool ok = ::setrlimit(RLIMIT_CORE, &none) == 0;
  // Not dumpable also covers core_pattern pipes (systemd-coredump), which ignore RLIMIT_CORE.
  ok = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && ok;
  return ok;
}

}  // namespace xgw::config
