# Scenario: gw-two-vpcs
# timeout: 300
#
# Two VPN connections from the same gateway address to two VPCs (vmtests/aws/two-vpcs.conf):
# each has its own two tunnels, routed network and failover state. Traffic to each VPC takes
# its own connection; both endpoints of connection a crash (no Delete) and come back while
# connection b carries a probe that must not lose a packet.
#
#   [lan] ---- [cgw: gwd, xgw1..xgw4] ---- [inet] ---- [aws1, aws2] ---- [vpc1]
#                                                 \---- [aws3, aws4] ---- [vpc2]

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/two-vpcs.conf"
  customer_up
  cgw_gwd_up
}

scenario_checks() {
  local t ep
  for t in a/1 a/2 b/1 b/2; do wait_until 60 "gwd: tunnel $t phase 2 up" gwd_tunnel_up "$t"; done
  for ep in aws1 aws2 aws3 aws4; do wait_until 20 "$ep reports its tunnel established" aws_tunnel_up "$ep"; done
  check_eq "a: active tunnel a/1" a/1 "$(gwd_active_tunnel a)"
  check_eq "b: active tunnel b/1" b/1 "$(gwd_active_tunnel b)"

  # Each VPC is reachable only through its own connection's endpoints.
  local a_before b_before
  a_before=$(xfrm_sa_packets aws1 "$CGW_PUBLIC" 203.0.113.21)
  b_before=$(xfrm_sa_packets aws3 "$CGW_PUBLIC" 203.0.113.31)
  check_eq "LAN to vpc1 (connection a): 10 of 10" 10 "$(ping_lan_to_vpc a 10)"
  check_eq "LAN to vpc2 (connection b): 10 of 10" 10 "$(ping_lan_to_vpc b 10)"
  check_ge "aws1 (a/1) counted vpc1's pings" $(( $(xfrm_sa_packets aws1 "$CGW_PUBLIC" 203.0.113.21) - a_before )) 10
  check_ge "aws3 (b/1) counted vpc2's pings" $(( $(xfrm_sa_packets aws3 "$CGW_PUBLIC" 203.0.113.31) - b_before )) 10

  # Connection a loses both endpoints; b must not notice.
  probe_start b b 20 40
  sleep 3
  aws_kill aws1
  aws_kill aws2
  wait_until 20 "gwd: a/1 down after its endpoint crashed" gwd_tunnel_down a/1
  wait_until 20 "gwd: a/2 down after its endpoint crashed" gwd_tunnel_down a/2
  check "b/1 stayed up and active" test "$(gwd_active_tunnel b)" = b/1
  aws_restart aws1
  aws_restart aws2
  local t0; t0=$(now_ms)
  wait_until 60 "gwd: a/1 re-established" gwd_tunnel_up a/1
  wait_until 60 "gwd: a/2 re-established" gwd_tunnel_up a/2
  figure "a: both tunnels re-established after the endpoints came back (ms)" "$(( $(now_ms) - t0 ))"
  probe_wait b
  figure "b: packets lost while connection a failed and recovered (20/s, 40 s)" "$(probe_lost b)"
  check_eq "b: no packet lost while connection a failed and recovered" 0 "$(probe_lost b)"
  check_eq "b: no failover" 0 "$(gwctl_json status | jq '.connections[] | select(.name == "b") | .failovers')"
  check_eq "LAN to vpc1 again: 5 of 5" 5 "$(ping_lan_to_vpc a 5)"
}

scenario_teardown() {
  gwd_stop
  aws_down
}
