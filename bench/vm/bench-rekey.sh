# Scenario: bench-rekey
# timeout: 900
#
# What a phase 2 rekey costs, gwd against strongSwan as the customer gateway, in the same run:
# both tunnels with a 30 s phase 2 lifetime and a 10 s margin with full fuzz (a rekey every
# 10-20 s per tunnel, started by the gateway; AWS's lifetimes stay at 3600 s), for REKEY_S
# seconds under a 100 packets/s ping from the LAN. Counted: rekeys (child SAs the endpoints
# established in the window, their own logs as oracle), packets lost, and the gateway's CPU
# time per rekey above its idle rate (CPU per second over IDLE_S seconds of the same traffic
# with AWS's lifetimes, no rekey, measured first: DPD, probes and polling are not rekeys).
#
#   [lan] ---- [cgw: gwd | charon] ---- [inet] ---- [aws1] ---- [vpc] ---- [vpc-host]
#                                              \---- [aws2] ----/

source "$XGW_ROOT/bench/vm/lib/common.sh"
REKEY_S=90
IDLE_S=30
PPS=100

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
}

endpoint_child_sas() { cat "$(sw_log aws1)" "$(sw_log aws2)" | grep -cE 'CHILD_SA vgw\{[0-9]+\} established' || true; }

# idle_window GW PID: IDLE_S seconds of the same traffic without rekeys; sets IDLE_RATE
# (CPU ms per second).
idle_window() {
  local gw=$1 pid=$2 cpu0 cpu
  sleep 5   # past the start-up burst of work
  cpu0=$(proc_cpu_ms "$pid")
  probe_start "$gw-idle" vpn1 "$PPS" "$IDLE_S"
  probe_wait "$gw-idle"
  cpu=$(( $(proc_cpu_ms "$pid") - cpu0 ))
  IDLE_RATE=$(awk -v c="$cpu" -v s="$IDLE_S" 'BEGIN {printf "%.2f", c / s}')
  bench_value "rekey.$gw.idle_cpu_ms_per_s" "$IDLE_RATE"
}

# rekey_window GW PID: REKEY_S seconds of traffic while the tunnels rekey.
rekey_window() {
  local gw=$1 pid=$2 sas0 cpu0 sas cpu lost
  sleep 5   # past the start-up burst of work
  sas0=$(endpoint_child_sas); cpu0=$(proc_cpu_ms "$pid")
  probe_start "$gw-rekey" vpn1 "$PPS" "$REKEY_S"
  probe_wait "$gw-rekey"
  sas=$(( $(endpoint_child_sas) - sas0 )); cpu=$(( $(proc_cpu_ms "$pid") - cpu0 ))
  lost=$(probe_lost "$gw-rekey")
  keep_probe "$gw-rekey"
  check_ge "$gw: the tunnels rekeyed during the window" "$sas" 4
  bench_value "rekey.$gw.rekeys" "$sas"
  bench_value "rekey.$gw.lost" "$lost"
  bench_value "rekey.$gw.lost_per_rekey" "$(awk -v l="$lost" -v n="$sas" 'BEGIN {printf "%.2f", n ? l / n : 0}')"
  bench_value "rekey.$gw.cpu_ms_per_rekey" \
    "$(awk -v c="$cpu" -v n="$sas" -v r="$IDLE_RATE" -v s="$REKEY_S" 'BEGIN {printf "%.1f", n ? (c - r * s) / n : 0}')"
}

gwd_run() {  # gwd_run [EXTRA-TUNNEL-KEYS]: gwd up with both tunnels
  must gwd_write_config "$@"
  must gwd_start
  wait_until 60 "gwd: both tunnels up" gwd_both_up
  wait_until 30 "aws1 and aws2: both tunnels up" aws_both_up
}

strongswan_run() {  # environment as cgw_strongswan_up's
  SW_ROUTE_FAILOVER=1 cgw_strongswan_up
  wait_until 90 "strongSwan: both tunnels up" aws_both_up
  wait_until 30 "strongSwan: the VPC routed into tunnel 1" bash -c "ip -n cgw route show 192.0.2.128/26 | grep -q xfrm1"
}

scenario_checks() {
  gwd_run
  idle_window gwd "$(daemon_pid gwd)"
  gwd_stop
  gwd_run $'esp_lifetime = 30\nrekey_margin = 10'
  rekey_window gwd "$(daemon_pid gwd)"
  gwd_stop

  strongswan_run
  idle_window strongswan "$(charon_pid cgw)"
  cgw_strongswan_down
  SW_ESP_LIFETIME=30 SW_REKEY_MARGIN=10 strongswan_run
  rekey_window strongswan "$(charon_pid cgw)"
}

scenario_teardown() { gwd_stop; cgw_strongswan_down >/dev/null 2>&1; }
