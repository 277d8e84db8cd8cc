# Scenario: sw-dual-tunnel
# timeout: 180
#
# The harness with strongSwan on both ends: a strongSwan customer gateway brings up both
# tunnels of one connection against the AWS emulation; LAN to VPC traffic crosses ESP on
# tunnel 1.
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
}

scenario_teardown() {
  sw_stop cgw
  aws_down
}
