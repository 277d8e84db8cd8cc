# The demo (scripts/demo): the main job on the embedded default connection.
# timeout: 240
#
#   [lan] ---- [cgw: customer gateway] ---- [inet] ---- [aws1: VGW endpoint 1] ---- [vpc] ---- [vpc-host]
#                                                 \---- [aws2: VGW endpoint 2] ----/
#
# The AWS side is the emulation of vmtests/aws/one-connection.conf (AWS's IKEv1 defaults).
# The gateway is strongSwan until gwd can negotiate; then the demo switches to gwd.

show() { printf '\n$ %s\n' "$*" >&2; "$@" 2>&1 | sed 's/^/  /' >&2; }

scenario_setup() {
  log "building the AWS side: two VGW endpoints and a VPC"
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  log "building the customer side: LAN host and gateway"
  customer_up
  cgw_strongswan_up
  log "gateway initiates both tunnels (AWS never initiates IKEv1)"
  must sw_initiate cgw vpn1-1
  must sw_initiate cgw vpn1-2
  cgw_route_via_tunnel vpn1/1
}

scenario_checks() {
  show sw_sa_summary cgw
  wait_until 10 "AWS endpoint 1 reports its tunnel up" aws_tunnel_up aws1
  wait_until 10 "AWS endpoint 2 reports its tunnel up" aws_tunnel_up aws2
  show in_ns lan ping -c 5 -i 0.2 "$(vpc_host_addr vpn1)"
  check_eq "LAN to VPC: 10 of 10 pings answered" 10 "$(ping_lan_to_vpc vpn1 10)"
  show xfrm_summary cgw
  figure "tunnel 1 ESP packets received by AWS" "$(xfrm_sa_packets aws1 "$CGW_PUBLIC" 203.0.113.21)"
}

scenario_teardown() {
  sw_stop cgw
  aws_down
}
