# Scenario: bench-collide
# timeout: 900
#
# Phase 1 collisions, a stress run (not part of scripts/test or bench/run; run it with
# `vmtests/run bench-collide`): six tunnels whose ends both re-authenticate every 40-50 s
# (vmtests/aws/collide.conf), for RUN_SECONDS. Every 2 s or so each endpoint's IKE SAs are
# counted. A collision that leaves two ISAKMP SAs for good shows as an endpoint holding more
# than two for longer than strongSwan's 10 s and gwd's 20 s clean-up allow (docs/ike.md).
#
#   [lan] ---- [cgw: gwd, 6 tunnels] ---- [inet] ---- [aws1..aws6] ---- [vpc1 | vpc2 | vpc3]
ENDPOINTS=(aws1 aws2 aws3 aws4 aws5 aws6)
RUN_SECONDS=330
scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/collide.conf"
  customer_up
  cgw_gwd_up
}
scenario_checks() {
  local t ep end n worst=0
  for t in r1/1 r1/2 r2/1 r2/2 r3/1 r3/2; do wait_until 90 "gwd: tunnel $t up" gwd_tunnel_up "$t"; done
  declare -A since=()
  end=$(( SECONDS + RUN_SECONDS ))
  while (( SECONDS < end )); do
    for ep in "${ENDPOINTS[@]}"; do
      n=$(swctl "$ep" --list-sas 2>/dev/null | grep -cE '^[^ ].*IKEv1')
      if (( n > 2 )); then
        [[ -n ${since[$ep]:-} ]] || since[$ep]=$SECONDS
        local d=$(( SECONDS - since[$ep] ))
        (( d > worst )) && worst=$d
        echo "$(date +%T) $ep: $n IKE SAs for $d s" >&2
        (( d >= 20 )) && { echo "--- $ep" >&2; sw_sa_summary "$ep" >&2; }
      else
        since[$ep]=""
      fi
    done
    sleep 2
  done
  figure "longest time with more than 2 IKE SAs at an endpoint (s)" "$worst"
  figure "gwd: phase 1 collisions resolved" "$(grep -c 'phase 1 collision' /run/xgw-test/gwd.log)"
  for ep in "${ENDPOINTS[@]}"; do figure "$ep: IKE SAs at the end" "$(swctl "$ep" --list-sas 2>/dev/null | grep -cE '^[^ ].*IKEv1')"; done
  check_eq "no endpoint kept 3 IKE SAs for 30 s" 1 "$(( worst < 30 ))"
}
scenario_teardown() { gwd_stop; aws_down; }
