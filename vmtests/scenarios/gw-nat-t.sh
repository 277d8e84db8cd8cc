# Scenario: gw-nat-t
# timeout: 240
#
# gwd behind a NAT (nftables masquerade to 198.51.100.10): NAT-T moves IKE to UDP 4500 and ESP
# into UDP, the endpoints accept only the NAT's public address as the gateway's identity,
# LAN traffic crosses, and gwd sends NAT keepalives (RFC 3948, every 20 s).
#
#   [lan] ---- [cgw: gwd 192.0.2.66] ---- [nat: masquerade] ---- [inet] ---- [aws1] ---- [vpc] ---- [vpc-host]
#                                                                       \---- [aws2] ----/

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up --nat
  cgw_gwd_up
}

scenario_checks() {
  wait_until 40 "gwd: tunnel vpn1/1 phase 2 up" gwd_tunnel_up vpn1/1
  wait_until 40 "gwd: tunnel vpn1/2 phase 2 up" gwd_tunnel_up vpn1/2
  check_eq "gwctl reports NAT-T on vpn1/1" true "$(gwd_tunnel_field vpn1/1 nat_t)"
  check "aws1 sees the gateway as 198.51.100.10 on UDP 4500" aws_peer_on_4500 aws1
  check "aws1's SAs are UDP-encapsulated" aws_sas_encapsulated aws1
  check "gwd's SAs are UDP-encapsulated" cgw_sas_encapsulated

  local before after
  before=$(nft_counter inet ip observe udp4500_packets)
  check_eq "LAN to VPC through NAT: 10 of 10 pings answered" 10 "$(ping_lan_to_vpc vpn1 10)"
  after=$(nft_counter inet ip observe udp4500_packets)
  check_ge "the pings crossed the internet as UDP 4500" $((after - before)) 20
  check_eq "no raw ESP crossed the internet" 0 "$(nft_counter inet ip observe esp_packets)"
  check_eq "no plain inner traffic reached aws1" 0 "$(nft_counter aws1 inet mustbeipsec plain_dropped)"
  wait_until 25 "gwd sent NAT keepalives" keepalives_seen
  figure "NAT keepalives seen in the internet" "$(nft_counter inet ip observe natt_keepalives)"
}

aws_peer_on_4500() { swctl "$1" --list-sas | grep_quiet "198.51.100.10\[4500\]"; }
aws_sas_encapsulated() { ip -n "$1" xfrm state | grep_quiet 'encap type espinudp'; }
cgw_sas_encapsulated() { ip -n cgw xfrm state | grep_quiet 'encap type espinudp sport 4500'; }
keepalives_seen() { (( $(nft_counter inet ip observe natt_keepalives) > 0 )); }

scenario_teardown() {
  gwd_stop
  aws_down
}
