# Scenario: gw-bgp
# timeout: 300
#
# A BGP VPN connection as AWS delivers it: `gwctl import aws vpn-bgp.xml --advertise LAN`
# (the fixture) and gwd from the written config, with BIRD 2 in the gateway's namespace
# configured by gwd alone (bird.conf only includes gwd's fragment). Each AWS endpoint runs
# BIRD as AWS's side (AS 64512, hold 30 s), announcing the VPC network. Checked: both BGP
# sessions established (as gwd, the gateway's BIRD and each endpoint's BIRD report it), the
# VPC prefix learned and steered into the active tunnel (status, the kernel table BIRD
# exports to, LAN to VPC traffic), the LAN prefix at both endpoints, doctor passing; then
# BIRD stopped: doctor names it while IPsec stays up.
#
#   [lan] ---- [cgw: gwd + BIRD] ---- [inet] ---- [aws1 + BIRD, aws2 + BIRD] ---- [vpc]

FIXTURE=$XGW_ROOT/../shared/fixtures/aws/vpn-bgp.xml
OP_CONF=/etc/xgw/gwd.toml

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/bgp.conf"
  customer_up
  must cgw_bird_up
  rm -rf /etc/xgw
  must gwctl import aws "$FIXTURE" --name vpn1 --interface wan0 --lan-interface c-lan --advertise 192.0.2.0/26 \
    --write /etc/xgw
  gwd_bird_keys "$OP_CONF"
  GWD_CONF=$OP_CONF must gwd_start
}

scenario_checks() {
  check "import wrote routing = bgp with the LAN to advertise" grep -q '^advertise = \["192.0.2.0/26"\]' "$OP_CONF"
  wait_until 60 "gwd: vpn1/1 phase 2 up" gwd_tunnel_up vpn1/1
  wait_until 60 "gwd: vpn1/2 phase 2 up" gwd_tunnel_up vpn1/2
  local t0; t0=$(now_ms)
  wait_until 60 "gwd: BGP established on vpn1/1" gwd_bgp_up vpn1/1
  wait_until 60 "gwd: BGP established on vpn1/2" gwd_bgp_up vpn1/2
  figure "BGP established on both tunnels after phase 2 (s)" "$(ms_to_s $(( $(now_ms) - t0 )))"
  check "the gateway's BIRD: session xgw_t1 established" bird_established cgw xgw_t1
  check "the gateway's BIRD: session xgw_t2 established" bird_established cgw xgw_t2
  check "aws1's BIRD: session established" bird_established aws1 cgw
  check "aws2's BIRD: session established" bird_established aws2 cgw
  wait_until 20 "gwd steers the learned VPC prefix" output_is 192.0.2.128/26 gwd_learned vpn1
  check "BIRD exported it into tunnel 1's kernel table" \
    grep -q '^192.0.2.128/26 via 169.254.100.1 dev xgw1 ' <<<"$(in_ns cgw ip route show table 7870001)"
  check "BIRD exported it into tunnel 2's kernel table" \
    grep -q '^192.0.2.128/26 via 169.254.101.1 dev xgw2 ' <<<"$(in_ns cgw ip route show table 7870002)"
  check_eq "vpn1/1 is active" vpn1/1 "$(gwd_active_tunnel vpn1)"
  check "aws1 learned the LAN prefix" bird_has_route aws1 192.0.2.0/26
  check "aws2 learned the LAN prefix" bird_has_route aws2 192.0.2.0/26
  check "aws1's route to the LAN comes from AS 65000" grep -q 'AS65000' <<<"$(birdc_in aws1 show route 192.0.2.0/26)"
  wait_until 20 "aws1 reports its tunnel established" aws_tunnel_up aws1
  check_eq "LAN to VPC: 10 of 10" 10 "$(ping_lan_to_vpc vpn1 10)"
  check "the LAN's traffic crossed tunnel 1 (gwd's SA counters)" test "$(gwd_tunnel_field vpn1/1 esp_out_packets)" -ge 10
  check "gwctl status shows BGP per tunnel" grep -q 'up, 1 routes' <<<"$(gwctl status --socket "$GWD_SOCK")"
  doctor_run
  check_eq "gwctl doctor passes" 0 "$DOCTOR_RC"

  # BIRD stops: IPsec stays up, BGP is down, and doctor says why.
  bird_stop cgw
  wait_until 10 "gwd reports BGP down" output_is "down" gwd_bgp_field vpn1/1 state
  wait_until 10 "gwd reports BIRD unreachable, naming its socket" bird_error_names_socket
  check "IPsec stays up without BIRD" gwd_tunnel_up vpn1/1
  doctor_run
  check_eq "doctor fails without BIRD" 1 "$DOCTOR_RC"
  check "doctor says gwd cannot use BIRD" grep -q "fail  tunnel vpn1/1 .*cannot use BIRD" <<<"$DOCTOR_OUT"
  must bird_start cgw /run/xgw-test/bird-cgw.conf
  wait_until 60 "BGP established again once BIRD is back (it reads the fragment gwd wrote)" gwd_bgp_up vpn1/1
}

bird_error_names_socket() { grep -q "$(bird_sock cgw)" <<<"$(gwctl_json status | jq -r .bird.error)"; }

scenario_teardown() {
  gwd_stop
  bird_stop cgw
  aws_down
}
