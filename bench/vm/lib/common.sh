# shellcheck shell=bash
# Helpers of the benchmarks' VM parts (bench/vm/bench-*.sh), on top of vmtests/guest/lib.
#
#   bench_value KEY VALUE   one figure: printed with the scenario's figures and kept in
#                           bench.tsv for bench/run's table (KEY is stable, VALUE a number)
#   proc_rss_kb PID         resident set size (VmRSS) in KiB
#   proc_cpu_ms PID         user + system CPU time so far, in ms
#   keep_probe NAME         copies a probe's ping output to the results, for --plot

bench_value() {
  printf '%s\t%s\n' "$1" "$2" >> "$XGW_OUT/bench.tsv"
  figure "$1" "$2"
}

proc_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

proc_cpu_ms() {
  local hz; hz=$(getconf CLK_TCK)
  # Fields 14 and 15 of /proc/PID/stat, after the parenthesised command name.
  sed 's/^.*) //' "/proc/$1/stat" | awk -v hz="$hz" '{printf "%d\n", ($12 + $13) * 1000 / hz}'
}

keep_probe() {
  mkdir -p "$XGW_OUT/probes"
  cp "/run/xgw-test/probe-$1.out" "/run/xgw-test/probe-$1.params" "$XGW_OUT/probes/"
}

# charon_pid NS: the charon of a namespace's strongSwan instance.
charon_pid() { cat "/run/ns-$1/charon.pid"; }
