# shellcheck shell=bash
# Shared by scripts/*: repository paths, logging and the build lock.

XGW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XGW_BUILD=${XGW_BUILD:-$XGW_ROOT/build}
# Caches live outside the source tree so a clean clone reuses them.
XGW_CACHE=${XGW_CACHE:-/var/cache/xgw}
# Two cores: builds and VM runs never overlap. Every script takes this lock around them.
XGW_LOCK=${XGW_LOCK:-/tmp/xgw-build.lock}

xgw_log() { printf '%s\n' "$*" >&2; }
xgw_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

xgw_require_root() {
  [[ $(id -u) -eq 0 ]] || xgw_die "$1 must run as root (BPF, network namespaces, apt)"
}

# Configure and build into $XGW_BUILD. Re-running is cheap: cmake and make are incremental.
xgw_build() {
  (
    flock 9
    if [[ ! -f "$XGW_BUILD/CMakeCache.txt" ]]; then
      cmake -S "$XGW_ROOT" -B "$XGW_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    fi
    cmake --build "$XGW_BUILD" -j "$(nproc)" -- --no-print-directory
  ) 9>"$XGW_LOCK"
}
