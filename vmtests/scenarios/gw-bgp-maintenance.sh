# Scenario: gw-bgp-maintenance
# timeout: 300
#
# AWS maintenance on a BGP connection, as AWS does it: the endpoint about to go away raises
# the MED of what it announces and moves the VPC's egress to the other tunnel, then sends a
# Delete. gwd follows the MED (the learned route's metric in the kernel table BIRD exports
# to) and moves the LAN's traffic to the other tunnel with one map update before the Delete
# arrives, so the Delete costs nothing. Measured under a 100 packets/s ping from the LAN to
# the VPC; the bound is the one gw-failover sets for a Delete on a static connection (the
# endpoint's own gap, 20 packets), the figure is printed. Then the tunnel comes back
# (gwd re-initiates: AWS never does) and BGP re-establishes over it.
#
#   [lan] ---- [cgw: gwd + BIRD] ---- [inet] ---- [aws1 + BIRD, aws2 + BIRD] ---- [vpc]

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/bgp.conf"
  customer_up
  must cgw_bird_up
  must gwd_write_config
  # The tunnel file's BGP connection as gwd's config: routing by BGP, no static networks.
  sed -i 's|^remote_networks = .*|routing = "bgp"\n[connection.bgp]\nadvertise = ["192.0.2.0/26"]|' "$GWD_CONF"
  gwd_bird_keys "$GWD_CONF"
  must gwd_start
}

scenario_checks() {
  wait_until 60 "gwd: vpn1/1 phase 2 up" gwd_tunnel_up vpn1/1
  wait_until 60 "gwd: vpn1/2 phase 2 up" gwd_tunnel_up vpn1/2
  wait_until 60 "gwd: BGP established on both tunnels" bgp_both_up
  wait_until 20 "gwd steers the learned VPC prefix" output_is 192.0.2.128/26 gwd_learned vpn1
  wait_until 10 "vpn1/1 is active" output_is vpn1/1 gwd_active_tunnel vpn1
  wait_until 20 "aws1 and aws2 report their tunnels established" aws_both_up
  check_eq "LAN to VPC: 10 of 10" 10 "$(ping_lan_to_vpc vpn1 10)"

  # Maintenance of aws1 under a 100/s probe: MED first, the Delete 3 s later.
  local t0 t1
  probe_start maint vpn1 100 8
  sleep 2
  t0=$(now_ms)
  check "aws1 starts maintenance (MED 200, VPC egress moved)" aws_maintenance_begin aws1
  wait_until 10 "gwd moved to vpn1/2 on the MED alone" output_is vpn1/2 gwd_active_tunnel vpn1
  t1=$(now_ms)
  figure "MED raised to traffic moved by gwd (ms)" "$((t1 - t0))"
  check "gwd logged why" grep -q 'failover -> vpn1/2 (BGP routes on vpn1/1: vpn1/1 MED 200, vpn1/2 MED 100)' \
    /run/xgw-test/gwd.log
  sleep 3
  check "aws1 sends a Delete" aws_send_delete aws1
  probe_wait maint
  local lost; lost=$(probe_lost maint)
  figure "packets lost across MED change and Delete (100/s)" "$lost"
  check_le "loss no worse than a Delete on a static connection (20 packets, gw-failover)" "$lost" 20
  check_eq "vpn1/2 stays active" vpn1/2 "$(gwd_active_tunnel vpn1)"

  # The tunnel comes back and BGP with it; failback is off, so vpn1/2 stays active.
  wait_until 30 "gwd re-established vpn1/1" gwd_tunnel_up vpn1/1
  t0=$(now_ms)
  wait_until 60 "BGP re-established over vpn1/1" gwd_bgp_up vpn1/1
  figure "BGP re-established after the tunnel came back (s)" \
    "$(ms_to_s $(( $(now_ms) - t0 )))"
  check "aws1's BIRD has the session again" bird_established aws1 cgw
  check "aws1 learned the LAN prefix again" bird_has_route aws1 192.0.2.0/26
  check_eq "vpn1/2 stays active (failback off)" vpn1/2 "$(gwd_active_tunnel vpn1)"
  check_eq "LAN to VPC: 10 of 10" 10 "$(ping_lan_to_vpc vpn1 10)"
}

bgp_both_up() { gwd_bgp_up vpn1/1 && gwd_bgp_up vpn1/2; }

scenario_teardown() {
  gwd_stop
  bird_stop cgw
  aws_down
}
