# Scenario: gw-proposal-mismatch
# timeout: 180
#
# Tunnel 2's endpoint accepts only aes256-sha256-modp2048 while gwd offers AWS's defaults: the
# endpoint answers NO-PROPOSAL-CHOSEN, the reason shows in gwd's log and `gwctl status`,
# nothing is installed for that tunnel, retries continue, tunnel 1 is unaffected.
#
#   [lan] ---- [cgw: gwd] ---- [inet] ---- [aws1] ---------------------------- [vpc]
#                                    \---- [aws2: aes256-sha256-modp2048 only] ----/

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection-strong-t2.conf"
  customer_up
  cgw_gwd_up
}

scenario_checks() {
  wait_until 40 "gwd: tunnel vpn1/1 phase 2 up" gwd_tunnel_up vpn1/1
  wait_until 40 "gwctl: vpn1/2 failed with notify:NO-PROPOSAL-CHOSEN" failure_is vpn1/2 "notify:NO-PROPOSAL-CHOSEN"
  check "gwd logged the reason" grep -q "tunnel vpn1/2: failure notify:NO-PROPOSAL-CHOSEN" /run/xgw-test/gwd.log
  check_eq "gwctl: vpn1/2 phase 1 down" down "$(gwd_tunnel_field vpn1/2 phase1)"
  check_eq "no SA installed for vpn1/2" 0 "$(sa_count_with 203.0.113.87)"
  local n; n=$(mm1_count)
  wait_until 20 "gwd keeps retrying (new Main Modes sent)" more_mm1_than "$n"
  check_eq "traffic crosses on tunnel 1" 5 "$(ping_lan_to_vpc vpn1 5)"
}

failure_is() { [[ $(gwd_tunnel_field "$1" last_failure) == "$2" ]]; }
sa_count_with() { ip -n cgw xfrm state | grep -c "$1" || true; }
mm1_count() { grep -c "initiating a Main Mode IKE_SA" "$(sw_log aws2)" || true; }
more_mm1_than() { (( $(mm1_count) > $1 )); }

scenario_teardown() {
  gwd_stop
  aws_down
}
