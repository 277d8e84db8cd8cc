#pragma once
// gwd and gwctl read pre-shared keys (and gwd derives every SA's keys): a core dump of either
// would carry them to wherever cores go. Called first thing in main(): no core dumps, and the
// process is not dumpable (no ptrace or /proc/PID/mem by other users either).
namespace xgw::config {

// Returns false (and the process carries on) when the kernel refuses; nothing to undo.
bool keep_secrets_out_of_core_dumps();

}  // namespace xgw::config
