# shellcheck shell=bash
# The AWS side, built from a tunnel file: one namespace and one charon per VGW endpoint,
# configured as AWS configures an IKEv1 tunnel, a VPC router with a VPC host behind them,
# and the "internet" namespace that joins the endpoints to the customer side.
#
#    customer side          inet                    AWS
#   (cgw or nat) ---- i-cust [ ] i-aws1 ---- wan [aws1] vgw(xfrm, 169.254.a.1/30)
#                               [ ] i-aws2 ---- wan [aws2] vgw(xfrm, 169.254.b.1/30)
#                                                  [awsN] vpc0 ---- v-awsN [vpc] h-vpc ---- eth0 [vpc-host]
#
# Like AWS with IKEv1, an endpoint never initiates (start_action=none, close_action=none,
# dpd_action=clear): a tunnel that comes back was brought back by the gateway. The VPC router
# sends its replies through the first tunnel of the connection that is up, as AWS moves its
# egress tunnel: each endpoint's updown hook (guest/aws-updown) adds the router's route to
# the customer's networks via that endpoint (metric = tunnel number) when its tunnel comes up
# and removes it when the tunnel goes down. An endpoint itself always forwards what it
# decrypts into the VPC, whichever tunnel the router prefers, as a VGW endpoint does. The
# router ignores routes over a link without carrier: an endpoint that crashes (aws_kill)
# takes its links down with it.
#
# Addresses: endpoint i (the i-th tunnel of the file) reaches the VPC router over 198.18.i.0/30
# (RFC 2544 test range; .1 endpoint, .2 router) and uses if_id i on its XFRM interface.
AWS_STATE=/tmp/xgw-aws
INET_NS=inet

inet_up() {
  ip netns list | grep_quiet -w "$INET_NS" && return 0
  ns_add "$INET_NS"
  in_ns "$INET_NS" nft -f - <<'NFT'
table ip faults {
  chain forward { type filter hook forward priority -10; policy accept; }
}
table ip observe {
  counter udp500_packets {}
  counter udp4500_packets {}
  counter esp_packets {}
  counter natt_keepalives {}
  chain forward {
    type filter hook forward priority -20; policy accept;
    udp dport 4500 udp length 9 @th,64,8 0xff counter name natt_keepalives
    udp dport 500 counter name udp500_packets
    udp dport 4500 counter name udp4500_packets
    ip protocol esp counter name esp_packets
  }
}
NFT
}

# aws_up TUNNELFILE: builds the AWS side of every connection in the file and starts its charons.
aws_up() {
  must tunnelfile_load "$1"
  must modules_load xfrm_user esp4 xfrm4_tunnel xfrm_interface veth nf_tables
  mkdir -p "$AWS_STATE"/{endpoint,conn,state,vpc}
  touch "$AWS_STATE/events.log"
  register_log aws-events "$AWS_STATE/events.log"
  inet_up
  local c t
  for c in "${TF_CONNECTIONS[@]}"; do aws_vpc_up "${TF[$c.vpc]}" "${TF[$c.vpc_network]}"; done
  for t in "${TF_TUNNELS[@]}"; do aws_endpoint_up "$t"; done
  for c in "${TF_CONNECTIONS[@]}"; do
    connection_tunnels "$c" | while read -r t; do echo "${TF[$t.endpoint]}"; done > "$AWS_STATE/conn/$c.endpoints"
  done
  local endpoints=()
  for t in "${TF_TUNNELS[@]}"; do endpoints+=("${TF[$t.endpoint]}"); done
  must sw_start "${endpoints[@]}"
  # BGP connections: AWS's BGP speaker on each endpoint (lib/bird.sh).
  for t in "${TF_TUNNELS[@]}"; do
    [[ ${TF[${TF[$t.connection]}.routing]} == bgp ]] && must aws_bird_up "$t"
  done
  return 0
}

