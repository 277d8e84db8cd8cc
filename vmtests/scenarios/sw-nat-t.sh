# Scenario: sw-nat-t
# timeout: 180
#
# As sw-dual-tunnel, with the strongSwan gateway behind a NAT (nftables masquerade): NAT-T
# moves IKE to UDP 4500 and ESP into UDP; the endpoints see only the NAT's public address.
#
#   [lan] ---- [cgw] ---- [nat: masquerade to 198.51.100.10] ---- [inet] ---- [aws1] ---- [vpc] ---- [vpc-host]
#                                                                       \---- [aws2] ----/

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up --nat
  cgw_strongswan_up
  must sw_initiate cgw vpn1-1
  must sw_initiate cgw vpn1-2
  cgw_route_via_tunnel vpn1/1
}

scenario_checks() {
  check "gateway: tunnel 1 established" sw_ike_established cgw vpn1-1
  check "gateway: tunnel 2 established" sw_ike_established cgw vpn1-2
  wait_until 10 "aws1: tunnel up" aws_tunnel_up aws1
  check "aws1 sees the gateway at the NAT's public address, port 4500" aws1_peer_is_nat_public
  check "aws1's SAs are UDP-encapsulated" aws1_sas_encapsulated

  local before after
  before=$(nft_counter inet ip observe udp4500_packets)
  check_eq "LAN to VPC through NAT: 10 of 10 pings answered" 10 "$(ping_lan_to_vpc vpn1 10)"
  after=$(nft_counter inet ip observe udp4500_packets)
  check_ge "the pings crossed the internet as UDP 4500" $((after - before)) 20
  check_eq "no raw ESP crossed the internet" 0 "$(nft_counter inet ip observe esp_packets)"
  check_ge "aws1's inbound SA counted the pings" "$(xfrm_sa_packets aws1 "$CGW_PUBLIC" 203.0.113.21)" 10
  check_eq "no plain inner traffic reached aws1" 0 "$(nft_counter aws1 inet mustbeipsec plain_dropped)"
}

aws1_peer_is_nat_public() { swctl aws1 --list-sas | grep_quiet "198.51.100.10\[4500\]"; }
aws1_sas_encapsulated() { ip -n aws1 xfrm state | grep_quiet 'encap type espinudp sport 4500'; }

scenario_teardown() {
  sw_stop cgw
  aws_down
}
