# Scenario: gw-dual-tunnel
# timeout: 180
#
# gwd as the customer gateway, from a fresh start: it initiates both tunnels of the connection
# (AWS never initiates IKEv1), LAN to VPC traffic crosses ESP on the active tunnel, both AWS
# endpoints report their tunnel established and saw the first Main Mode message come from
# gwd, and `gwctl status --json` agrees. When an endpoint deletes its tunnel's ESP SAs but
# keeps the ISAKMP SA, gwd negotiates a new pair under that ISAKMP SA.
#
#   [lan] ---- [cgw: gwd, xgw1 xgw2] ---- [inet] ---- [aws1: charon, vgw] ---- [vpc] ---- [vpc-host]
#                                               \---- [aws2: charon, vgw] ----/

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
  cgw_gwd_up
}

scenario_checks() {
  wait_until 30 "gwd: tunnel vpn1/1 phase 2 up" gwd_tunnel_up vpn1/1
  wait_until 30 "gwd: tunnel vpn1/2 phase 2 up" gwd_tunnel_up vpn1/2
  wait_until 10 "aws1 reports its tunnel established" aws_tunnel_up aws1
  wait_until 10 "aws2 reports its tunnel established" aws_tunnel_up aws2
  check "aws1 saw the first Main Mode message come from gwd" aws_was_responder aws1
  check "aws2 saw the first Main Mode message come from gwd" aws_was_responder aws2
  check_eq "gwctl: vpn1/1 is the active tunnel" vpn1/1 "$(gwd_active_tunnel vpn1)"
  check_eq "gwctl: SPIs agree with aws1's kernel" yes "$(spis_match vpn1/1 aws1 203.0.113.21)"
  check_eq "xgw1's MTU follows the negotiated suite (AWS's table: AES-CBC/SHA-1, no NAT)" 1438 \
    "$(ip -n cgw -o link show xgw1 | awk '{for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1)}')"

  local before after
  before=$(xfrm_sa_packets aws1 "$CGW_PUBLIC" 203.0.113.21)
  check_eq "LAN to VPC: 10 of 10 pings answered" 10 "$(ping_lan_to_vpc vpn1 10)"
  after=$(xfrm_sa_packets aws1 "$CGW_PUBLIC" 203.0.113.21)
  check_ge "aws1's inbound SA counted the pings" $((after - before)) 10
  check_eq "no plain inner traffic reached aws1" 0 "$(nft_counter aws1 inet mustbeipsec plain_dropped)"
  check "VGW inside address answers on tunnel 2" in_ns cgw ping -c 2 -i 0.2 -W 2 169.254.101.1
  figure "ESP packets from gwd counted at aws1" "$((after - before))"

  # aws2 deletes only its child SA (an ESP Delete) and keeps the ISAKMP SA.
  local spi_before; spi_before=$(gwd_tunnel_field vpn1/2 spi_in)
  check "aws2 deletes its ESP SAs, not its ISAKMP SA" swctl aws2 --terminate --child vgw --timeout 10
  wait_until 15 "gwd: vpn1/2 has a new pair" new_pair vpn1/2 "$spi_before"
  wait_until 10 "aws2 reports its tunnel established again" aws_tunnel_up aws2
  check_eq "aws2: still one IKE SA" 1 "$(swctl aws2 --list-sas | grep -cE '^[^ ].*IKEv1')"
  check_eq "gwd did not re-authenticate for it" 2 "$(grep -c 'phase 1 up' /run/xgw-test/gwd.log)"
}

# The tunnel is up on another inbound SPI than SPI.
new_pair() { gwd_tunnel_up "$1" && [[ $(gwd_tunnel_field "$1" spi_in) != "$2" ]]; }

# The endpoint's charon logs "<peer> is initiating a Main Mode IKE_SA" when it responds.
aws_was_responder() { grep -q "$CGW_PUBLIC is initiating a Main Mode IKE_SA" "$(sw_log "$1")"; }

# The outbound SPI gwd reports is an inbound SA in the endpoint's kernel.
spis_match() {
  local spi; spi=$(gwd_tunnel_field "$1" spi_out)
  if ip -n "$2" xfrm state list src "$CGW_PUBLIC" dst "$3" | grep_quiet "spi $spi"; then echo yes; else echo "no (gwd says $spi)"; fi
}

scenario_teardown() {
  gwd_stop
  aws_down
}