aws_vpc_up() {
  local vpc=$1 net=$2
  [[ -f $AWS_STATE/vpc/$vpc.pid ]] && return 0
  ns_add "$vpc"
  ip netns exec "$vpc" sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1
  ns_add "$vpc-host"
  veth_link "$vpc" h-vpc "$(net_host "$net" 1)/$(net_len "$net")" \
            "$vpc-host" eth0 "$(net_host "$net" 10)/$(net_len "$net")"
  ip -n "$vpc-host" route add default via "$(net_host "$net" 1)"
  # A process that lives in the router's namespace: the updown hook runs inside charon's
  # private mount namespace, where /run/netns is not visible, and enters it through /proc.
  setsid nsenter --net="/run/netns/$vpc" sleep infinity </dev/null >/dev/null 2>&1 &
  echo $! > "$AWS_STATE/vpc/$vpc.pid"
}

# The VPC host's address for a connection.
vpc_host_addr() { net_host "${TF[$1.vpc_network]}" 10; }

aws_endpoint_up() {
  local t=$1
  local ep=${TF[$t.endpoint]} c=${TF[$t.connection]} i
  i=$(tunnel_index "$t")
  local vpc=${TF[$c.vpc]} outside=${TF[$t.outside]} inside=${TF[$t.inside]}
  local link_ep="198.18.$i.1" link_vpc="198.18.$i.2"
  ns_add "$ep"
  ip link add "i-$ep" netns "$INET_NS" type veth peer name wan netns "$ep"
  ip link add vpc0 netns "$ep" type veth peer name "v-$ep" netns "$vpc"
  ns_ip "$INET_NS" <<IP
link set i-$ep up
addr add 203.0.113.1/32 dev i-$ep
route add $outside/32 dev i-$ep
IP
  local n
  ns_ip "$vpc" <<IP
link set v-$ep up
addr add $link_vpc/30 dev v-$ep
IP
  local lan_routes=""
  for n in ${TF[$c.lan_networks]//,/ }; do lan_routes+="route add $n dev vgw"$'\n'; done
  # Route-based like AWS: an XFRM interface holding the VGW's inside address.
  ns_ip "$ep" <<IP
link set wan up
addr add $outside/32 dev wan
route add default via 203.0.113.1 dev wan onlink
addr add $link_ep/30 dev vpc0
link set vpc0 up
route add ${TF[$c.vpc_network]} via $link_vpc dev vpc0
link add vgw type xfrm dev wan if_id $i
addr add $(net_host "$inside" 1)/30 dev vgw
link set vgw up
$lan_routes
IP
  # Inner traffic from the customer must have come through IPsec.
  in_ns "$ep" nft -f - <<NFT
table inet mustbeipsec {
  counter plain_dropped {}
  chain forward_check { type filter hook forward priority 0; policy accept;
    ip saddr { ${TF[$c.lan_networks]}, $inside } meta ipsec missing counter name plain_dropped drop; }
  chain input_check { type filter hook input priority 0; policy accept;
    ip saddr { ${TF[$c.lan_networks]}, $inside } meta ipsec missing counter name plain_dropped drop; }
}
NFT
  write_file "$AWS_STATE/endpoint/$ep" <<INFO
CONN=$c
VPC=$vpc
VPC_NETWORK=${TF[$c.vpc_network]}
VIA=$link_ep
ROUTER=$link_vpc
DEV=v-$ep
METRIC=$i
LAN_NETWORKS="${TF[$c.lan_networks]//,/ }"
INFO
  echo down > "$AWS_STATE/state/$ep"
  aws_write_swanctl "$t" "$i"
}

# Lifetimes as AWS applies them: rekey inside the margin before expiry, fuzzed over the
# whole margin (RekeyFuzzPercentage 100).
aws_write_swanctl() {
  local t=$1 i=$2 ep=${TF[$1.endpoint]} c=${TF[$1.connection]} link_vpc="198.18.$2.2"
  local m=${TF[$t.rekey_margin]} il=${TF[$t.ike_lifetime]} el=${TF[$t.esp_lifetime]}
  sw_write_conf "$ep"
  write_file "/etc/netns/$ep/swanctl/swanctl.conf" <<CONF
connections {
  vgw {
    version = 1
    aggressive = no
    local_addrs = ${TF[$t.outside]}
    remote_addrs = ${TF[$c.customer_address]}
    local {
      auth = psk
      id = ${TF[$t.outside]}
    }
    remote {
      auth = psk
      id = ${TF[$c.customer_address]}
    }
    proposals = ${TF[$t.ike]}
    rekey_time = $(( il - m ))s
    over_time = ${m}s
    rand_time = ${m}s
    dpd_delay = ${TF[$t.dpd_delay]}s
    dpd_timeout = ${TF[$t.dpd_timeout]}s
    children {
      vgw {
        local_ts = 0.0.0.0/0
        remote_ts = 0.0.0.0/0
        mode = tunnel
        esp_proposals = ${TF[$t.esp]}
        life_time = ${el}s
        rekey_time = $(( el - m ))s
        rand_time = ${m}s
        replay_window = 1024
        if_id_in = $i
        if_id_out = $i
        updown = $XGW_ROOT/vmtests/guest/aws-updown $ep
        start_action = none
        close_action = none
        dpd_action = clear
      }
    }
  }
}
secrets {
  ike-vgw {
    id-1 = ${TF[$t.outside]}
    id-2 = ${TF[$c.customer_address]}
    secret = "${TF[$t.psk]}"
  }
}
CONF
}

aws_down() {
  local t
  for t in "${TF_TUNNELS[@]}"; do sw_stop "${TF[$t.endpoint]}"; bird_stop "${TF[$t.endpoint]}"; done
  local f
  for f in "$AWS_STATE"/vpc/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null; done
  return 0
}

# --- queries -------------------------------------------------------------------------
aws_tunnel_up() { sw_child_installed "$1" vgw; }
# aws_both_up: the two endpoints of a one-connection tunnel file report their tunnels.
aws_both_up() { aws_tunnel_up aws1 && aws_tunnel_up aws2; }
aws_vpc_route_via() { in_ns "${TF[$1.vpc]}" ip route show "$(echo "${TF[$1.lan_networks]}" | cut -d, -f1)"; }
# Which endpoint the VPC router uses for the connection's replies, or "none".
aws_active_endpoint() {
  local dev
  dev=$(ip -n "${TF[$1.vpc]}" route get "$(echo "${TF[$1.lan_networks]}" | cut -d, -f1 | cut -d/ -f1)" 2>/dev/null \
    | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}')
  [[ $dev == v-* ]] && echo "${dev#v-}" || echo none
}

# endpoint_clean EP: every kernel SA of the endpoint belongs to a child SA its charon tracks,
# and it has at most 2 IKE SAs (one being replaced). Prints what it found, for the report.
endpoint_clean() {
  local sas ike tracked kernel spi orphans=""
  sas=$(swctl "$1" --list-sas 2>/dev/null)
  ike=$(grep -cE '^[^ ].*IKEv1' <<<"$sas")
  tracked=$(grep -oE '(in|out) +[0-9a-f]{8}' <<<"$sas" | awk '{print $2}')
  kernel=$(ip -n "$1" xfrm state | awk '/proto esp spi/ {print substr($4, 3)}')
  for spi in $kernel; do grep -qx "$spi" <<<"$tracked" || orphans+=" $spi"; done
  echo "IKE SAs $ike, kernel SAs $(wc -w <<<"$kernel"), not tracked by charon:${orphans:- none}"
  sw_sa_summary "$1"
  [[ -z $orphans && $ike -le 2 ]]
}
# aws_child_sas EP: the endpoint's installed child SAs of its tunnel.
aws_child_sas() { swctl "$1" --list-sas 2>/dev/null | grep -cE '^ +vgw: .*INSTALLED' || true; }

# --- faults, as AWS or the internet produce them ---------------------------------------
# An AWS-style Delete (maintenance): the endpoint deletes its ESP and ISAKMP SAs and, as AWS
# with IKEv1, waits for the gateway to come back.
aws_send_delete() { swctl "$1" --terminate --ike vgw --timeout 10; }

# A silent death: everything to and from the endpoint's outside address vanishes in the
# internet, so its kernel SAs carry nothing and its IKE neither answers nor sends.
aws_die() {
  local addr; addr=$(in_ns "$1" ip -4 -o addr show dev wan | awk '{print $4}' | cut -d/ -f1)
  in_ns "$INET_NS" nft add rule ip faults forward ip saddr "$addr" drop comment "\"die-$1\""
  in_ns "$INET_NS" nft add rule ip faults forward ip daddr "$addr" drop comment "\"die-$1\""
}
aws_revive() { fault_clear "die-$1"; }

# A crash: the endpoint vanishes at once, with no Delete and no DPD, its SAs gone with it
# (charon killed, kernel state flushed, both links down). The VPC router stops using it at
# once, as AWS stops routing into an endpoint that is gone; the gateway has to notice by
# itself. aws_restart brings it back with no memory of the gateway: a fresh charon that,
# like AWS, waits to be initiated.
aws_kill() {
  local ep=$1 pid
  pid=$(cat "/run/ns-$ep/charon.pid" 2>/dev/null) && kill -KILL "$pid" 2>/dev/null
  ns_ip "$ep" <<IP
link set wan down
link set vpc0 down
xfrm state flush
xfrm policy flush
IP
  rm -f "/run/ns-$ep/charon.pid" "/run/ns-$ep/charon.vici"
  echo "$(date +%T.%N) $ep killed" >> "$AWS_STATE/events.log"
  # AWS stops routing into an endpoint that is gone (and must not resume when it restarts
  # before its tunnel is up): what the updown hook does when a tunnel goes down.
  PLUTO_VERB=down-client "$XGW_ROOT/vmtests/guest/aws-updown" "$ep"
}

aws_restart() {
  local ep=$1
  # Taking the links down removed their routes; the addresses stayed.
  local net router
  net=$(. "$AWS_STATE/endpoint/$ep"; echo "$VPC_NETWORK")
  router=$(. "$AWS_STATE/endpoint/$ep"; echo "$ROUTER")
  ns_ip "$ep" <<IP
link set wan up
route replace default via 203.0.113.1 dev wan onlink
link set vpc0 up
route replace $net via $router dev vpc0
IP
  echo "$(date +%T.%N) $ep restarted" >> "$AWS_STATE/events.log"
  sw_start "$ep"
}

# block udp500|udp4500|esp: drop that traffic in the internet, both directions.
net_block() {
  local what=$1 match
  case $what in
    udp500) match="udp dport 500" ;;
    udp4500) match="udp dport 4500" ;;
    esp) match="ip protocol esp" ;;
    *) echo "net_block: unknown '$what'"; return 1 ;;
  esac
  in_ns "$INET_NS" nft add rule ip faults forward $match drop comment "\"block-$what\""
}
net_unblock() { fault_clear "block-$1"; }

fault_clear() {
  local h
  for h in $(in_ns "$INET_NS" nft -a list chain ip faults forward | awk -v c="\"$1\"" '$0 ~ c {print $NF}'); do
    in_ns "$INET_NS" nft delete rule ip faults forward handle "$h"
  done
}

# net_impair NETEM-ARGS...: loss/delay/duplication/reordering on every link of the internet
# namespace (both directions, since every path crosses two of its links); net_impair off.
net_impair() {
  local dev
  modprobe sch_netem
  for dev in $(in_ns "$INET_NS" ip -o link show | awk -F': ' '/i-/ {print $2}' | cut -d@ -f1); do
    if [[ $1 == off ]]; then
      in_ns "$INET_NS" tc qdisc del dev "$dev" root 2>/dev/null || true
    else
      in_ns "$INET_NS" tc qdisc replace dev "$dev" root netem "$@"
    fi
  done
}
