# The demo (scripts/demo): the main job on the embedded default connection.
# timeout: 300
#
#   [lan] ---- [cgw: gwd] ---- [inet] ---- [aws1: VGW endpoint 1] ---- [vpc] ---- [vpc-host]
#                                    \---- [aws2: VGW endpoint 2] ----/
#
# The AWS side is the emulation of vmtests/aws/one-connection.conf (AWS's IKEv1 defaults);
# gwd is the customer gateway. It brings both tunnels up, LAN traffic crosses the active
# one, and an AWS-style Delete (maintenance) on the active tunnel moves traffic to the
# standby while a 100 packets/s probe counts what was lost.

show() { printf '\n$ %s\n' "$*" >&2; "$@" 2>&1 | sed 's/^/  /' >&2; }

scenario_setup() {
  log "building the AWS side: two VGW endpoints and a VPC"
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  log "building the customer side: LAN host and the gateway namespace"
  customer_up
  log "starting gwd; it initiates both tunnels (AWS never initiates IKEv1)"
  cgw_gwd_up
}

scenario_checks() {
  wait_until 60 "tunnel vpn1/1 up" gwd_tunnel_up vpn1/1
  wait_until 60 "tunnel vpn1/2 up" gwd_tunnel_up vpn1/2
  show gwctl status --socket "$GWD_SOCK"
  show in_ns lan ping -c 5 -i 0.2 "$(vpc_host_addr vpn1)"
  check_eq "LAN to VPC: 10 of 10 pings answered" 10 "$(ping_lan_to_vpc vpn1 10)"
  show xfrm_summary cgw

  log "AWS maintenance: endpoint 1 deletes the active tunnel while the LAN sends 100 packets/s"
  delete_watch_start cgw wan0 203.0.113.21
  probe_start maintenance vpn1 100 8
  sleep 2
  delete_watch_mark
  check "aws1 sends a Delete" aws_send_delete aws1
  probe_wait maintenance
  delete_watch_stop
  show gwctl status --socket "$GWD_SOCK"
  check_eq "traffic moved to the standby tunnel" vpn1/2 "$(gwd_active_tunnel vpn1)"
  figure "packets lost at the AWS Delete (100/s probe), total" "$(probe_lost maintenance)"
  # The emulated endpoint drops what arrives between removing its SAs and sending its
  # Delete (tens of ms under emulation); what gwd still sent after the Delete arrived:
  figure "of which gwd sent into the deleted tunnel after the Delete arrived" "$(sent_after_delete 203.0.113.21)"
  wait_until 30 "gwd brought tunnel vpn1/1 back" gwd_tunnel_up vpn1/1
  show gwctl status --socket "$GWD_SOCK"
}

scenario_teardown() {
  gwd_stop
  aws_down
}
