# Scenario: bench-failover
# timeout: 1500
#
# Failover outage, gwd against strongSwan as the customer gateway with the usual hand-made
# failover (both tunnels up, the VPC routed into each tunnel that is up with the tunnel's
# number as metric, tunnels restarted forever: lib/customer.sh, SW_ROUTE_FAILOVER), in the
# same run, against the same AWS emulation, measured by a 100 packets/s ping from the LAN:
#   delete   the active endpoint sends a Delete (maintenance): packets lost in total, and
#            packets the gateway still sent into the deleted tunnel after the Delete arrived;
#   death    the active endpoint crashes (no Delete), with DPD 10 s x 3 (AWS's default) and
#            with DPD 1 s x 3: the outage (longest run of lost packets);
#   back     the crashed endpoint restarts with no state: time until it has its tunnel
#            again (AWS never initiates; the endpoint's own view is the oracle for both).
# gwd runs with its defaults otherwise (its liveness probe, 250 ms x 4, included).
#
#   [lan] ---- [cgw: gwd | charon] ---- [inet] ---- [aws1] ---- [vpc] ---- [vpc-host]
#                                              \---- [aws2] ----/

source "$XGW_ROOT/bench/vm/lib/common.sh"
PPS=100

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
}

endpoint_of() { [[ $1 == vpn1/1 || $1 == 1 ]] && echo aws1 || echo aws2; }
outside_of() { [[ $1 == aws1 ]] && echo 203.0.113.21 || echo 203.0.113.87; }

# The tunnel carrying the LAN's traffic: gwd's active tunnel; for strongSwan the route the
# kernel picks for the VPC.
active_endpoint() {
  if [[ $1 == gwd ]]; then endpoint_of "$(gwd_active_tunnel vpn1)"
  else endpoint_of "$(in_ns cgw ip route get 192.0.2.138 | sed -n 's/.* dev xfrm\([0-9]*\).*/\1/p')"
  fi
}

gateway_ready() {  # both tunnels up on both sides
  aws_both_up || return 1
  if [[ $1 == gwd ]]; then gwd_both_up
  else [[ $(in_ns cgw ip route show 192.0.2.128/26 | grep -c xfrm) -eq 2 ]]
  fi
}

# case_delete GW: the active endpoint sends a Delete.
case_delete() {
  local gw=$1 ep; ep=$(active_endpoint "$gw")
  delete_watch_start cgw wan0 "$(outside_of "$ep")"
  probe_start "$gw-delete" vpn1 "$PPS" 8
  sleep 2
  delete_watch_mark
  check "$gw: $ep sends a Delete" aws_send_delete "$ep"
  probe_wait "$gw-delete"
  delete_watch_stop
  keep_probe "$gw-delete"
  bench_value "failover.$gw.delete.lost" "$(probe_lost "$gw-delete")"
  bench_value "failover.$gw.delete.sent_after" "$(sent_after_delete "$(outside_of "$ep")")"
  wait_until 120 "$gw: both tunnels back after the Delete" gateway_ready "$gw"
}

# case_death GW DPD SECONDS: the active endpoint crashes, then restarts.
case_death() {
  local gw=$1 dpd=$2 secs=$3 ep t0 t1; ep=$(active_endpoint "$gw")
  probe_start "$gw-death-$dpd" vpn1 "$PPS" "$secs"
  sleep 2
  check "$gw: $ep crashes" aws_kill "$ep"
  probe_wait "$gw-death-$dpd"
  keep_probe "$gw-death-$dpd"
  bench_value "failover.$gw.death_$dpd.outage_ms" "$(probe_outage_ms "$gw-death-$dpd")"
  check "$gw: $ep restarts" aws_restart "$ep"
  t0=$(now_ms)
  wait_until 180 "$gw: $ep has its tunnel again" aws_tunnel_up "$ep"
  t1=$(now_ms)
  bench_value "failover.$gw.back_$dpd.ms" $(( t1 - t0 ))
  wait_until 120 "$gw: both tunnels up again" gateway_ready "$gw"
}

scenario_checks() {
  # gwd: AWS's DPD (10 s x 3), then 1 s x 3.
  must gwd_write_config
  must gwd_start
  wait_until 60 "gwd: both tunnels up" gateway_ready gwd
  case_delete gwd
  case_death gwd dpd10 12
  gwd_stop
  must gwd_write_config $'dpd_interval = 1\ndpd_retries = 3'
  must gwd_start
  wait_until 60 "gwd (DPD 1 s): both tunnels up" gateway_ready gwd
  case_death gwd dpd1 12
  gwd_stop

  # strongSwan: the same, with the same DPD settings (IKEv1: delay, then timeout = 3 x delay).
  SW_ROUTE_FAILOVER=1 SW_DPD_DELAY=10 SW_DPD_TIMEOUT=30 cgw_strongswan_up
  wait_until 90 "strongSwan: both tunnels up" gateway_ready strongswan
  case_delete strongswan
  case_death strongswan dpd10 60
  cgw_strongswan_down
  SW_ROUTE_FAILOVER=1 SW_DPD_DELAY=1 SW_DPD_TIMEOUT=3 cgw_strongswan_up
  wait_until 90 "strongSwan (DPD 1 s): both tunnels up" gateway_ready strongswan
  case_death strongswan dpd1 20
}

scenario_teardown() { gwd_stop; cgw_strongswan_down >/dev/null 2>&1; }
