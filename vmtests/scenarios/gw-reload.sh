# Scenario: gw-reload
# timeout: 300
#
# `gwctl reload` while traffic flows: gwd starts with connection a only; the new file changes
# a/1's DPD interval and adds connection b (vmtests/aws/two-vpcs.conf). a's tunnels keep
# their SPIs and its probe loses nothing, the DPD change is applied in place, b comes up and
# carries traffic. Then an invalid file is refused (by gwctl reload and by SIGHUP) and the
# running configuration keeps working.
#
#   [lan] ---- [cgw: gwd] ---- [inet] ---- [aws1, aws2] ---- [vpc1]
#                                     \---- [aws3, aws4] ---- [vpc2]   (b: after the reload)

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/two-vpcs.conf"
  customer_up
  GWD_CONNECTIONS=a cgw_gwd_up
}

scenario_checks() {
  wait_until 60 "gwd: a/1 phase 2 up" gwd_tunnel_up a/1
  wait_until 60 "gwd: a/2 phase 2 up" gwd_tunnel_up a/2
  check_eq "b is not configured yet" "" "$(gwd_tunnel_field b/1 phase2)"
  local spis1 spis2
  spis1=$(gwd_spis a/1); spis2=$(gwd_spis a/2)

  # The new file: both connections, a/1 with DPD every 5 s.
  must gwd_write_config
  awk '/^\[\[connection.tunnel\]\]/ && !done {print; print "dpd_interval = 5"; done = 1; next} {print}' \
    "$GWD_CONF" > "$GWD_CONF.new" && cat "$GWD_CONF.new" > "$GWD_CONF" && rm -f "$GWD_CONF.new"
  probe_start a a 20 30
  sleep 2
  local reply
  reply=$(gwctl reload --socket "$GWD_SOCK")
  check_eq "gwctl reload reports the changes" "a/1 liveness, add b" "$reply"
  wait_until 60 "gwd: b/1 phase 2 up" gwd_tunnel_up b/1
  wait_until 60 "gwd: b/2 phase 2 up" gwd_tunnel_up b/2
  check_eq "LAN to vpc2 over the new connection: 5 of 5" 5 "$(ping_lan_to_vpc b 5)"
  probe_wait a
  figure "a: packets lost across the reload (20/s, 30 s)" "$(probe_lost a)"
  check_eq "a: no packet lost across the reload" 0 "$(probe_lost a)"
  check_eq "a/1 kept its SPIs" "$spis1" "$(gwd_spis a/1)"
  check_eq "a/2 kept its SPIs" "$spis2" "$(gwd_spis a/2)"
  check "gwd applied a/1's DPD interval in place" grep -q "tunnel a/1: DPD 5 s x 3" /run/xgw-test/gwd.log
  check "aws1 saw one Main Mode from gwd in all (no renegotiation)" \
    test "$(grep -c "$CGW_PUBLIC is initiating a Main Mode IKE_SA" "$(sw_log aws1)")" -eq 1

  # An invalid file is refused; the running configuration stays.
  cp "$GWD_CONF" "$GWD_CONF.good"
  sed -i '0,/inside_cidr = /s/inside_cidr = .*/inside_cidr = "169.254.100.0\/29"/' "$GWD_CONF"
  local out rc=0
  out=$(gwctl reload --socket "$GWD_SOCK" 2>&1) || rc=$?
  check_eq "gwctl reload of an invalid file exits 1" 1 "$rc"
  check "the refusal names the field" grep -q "inside_cidr" <<<"$out"
  log "refusal: $out"
  kill -HUP "$(daemon_pid gwd)"
  wait_until 10 "SIGHUP with the invalid file is refused too" \
    output_is 2 grep -c 'reload refused, the running configuration stays' /run/xgw-test/gwd.log
  check "gwd is still running" kill -0 "$(daemon_pid gwd)"
  for t in a/1 a/2 b/1 b/2; do check "$t still up" gwd_tunnel_up "$t"; done
  check_eq "a/1 still has its SPIs" "$spis1" "$(gwd_spis a/1)"
  check_eq "LAN to vpc1: 5 of 5" 5 "$(ping_lan_to_vpc a 5)"
  check_eq "LAN to vpc2: 5 of 5" 5 "$(ping_lan_to_vpc b 5)"
  mv "$GWD_CONF.good" "$GWD_CONF"
}

scenario_teardown() {
  gwd_stop
  aws_down
}
