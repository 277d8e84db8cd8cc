# Scenario: gw-rekey
# timeout: 480
#
# Rekeying without losing a packet: three connections with phase 2 lifetime 30 s and phase
# 1 lifetime 90 s (vmtests/aws/rekey.conf) run for 2 minutes under a 20 packets/s probe each:
#   r1  gwd's lifetimes are the shorter ones: gwd starts the Quick Modes and Main Modes;
#   r2  the endpoints' lifetimes are the shorter ones: AWS starts them (gwd responds);
#   r3  equal lifetimes: both sides start rekeys at about the same time (collisions).
# Every probe must see zero loss, and afterwards neither gwd nor any endpoint may keep a
# stale SA or policy: the kernel holds only SAs of child SAs its IKE daemon still tracks
# (strongSwan keeps a REKEYED child's inbound SA until it expires: tracked, not stale), and
# the number of policies is what it was before the rekeys.
#
#   [lan] ---- [cgw: gwd, 6 tunnels] ---- [inet] ---- [aws1..aws6] ---- [vpc1 | vpc2 | vpc3]

RUN_SECONDS=120
ENDPOINTS=(aws1 aws2 aws3 aws4 aws5 aws6)

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/rekey.conf"
  customer_up
  cgw_gwd_up
}

scenario_checks() {
  local t c ep x
  for t in r1/1 r1/2 r2/1 r2/2 r3/1 r3/2; do wait_until 90 "gwd: tunnel $t up" gwd_tunnel_up "$t"; done
  wait_until 60 "every endpoint reports its tunnel established" all_endpoints_up
  local policies_before; policies_before=$(policy_count cgw)
  declare -gA EP_POLICIES=()
  for ep in "${ENDPOINTS[@]}"; do EP_POLICIES[$ep]=$(policy_count "$ep"); done
  for c in r1 r2 r3; do check_eq "$c: LAN to VPC 5 of 5" 5 "$(ping_lan_to_vpc "$c" 5)"; done
  local p2_before p1_before
  p2_before=$(log_count "phase 2 up"); p1_before=$(log_count "phase 1 up")
  declare -gA STARTED_BEFORE=()
  for c in r1 r2 r3; do
    for x in QUICK_MODE ID_PROT; do
      STARTED_BEFORE[$c.gwd.$x]=$(gwd_started_total "$c" "$x")
      STARTED_BEFORE[$c.aws.$x]=$(aws_started_total "$c" "$x")
    done
  done

  for c in r1 r2 r3; do probe_start "$c" "$c" 20 "$RUN_SECONDS"; done
  for c in r1 r2 r3; do probe_wait "$c"; done

  for c in r1 r2 r3; do
    figure "$c: packets lost in ${RUN_SECONDS} s of rekeying (20/s)" "$(probe_lost "$c")"
    figure "$c: phase 2 rekeys started by gwd / by AWS" "$(gwd_started "$c" QUICK_MODE) / $(aws_started "$c" QUICK_MODE)"
    figure "$c: phase 1 re-authentications started by gwd / by AWS" "$(gwd_started "$c" ID_PROT) / $(aws_started "$c" ID_PROT)"
  done
  figure "gwd: phase 2 / phase 1 SAs established during the run" \
    "$(( $(log_count "phase 2 up") - p2_before )) / $(( $(log_count "phase 1 up") - p1_before ))"
  for c in r1 r2 r3; do check_eq "$c: zero packets lost across rekeys" 0 "$(probe_lost "$c")"; done
  # Each variant rekeyed both phases from the side the variant says (both for r3).
  check_ge "r1: gwd started phase 2 rekeys" "$(gwd_started r1 QUICK_MODE)" 8
  check_ge "r1: gwd started phase 1 re-authentications" "$(gwd_started r1 ID_PROT)" 2
  check_ge "r2: AWS started phase 2 rekeys" "$(aws_started r2 QUICK_MODE)" 8
  check_ge "r2: AWS started phase 1 re-authentications" "$(aws_started r2 ID_PROT)" 2
  check_ge "r3: phase 2 rekeys" "$(( $(gwd_started r3 QUICK_MODE) + $(aws_started r3 QUICK_MODE) ))" 8

  wait_until 30 "gwd: the kernel holds exactly the SAs of gwd's child SAs" cgw_sas_consistent
  check_eq "gwd: policies unchanged" "$policies_before" "$(policy_count cgw)"
  for ep in "${ENDPOINTS[@]}"; do
    wait_until 30 "$ep: every kernel SA belongs to a child SA charon tracks, at most 2 IKE SAs" endpoint_clean "$ep"
    check_eq "$ep: policies unchanged" "${EP_POLICIES[$ep]}" "$(policy_count "$ep")"
  done
  for c in r1 r2 r3; do check_eq "$c: LAN to VPC still 5 of 5" 5 "$(ping_lan_to_vpc "$c" 5)"; done
}

all_endpoints_up() { local ep; for ep in "${ENDPOINTS[@]}"; do aws_tunnel_up "$ep" || return 1; done; }
log_count() { grep -c "$1" /run/xgw-test/gwd.log; }
policy_count() { ip -n "$1" xfrm policy | grep -c '^src'; }
# Exchanges (QUICK_MODE, ID_PROT = Main Mode) the endpoints of CONNECTION started, from their
# charon logs ("generating <EXCHANGE> request" on the initiating side), and those gwd started
# (the endpoints "parsed" the request).
endpoint_log_count() {
  local c=$1 pattern=$2 t n=0
  for t in $(connection_tunnels "$c"); do
    n=$(( n + $(grep -c "$pattern" "$(sw_log "${TF[$t.endpoint]}")") ))
  done
  echo "$n"
}
# Each exchange has 2 requests (Quick Mode: QM1, QM3) or 3 (Main Mode: MM1, MM3, MM5).
requests_per() { if [[ $1 == QUICK_MODE ]]; then echo 2; else echo 3; fi; }
aws_started_total() { echo $(( $(endpoint_log_count "$1" "generating $2 request") / $(requests_per "$2") )); }
gwd_started_total() { echo $(( $(endpoint_log_count "$1" "parsed $2 request") / $(requests_per "$2") )); }
# Exchanges started during the run.
aws_started() { echo $(( $(aws_started_total "$1" "$2") - STARTED_BEFORE[$1.aws.$2] )); }
gwd_started() { echo $(( $(gwd_started_total "$1" "$2") - STARTED_BEFORE[$1.gwd.$2] )); }

scenario_teardown() {
  gwd_stop
  aws_down
}
