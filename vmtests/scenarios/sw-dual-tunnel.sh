# Scenario: sw-dual-tunnel
# timeout: 180
#
# The harness with strongSwan on both ends: a strongSwan customer gateway brings up both
# tunnels of one connection against the AWS emulation; LAN to VPC traffic crosses ESP on
# tunnel 1. Then the fault helpers are proven: an AWS-style Delete moves the VPC's return
# path to tunnel 2; blocking ESP, a silent endpoint death and netem delay each have the
# expected effect, and undoing them restores traffic.
#
#   [lan] ---- [cgw: charon, xfrm1 xfrm2] ---- [inet] ---- [aws1: charon, vgw] ---- [vpc] ---- [vpc-host]
#                                                   \----- [aws2: charon, vgw] ----/

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
  cgw_strongswan_up
  must sw_initiate cgw vpn1-1
  must sw_initiate cgw vpn1-2
  cgw_route_via_tunnel vpn1/1
}

scenario_checks() {
  check "gateway: tunnel 1 established" sw_ike_established cgw vpn1-1
  check "gateway: tunnel 2 established" sw_ike_established cgw vpn1-2
  wait_until 10 "aws1: tunnel up, VPC return path set" aws_tunnel_up aws1
  wait_until 10 "aws2: tunnel up" aws_tunnel_up aws2
  check_eq "VPC router returns through tunnel 1" aws1 "$(aws_active_endpoint vpn1)"
  check "VGW inside address answers on tunnel 1" in_ns cgw ping -c 2 -i 0.2 -W 2 169.254.100.1
  check "VGW inside address answers on tunnel 2" in_ns cgw ping -c 2 -i 0.2 -W 2 169.254.101.1

  local before after
  before=$(xfrm_sa_packets aws1 "$CGW_PUBLIC" 203.0.113.21)
  check_eq "LAN to VPC: 10 of 10 pings answered" 10 "$(ping_lan_to_vpc vpn1 10)"
  after=$(xfrm_sa_packets aws1 "$CGW_PUBLIC" 203.0.113.21)
  check_ge "aws1's inbound SA counted the pings" $((after - before)) 10
  check_eq "no plain inner traffic reached aws1" 0 "$(nft_counter aws1 inet mustbeipsec plain_dropped)"
  check_ge "ESP crossed the internet" "$(nft_counter inet ip observe esp_packets)" 20
  figure "tunnel 1 inbound ESP packets at aws1" "$after"

  # Faults. An AWS-style Delete: aws1 deletes its SAs and does not come back by itself.
  check "aws1 sends a Delete" aws_send_delete aws1
  wait_until 10 "the gateway saw tunnel 1 deleted" not sw_child_installed cgw vpn1-1
  wait_until 5 "the VPC's return path moved to tunnel 2" output_is aws2 aws_active_endpoint vpn1
  cgw_route_via_tunnel vpn1/2
  check_eq "LAN to VPC over tunnel 2: 5 of 5" 5 "$(ping_lan_to_vpc vpn1 5)"
  check "aws1 did not re-initiate" not sw_ike_established aws1 vgw

  check "block ESP in the internet" net_block esp
  check_eq "with ESP blocked: 0 of 3" 0 "$(ping_lan_to_vpc vpn1 3)"
  check "unblock ESP" net_unblock esp
  check_eq "ESP unblocked: 3 of 3" 3 "$(ping_lan_to_vpc vpn1 3)"

  check "aws2 dies silently" aws_die aws2
  check_eq "aws2 dead: 0 of 3" 0 "$(ping_lan_to_vpc vpn1 3)"
  check "aws2 comes back" aws_revive aws2
  check_eq "aws2 back: 3 of 3" 3 "$(ping_lan_to_vpc vpn1 3)"

  check "add 100 ms of delay in the internet" net_impair delay 50ms
  check_ge "round trip with delay (ms)" "$(lan_rtt_ms vpn1)" 100
  check "remove the delay" net_impair off
}

not() { ! "$@"; }
# Average round trip of 3 pings from the LAN host to the VPC host, in whole milliseconds.
lan_rtt_ms() {
  in_ns lan ping -n -q -c 3 -i 0.2 -W 2 "$(vpc_host_addr "$1")" | awk -F/ '/^rtt/ {printf "%d", $5}'
}

scenario_teardown() {
  sw_stop cgw
  aws_down
}
