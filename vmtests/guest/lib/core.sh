# shellcheck shell=bash
# Checks, failure reports and logs for VM scenarios.
#
#   must CMD...                  setup step: on failure the scenario stops (setup failed)
#   check "what" CMD...          a check: passes when CMD exits 0; its output is kept on failure
#   check_eq "what" EXPECTED ACTUAL
#   check_le / check_ge "what" VALUE LIMIT
#   wait_until SECONDS "what" CMD...   a check that polls CMD every 0.2 s until it succeeds
#   figure "name" VALUE          a measured figure, printed by the host runner after PASS
#   register_log LABEL PATH      a log whose tail goes into the failure report
XGW_FAILURES=0
XGW_CHECKS=0
declare -A XGW_LOGS=()
: "${XGW_OUT:=/tmp}"

# Process starts cost up to 200 ms under emulation: helpers here use bash builtins
# ($EPOCHREALTIME, read, printf) where they can.
now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }
# ms_to_s MS: seconds with one decimal, for figures.
ms_to_s() { awk -v m="$1" 'BEGIN {printf "%.1f", m / 1000}'; }
XGW_T0=$(now_ms)

log() {
  local line
  printf -v line '[%6.1f] %s' "$(( $(now_ms) - XGW_T0 ))e-3" "$*"
  printf '%s\n' "$line" >> "$XGW_OUT/scenario.log"
  printf '%s\n' "$line" >&2
}

# grep_quiet ARGS...: `grep -q` for the right side of a pipe. grep -q exits at the first match,
# the writer then dies of SIGPIPE, and with pipefail the pipeline fails although it matched.
grep_quiet() { grep "$@" >/dev/null; }
export -f grep_quiet  # checks that run `bash -c "... | grep_quiet ..."` need it too

# write_file PATH <<EOF ... EOF: a here-document into a file without starting cat.
write_file() { local content; IFS= read -r -d '' content || true; printf '%s' "$content" > "$1"; }

record_failure() {
  XGW_FAILURES=$((XGW_FAILURES + 1))
  log "FAILED: $1"
  printf 'failed check: %s\n' "$1" >> "$XGW_OUT/failure.txt"
  if [[ -n ${2:-} ]]; then printf '%s\n' "$2" | tail -n 15 | sed 's/^/  | /' >> "$XGW_OUT/failure.txt"; fi
}

register_log() { XGW_LOGS[$1]=$2; }

# Runs in the current shell (not a subshell), so state a step sets, such as a loaded tunnel
# file or a registered log, stays visible to the checks.
must() {
  local out rc=0 t0
  out=$(mktemp)
  t0=$(now_ms)
  "$@" >"$out" 2>&1 || rc=$?
  log "step: $* ($(( $(now_ms) - t0 )) ms)"
  if (( rc != 0 )); then
    record_failure "setup step: $* (exit $rc)" "$(cat "$out")"
    rm -f "$out"
    abort_scenario
  fi
  cat "$out" >> "$XGW_OUT/scenario.log"
  rm -f "$out"
  return 0
}

check() {
  local what=$1; shift
  local out
  XGW_CHECKS=$((XGW_CHECKS + 1))
  if out=$("$@" 2>&1); then
    log "ok: $what"
  else
    record_failure "$what  [$*]" "$out"
  fi
}

check_eq() {
  XGW_CHECKS=$((XGW_CHECKS + 1))
  if [[ "$2" == "$3" ]]; then log "ok: $1 ($3)"; else record_failure "$1: expected '$2', got '$3'"; fi
}
check_ge() {
  XGW_CHECKS=$((XGW_CHECKS + 1))
  if (( $2 >= $3 )); then log "ok: $1 ($2 >= $3)"; else record_failure "$1: $2 is below $3"; fi
}
check_le() {
  XGW_CHECKS=$((XGW_CHECKS + 1))
  if (( $2 <= $3 )); then log "ok: $1 ($2 <= $3)"; else record_failure "$1: $2 is above $3"; fi
}

# Polls CMD until it succeeds or SECONDS pass. Returns CMD's last status.
poll() {
  local timeout_s=$1; shift
  local deadline=$(( $(now_ms) + timeout_s * 1000 ))
  while true; do
    "$@" >/dev/null 2>&1 && return 0
    (( $(now_ms) < deadline )) || return 1
    sleep 0.2
  done
}

# output_is EXPECTED CMD...: CMD prints EXPECTED. For wait_until, which re-runs its command:
# a "$(...)" in its arguments would be expanded once, before the first try.
output_is() { local want=$1; shift; [[ $("$@" 2>/dev/null) == "$want" ]]; }

wait_until() {
  local timeout_s=$1 what=$2; shift 2
  local t0; t0=$(now_ms)
  XGW_CHECKS=$((XGW_CHECKS + 1))
  if poll "$timeout_s" "$@"; then
    log "ok: $what (after $(( $(now_ms) - t0 )) ms)"
  else
    record_failure "$what: not true within ${timeout_s}s [$*]" "$("$@" 2>&1)"
  fi
}

figure() { printf '%s: %s\n' "$1" "$2" | tee -a "$XGW_OUT/figures.txt" >&2; }

finish_scenario() {
  local label
  mkdir -p "$XGW_OUT/logs"
  cp /tmp/scenario-stderr.log "$XGW_OUT/stderr.log" 2>/dev/null || true
  for label in "${!XGW_LOGS[@]}"; do
    cp "${XGW_LOGS[$label]}" "$XGW_OUT/logs/$label.log" 2>/dev/null || true
  done
  if (( XGW_FAILURES == 0 )) && (( XGW_CHECKS > 0 )); then
    log "scenario $SCENARIO: PASS ($XGW_CHECKS checks)"
    echo PASS > "$XGW_OUT/result"
    return 0
  fi
  (( XGW_CHECKS > 0 || XGW_FAILURES > 0 )) || record_failure "the scenario ran no check"
  {
    echo "--- tail of the scenario's stderr"
    tail -n 15 /tmp/scenario-stderr.log 2>/dev/null | sed 's/^/  | /'
    for label in "${!XGW_LOGS[@]}"; do
      echo "--- tail of $label (${XGW_LOGS[$label]})"
      tail -n 20 "${XGW_LOGS[$label]}" 2>/dev/null | sed 's/^/  | /'
    done
  } >> "$XGW_OUT/failure.txt"
  log "scenario $SCENARIO: FAIL ($XGW_FAILURES of $XGW_CHECKS checks or steps failed)"
  echo FAIL > "$XGW_OUT/result"
  return 1
}
