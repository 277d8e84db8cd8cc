# Scenario: gw-netem
# timeout: 360
#
# A bad internet between the gateway and AWS (netem on every link of the internet namespace;
# a path crosses two links, so each link gets the loss that makes the path's what is named):
#   (1) establishment through 10 % loss, 5 % duplication, reordering (25 %, 20 ms delay);
#   (2) 45 s through 30 % loss, 10 % duplication and the same reordering, during which gwd
#       rekeys phase 2 on both tunnels (lifetime 30 s, vmtests/aws/netem.conf).
# Then, with the path clean again: both tunnels up, no duplicate SAs left anywhere (gwd: one
# child SA per tunnel and the kernel holding exactly those; each endpoint: one installed
# child SA, every kernel SA tracked by charon), LAN to VPC traffic crosses.
#
#   [lan] ---- [cgw: gwd] ---- [inet: netem] ---- [aws1, aws2] ---- [vpc]

# netem per link for a path loss P (two links): 1 - sqrt(1 - P).
IMPAIR_10="delay 20ms reorder 25% 50% loss 5.1% duplicate 2.5%"
IMPAIR_30="delay 20ms reorder 25% 50% loss 16.3% duplicate 5%"

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/netem.conf"
  customer_up
  must net_impair $IMPAIR_10
  cgw_gwd_up
}

scenario_checks() {
  local t0 t1
  t0=$(now_ms)
  wait_until 90 "(1) vpn1/1 established through 10 % loss" gwd_tunnel_up vpn1/1
  wait_until 90 "(1) vpn1/2 established through 10 % loss" gwd_tunnel_up vpn1/2
  t1=$(now_ms)
  figure "(1) both tunnels established through 10 % loss, duplication, reordering (s)" "$(ms_to_s $((t1 - t0)))"
  wait_until 30 "(1) aws1 and aws2 report their tunnels" aws_both_up

  local rekeys0; rekeys0=$(grep -c 'phase 2 up' /run/xgw-test/gwd.log)
  must net_impair $IMPAIR_30
  sleep 45
  must net_impair off
  local rekeys=$(( $(grep -c 'phase 2 up' /run/xgw-test/gwd.log) - rekeys0 ))
  figure "(2) phase 2 establishments during 45 s of 30 % loss" "$rekeys"
  check_ge "(2) gwd rekeyed both tunnels under 30 % loss" "$rekeys" 2

  wait_until 60 "both tunnels up once the path is clean" gwd_both_up
  wait_until 60 "gwd: one child SA per tunnel" output_is "1 1" gwd_children
  wait_until 30 "gwd: the kernel holds exactly the SAs of gwd's child SAs" cgw_sas_consistent
  local ep
  for ep in aws1 aws2; do
    wait_until 60 "$ep: one installed child SA" output_is 1 aws_child_sas "$ep"
    wait_until 30 "$ep: every kernel SA belongs to a child SA charon tracks" endpoint_clean "$ep"
  done
  check_eq "LAN to VPC: 10 of 10" 10 "$(ping_lan_to_vpc vpn1 10)"
}

gwd_children() { echo "$(gwd_tunnel_field vpn1/1 child_sas) $(gwd_tunnel_field vpn1/2 child_sas)"; }

scenario_teardown() {
  net_impair off
  gwd_stop
  aws_down
}
