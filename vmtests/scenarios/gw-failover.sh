# Scenario: gw-failover
# timeout: 300
#
# gwd keeps the LAN's traffic flowing when the active AWS endpoint goes away, measured with
# a 100 packets/s ping from the LAN host to the VPC host:
#   (a) the active endpoint sends a Delete, as AWS maintenance does: at most 1 packet lost
#       by the gateway. The emulated endpoint (strongSwan) removes its SAs before its Delete
#       leaves; under TCG that gap is 40-110 ms, so packets in flight then are lost at the
#       endpoint before the gateway can know. The check bounds the gateway's share, the
#       packets it still sent into the deleted tunnel after the Delete arrived; the total
#       is printed beside it.
#   (b) the active endpoint dies silently (crash: no Delete, no DPD, SAs gone): outage at
#       most 6 s with gwd's default settings (liveness probe 250 ms x 4, DPD 10 s x 3);
#   (c) the dead endpoint comes back with no memory of the gateway (AWS never initiates
#       IKEv1): gwd re-establishes its tunnel within 10 s.
# The targets behind these bounds are 0 packets, 1 s and 5 s (bench/); the figures are
# printed every run.
#
#   [lan] ---- [cgw: gwd, xgw1 xgw2] ---- [inet] ---- [aws1] ---- [vpc] ---- [vpc-host]
#                                               \---- [aws2] ----/

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
  cgw_gwd_up
}

scenario_checks() {
  wait_until 60 "gwd: tunnel vpn1/1 up" gwd_tunnel_up vpn1/1
  wait_until 60 "gwd: tunnel vpn1/2 up" gwd_tunnel_up vpn1/2
  wait_until 10 "aws1 and aws2 report their tunnels established" aws_both_up
  check_eq "vpn1/1 is active" vpn1/1 "$(gwd_active_tunnel vpn1)"
  check_eq "the VPC returns through aws1" aws1 "$(aws_active_endpoint vpn1)"
  check_eq "LAN to VPC: 10 of 10" 10 "$(ping_lan_to_vpc vpn1 10)"

  # (a) maintenance: aws1 deletes its SAs while the LAN sends 100 packets/s.
  delete_watch_start cgw wan0 203.0.113.21
  probe_start delete vpn1 100 6
  sleep 2
  delete_watch_mark
  check "aws1 sends a Delete" aws_send_delete aws1
  probe_wait delete
  delete_watch_stop
  figure "(a) packets lost at an AWS Delete of the active tunnel (100/s), total" "$(probe_lost delete)"
  figure "(a) of which sent by gwd into the tunnel after the Delete arrived" "$(sent_after_delete 203.0.113.21)"
  check_eq "(a) traffic moved to vpn1/2" vpn1/2 "$(gwd_active_tunnel vpn1)"
  check_le "(a) gwd sent at most 1 packet into the deleted tunnel" "$(sent_after_delete 203.0.113.21)" 1
  check_le "(a) total loss bounded by the endpoint's own gap (200 ms at 100/s)" "$(probe_lost delete)" 20
  check_eq "(a) gwd logged the failover with its reason" 1 \
    "$(grep -c 'failover -> vpn1/2 (vpn1/1 went down: peer_delete' /run/xgw-test/gwd.log)"
  wait_until 15 "(a) gwd brought vpn1/1 back after the Delete" gwd_tunnel_up vpn1/1
  check_eq "(a) failback is off by default: vpn1/2 stays active" vpn1/2 "$(gwd_active_tunnel vpn1)"
  wait_until 10 "(a) aws1 reports its tunnel established again" aws_tunnel_up aws1

  # (b) aws2, now active, crashes.
  local spi_before; spi_before=$(gwd_tunnel_field vpn1/2 spi_in)
  probe_start death vpn1 100 10
  sleep 2
  check "aws2 crashes" aws_kill aws2
  probe_wait death
  local outage; outage=$(probe_outage_ms death)
  figure "(b) outage when the active endpoint dies silently (ms, 100/s probe)" "$outage"
  check_eq "(b) traffic moved to vpn1/1" vpn1/1 "$(gwd_active_tunnel vpn1)"
  check_le "(b) outage at most 6 s" "$outage" 6000
  check_eq "(b) only the gap at the crash: packets lost = the outage" \
    "$(probe_lost death)" "$(( outage / 10 ))"

  # (c) aws2 comes back with no state; gwd must initiate (AWS never does).
  wait_until 30 "(c) gwd declared vpn1/2 down (DPD)" not gwd_tunnel_up vpn1/2
  local t0 t1
  check "aws2 restarts" aws_restart aws2
  t0=$(now_ms)
  wait_until 20 "(c) vpn1/2 re-established on both sides" tunnel_reestablished vpn1/2 aws2 "$spi_before"
  t1=$(now_ms)
  figure "(c) tunnel re-established after its endpoint came back (s)" "$(ms_to_s $((t1 - t0)))"
  check_le "(c) within 10 s" $((t1 - t0)) 10000
  check "(c) VGW inside address answers on vpn1/2" in_ns cgw ping -c 2 -i 0.2 -W 2 169.254.101.1
  check_eq "(c) LAN to VPC still flows: 10 of 10" 10 "$(ping_lan_to_vpc vpn1 10)"
}

not() { ! "$@"; }
# tunnel_reestablished TUNNEL ENDPOINT OLD-SPI: gwd has phase 2 up on new SAs and the
# endpoint lists its child SA installed.
tunnel_reestablished() {
  gwd_tunnel_up "$1" && [[ $(gwd_tunnel_field "$1" spi_in) != "$3" ]] && aws_tunnel_up "$2"
}

scenario_teardown() {
  gwd_stop
  aws_down
}
