# Scenario: gw-wrong-psk
# timeout: 180
#
# gwd's pre-shared key for tunnel 1 differs from the endpoint's. The responder cannot decrypt
# Main Mode message 5, so gwd sees no valid reply to MM5: the engine's reason shows in the log
# and in `gwctl status`, nothing is installed for that tunnel, retries continue, and tunnel 2
# (right key) is unaffected.
#
#   [lan] ---- [cgw: gwd] ---- [inet] ---- [aws1: other PSK] ---- [vpc]
#                                    \---- [aws2] ----------------/

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
  gwd_write_config
  # Only the gateway's copy of tunnel 1's key changes.
  sed -i "s/psk = \"${TF[vpn1/1.psk]}\"/psk = \"Wrong.Key.For.Tunnel.One.12345678\"/" "$GWD_CONF"
  must gwd_start
}

scenario_checks() {
  wait_until 40 "gwd: tunnel vpn1/2 (right key) phase 2 up" gwd_tunnel_up vpn1/2
  wait_until 40 "gwctl: vpn1/1 failed with no_valid_reply:MM5" failure_is vpn1/1 "no_valid_reply:MM5"
  check "gwd logged the reason" grep -q "tunnel vpn1/1: failure no_valid_reply:MM5" /run/xgw-test/gwd.log
  check_eq "gwctl: vpn1/1 phase 2 down" down "$(gwd_tunnel_field vpn1/1 phase2)"
  check_eq "no SA installed for vpn1/1" 0 "$(sa_count_with 203.0.113.21)"
  check "the PSK never appears in gwd's log" not grep -q "Wrong.Key" /run/xgw-test/gwd.log
  local n1; n1=$(mm1_count)
  wait_until 20 "gwd keeps retrying (new Main Modes sent)" more_mm1_than "$n1"
  check_eq "traffic still crosses on tunnel 2" 5 "$(ping_lan_to_vpc vpn1 5)"
}

not() { ! "$@"; }
failure_is() { [[ $(gwd_tunnel_field "$1" last_failure) == "$2" ]]; }
sa_count_with() { ip -n cgw xfrm state | grep -c "$1" || true; }
mm1_count() { grep -c "initiating a Main Mode IKE_SA" "$(sw_log aws1)" || true; }
more_mm1_than() { (( $(mm1_count) > $1 )); }

scenario_teardown() {
  gwd_stop
  aws_down
}
