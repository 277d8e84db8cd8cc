# Scenario: gw-restart
# timeout: 300
#
# gwd is killed (kill -9) under a 20 packets/s probe and started again: the kernel SAs and
# the pinned datapath keep carrying traffic meanwhile, and the new gwd adopts them from its
# state file (mode 0600): same ISAKMP SAs (so AWS's DPD keeps being answered), same ESP SAs.
# Probing goes on for 70 s after the restart, past AWS's DPD timeout (10 s x 3): no packet
# lost, no new Main Mode at the endpoints, and no duplicate SA anywhere at the end.
#
#   [lan] ---- [cgw: gwd, killed and restarted] ---- [inet] ---- [aws1, aws2] ---- [vpc]

RUN_SECONDS=80

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
  cgw_gwd_up
}

scenario_checks() {
  wait_until 60 "gwd: vpn1/1 phase 2 up" gwd_tunnel_up vpn1/1
  wait_until 60 "gwd: vpn1/2 phase 2 up" gwd_tunnel_up vpn1/2
  wait_until 20 "aws1 reports its tunnel established" aws_tunnel_up aws1
  wait_until 20 "aws2 reports its tunnel established" aws_tunnel_up aws2
  local state=/run/xgw/state/gwd-state.json
  check_eq "state file is private (0600)" 600 "$(stat -c %a "$state")"
  local spis1 spis2 sas_before
  spis1=$(gwd_spis vpn1/1); spis2=$(gwd_spis vpn1/2)
  sas_before=$(xfrm_sa_count cgw)

  probe_start r vpn1 20 "$RUN_SECONDS"
  sleep 5
  local pid; pid=$(daemon_pid gwd)
  kill -KILL "$pid"
  poll 5 bash -c "! kill -0 $pid 2>/dev/null"
  log "gwd $pid killed; restarting in 2 s"
  sleep 2
  local t0; t0=$(now_ms)
  must gwd_start
  wait_until 10 "restarted gwd reports vpn1/1 up" gwd_tunnel_up vpn1/1
  figure "restart to status up (ms)" "$(( $(now_ms) - t0 ))"
  check "gwd restored vpn1/1 from its state file" \
    grep -q "tunnel vpn1/1: restored its IKE and ESP SAs from the state file" /run/xgw-test/gwd.log
  check "gwd restored vpn1/2 from its state file" \
    grep -q "tunnel vpn1/2: restored its IKE and ESP SAs from the state file" /run/xgw-test/gwd.log
  check_eq "vpn1/1 kept its SPIs" "$spis1" "$(gwd_spis vpn1/1)"
  check_eq "vpn1/2 kept its SPIs" "$spis2" "$(gwd_spis vpn1/2)"
  check_eq "vpn1/1 is still the active tunnel" vpn1/1 "$(gwd_active_tunnel vpn1)"
  probe_wait r

  figure "packets lost across kill -9 and restart (20/s, ${RUN_SECONDS} s)" "$(probe_lost r)"
  check_eq "no packet lost across kill -9 and restart" 0 "$(probe_lost r)"
  local ep
  for ep in aws1 aws2; do
    check_eq "$ep: gwd started one Main Mode in all" 1 \
      "$(grep -c "$CGW_PUBLIC is initiating a Main Mode IKE_SA" "$(sw_log "$ep")")"
    check "$ep: never declared gwd dead" bash -c "! grep -q 'DPD check timed out' '$(sw_log "$ep")'"
    check_eq "$ep: one IKE SA" 1 "$(swctl "$ep" --list-sas | grep -c '^vgw: #')"
    check_eq "$ep: one ESP SA pair in the kernel" 2 "$(xfrm_sa_count "$ep")"
  done
  check_eq "gwd: as many kernel SAs as before the restart (no duplicates)" "$sas_before" "$(xfrm_sa_count cgw)"

  # The restored ISAKMP SA is a working one: AWS rekeys the child SA on it (a Quick Mode
  # under the same cookies, which needs the restored keys and IVs) and traffic follows.
  swctl aws1 --rekey --child vgw >/dev/null
  wait_until 30 "vpn1/1 rekeyed by AWS on the restored ISAKMP SA" spis_changed vpn1/1 "$spis1"
  check_eq "aws1: still one IKE SA" 1 "$(swctl aws1 --list-sas | grep -c '^vgw: #')"
  check_eq "LAN to VPC after the rekey: 5 of 5" 5 "$(ping_lan_to_vpc vpn1 5)"
}

spis_changed() { local now; now=$(gwd_spis "$1"); [[ $now != "$2" && $now != */ && $now != /* ]]; }

scenario_teardown() {
  gwd_stop
  aws_down
}
