# shellcheck shell=bash
# BIRD 2 in a namespace: the customer gateway's (gwd configures it through its fragment) and
# each emulated AWS endpoint's (AWS's side of a BGP connection: AS 64512, hold time 30 s, the
# VPC network announced with a MED per tunnel).
#   bird_start NS CONF          runs bird in the foreground in NS (logs to /run/xgw-test/bird-NS.log)
#   birdc_in NS CMD...          birdc against it
#   bird_established NS PROTO   the BGP protocol PROTO is Established
#   bird_has_route NS PREFIX    NS's BIRD has a route for exactly PREFIX
bird_sock() { echo "/run/xgw-test/bird-$1.ctl"; }

bird_start() {
  local ns=$1 conf=$2
  ns_daemon "$ns" "bird-$ns" "/run/xgw-test/bird-$ns.log" bird -f -c "$conf" -s "$(bird_sock "$ns")"
  poll 10 test -S "$(bird_sock "$ns")" || { echo "bird in $ns did not open its socket"; tail -5 "/run/xgw-test/bird-$ns.log"; return 1; }
}
bird_stop() { daemon_stop "bird-$1"; }
birdc_in() { local ns=$1; shift; birdc -s "$(bird_sock "$ns")" "$@"; }
bird_established() { birdc_in "$1" show protocols "$2" | grep_quiet -w Established; }
bird_has_route() { birdc_in "$1" show route "$2" | grep_quiet "^$2 "; }

# --- AWS's side -----------------------------------------------------------------------
# aws_bird_write TUNNEL MED: the endpoint's BIRD configuration.
aws_bird_write() {
  local t=$1 med=$2 ep=${TF[$1.endpoint]} c=${TF[$1.connection]} inside=${TF[$1.inside]}
  write_file "$AWS_STATE/bird-$ep.conf" <<CONF
log stderr all;
router id ${TF[$t.outside]};
protocol device { scan time 10; }
protocol static vpc { ipv4; route ${TF[$c.vpc_network]} unreachable; }
protocol bgp cgw {
  local $(net_host "$inside" 1) as 64512;
  neighbor $(net_host "$inside" 2) as 65000;
  hold time 30;
  connect delay time 1; connect retry time 5; error wait time 1, 10;
  ipv4 { import all; export filter { if source = RTS_STATIC then { bgp_med = $med; accept; } reject; }; };
}
CONF
}

aws_bird_up() {
  local t=$1 ep=${TF[$1.endpoint]}
  aws_bird_write "$t" "${TF[$t.med]}"
  bird_start "$ep" "$AWS_STATE/bird-$ep.conf"
}

# aws_bgp_med ENDPOINT MED: the endpoint announces the VPC with this MED from now on, as AWS
# raises it on a tunnel before maintenance.
aws_bgp_med() {
  local ep=$1 t
  t=$(tunnel_by_endpoint "$ep")
  aws_bird_write "$t" "$2"
  birdc_in "$ep" configure >/dev/null
}

# aws_maintenance_begin ENDPOINT: what AWS does before it takes an endpoint down: raises the
# MED of what the endpoint announces and moves the VPC's egress to the other tunnel.
aws_maintenance_begin() {
  local ep=$1
  aws_bgp_med "$ep" 200
  local vpc via dev n
  vpc=$(. "$AWS_STATE/endpoint/$ep"; echo "$VPC")
  via=$(. "$AWS_STATE/endpoint/$ep"; echo "$VIA")
  dev=$(. "$AWS_STATE/endpoint/$ep"; echo "$DEV")
  for n in $(. "$AWS_STATE/endpoint/$ep"; echo "$LAN_NETWORKS"); do
    in_ns "$vpc" ip route replace "$n" via "$via" dev "$dev" metric 200
    in_ns "$vpc" ip route del "$n" via "$via" dev "$dev" metric "$(. "$AWS_STATE/endpoint/$ep"; echo "$METRIC")" 2>/dev/null
  done
  echo "$(date +%T.%N) $ep maintenance: MED 200, VPC egress moved" >> "$AWS_STATE/events.log"
}

# --- the customer gateway's BIRD, configured by gwd -------------------------------------
CGW_BIRD_FRAGMENT=/run/xgw-test/xgw-bird.conf

# cgw_bird_up: BIRD in cgw whose bird.conf includes the fragment gwd writes.
cgw_bird_up() {
  : > "$CGW_BIRD_FRAGMENT"
  write_file /run/xgw-test/bird-cgw.conf <<CONF
log stderr all;
router id $CGW_PUBLIC;
protocol device cgw_device { scan time 10; }
include "$CGW_BIRD_FRAGMENT";
CONF
  bird_start cgw /run/xgw-test/bird-cgw.conf
}

# gwd_bird_keys FILE: points a gwd config at the scenario's BIRD.
gwd_bird_keys() {
  sed -i "/^\[gateway\]\$/a bird_socket = \"$(bird_sock cgw)\"\nbird_config = \"$CGW_BIRD_FRAGMENT\"" "$1"
}

# gwd_bgp_field TUNNEL FIELD: a field of the tunnel's "bgp" object in gwd's status.
gwd_bgp_field() {
  gwctl_json status | jq -r --arg t "$1" --arg f "$2" '.connections[].tunnels[] | select(.name == $t) | .bgp[$f]'
}
gwd_bgp_up() { [[ $(gwd_bgp_field "$1" state) == established ]]; }
gwd_learned() { gwctl_json status | jq -r --arg c "$1" '.connections[] | select(.name == $c) | .learned_networks | join(",")'; }
