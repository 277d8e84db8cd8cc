# shellcheck shell=bash
# Many tunnels against one strongSwan responder, for bench-ike: the same responder faces
# gwd and then strongSwan as the initiator, so both are measured against the same peer.
#
#   [cgw: gwd | charon] wan0 ---- i-cust [inet] i-bulk ---- wan [awsbulk: one charon, 203.0.113.2-201]
#
# Tunnel j (1-based; connection c has tunnels 2c-1 and 2c): AWS outside address
# 203.0.113.(j+1), inside 169.254.(100 + (j-1)/64).((j-1)%64*4)/30, if_id j; connection c
# routes 10.c.0.0/16. AWS's default proposals everywhere (aes128-sha1-modp1024, DPD 10 s).
BULK_NS=awsbulk
BULK_PROPOSAL=aes128-sha1-modp1024

bulk_outside() { echo "203.0.113.$(( $1 + 1 ))"; }
bulk_inside() { local k=$(( $1 - 1 )); echo "169.254.$(( 100 + k / 64 )).$(( k % 64 * 4 ))/30"; }
bulk_psk() { echo "BenchKey.$1.q7vT2mZx9bN4"; }

# bulk_net_up MAX_TUNNELS: the responder's namespace with every outside address it may need.
bulk_net_up() {
  local n=$1 j cmds="link set wan up"$'\n'
  ns_add "$BULK_NS"
  ip link add i-bulk netns "$INET_NS" type veth peer name wan netns "$BULK_NS"
  ns_ip "$INET_NS" <<IP
link set i-bulk up
addr add 203.0.113.1/32 dev i-bulk
route add 203.0.113.0/24 dev i-bulk
IP
  for (( j = 1; j <= n; j++ )); do cmds+="addr add $(bulk_outside "$j")/32 dev wan"$'\n'; done
  cmds+="route add default via 203.0.113.1 dev wan onlink"$'\n'
  ns_ip "$BULK_NS" <<<"$cmds"
  # AWS's inside addresses answer the gateway's liveness probes, as a VGW does.
  bulk_interfaces "$BULK_NS" "$n" 1 wan
}

# bulk_interfaces NS TUNNELS HOST DEV: XFRM interface xfrmJ (if_id J, over DEV) holding
# inside address .HOST of tunnel J, for every tunnel (1 = AWS's side, 2 = the gateway's).
bulk_interfaces() {
  local ns=$1 n=$2 host=$3 dev=$4 j cmds="" inside
  for (( j = 1; j <= n; j++ )); do
    inside=$(bulk_inside "$j")
    cmds+="link add xfrm$j type xfrm dev $dev if_id $j
addr add $(net_host "$inside" "$host")/30 dev xfrm$j
link set xfrm$j up
"
  done
  ns_ip "$ns" <<<"$cmds"
}

# bulk_strongswan_conf NS: strongswan.conf for a charon holding hundreds of tunnels. All
# half-open Main Modes come from one address, so the per-address limit (block_threshold,
# default 5) is lifted; IKE logged at the default level (1), as a production gateway runs.
bulk_strongswan_conf() {
  local extra="block_threshold = 100000
  init_limit_half_open = 0"
  SW_CHARON_EXTRA=$extra SW_LOG_IKE=1 sw_write_conf "$1"
}

# bulk_swanctl ROLE TUNNELS: swanctl.conf of the responder (ROLE=responder, AWS's side:
# never initiates) or of strongSwan as the customer gateway (ROLE=initiator: starts every
# tunnel when loaded).
bulk_swanctl() {
  local role=$1 n=$2 j me peer local_id remote_id start=none secrets="" conns=""
  for (( j = 1; j <= n; j++ )); do
    if [[ $role == responder ]]; then
      me=$(bulk_outside "$j"); peer=$CGW_PUBLIC; local_id=$me; remote_id=$CGW_PUBLIC
    else
      me=$CGW_PUBLIC; peer=$(bulk_outside "$j"); local_id=$CGW_PUBLIC; remote_id=$peer; start=start
    fi
    conns+="  t$j {
    version = 1
    local_addrs = $me
    remote_addrs = $peer
    local { auth = psk
      id = $local_id }
    remote { auth = psk
      id = $remote_id }
    proposals = $BULK_PROPOSAL
    dpd_delay = 10s
    keyingtries = 0
    children {
      t$j {
        local_ts = 0.0.0.0/0
        remote_ts = 0.0.0.0/0
        esp_proposals = $BULK_PROPOSAL
        if_id_in = $j
        if_id_out = $j
        start_action = $start
        dpd_action = $([[ $role == responder ]] && echo clear || echo restart)
      }
    }
  }
"
    secrets+="  ike-t$j { id-1 = $local_id
    id-2 = $remote_id
    secret = \"$(bulk_psk "$j")\" }
"
  done
  printf 'connections {\n%s}\nsecrets {\n%s}\n' "$conns" "$secrets"
}

# bulk_responder_start TUNNELS: a fresh responder (no SAs) with TUNNELS tunnels loaded.
bulk_responder_start() {
  bulk_strongswan_conf "$BULK_NS"
  bulk_swanctl responder "$1" > "/etc/netns/$BULK_NS/swanctl/swanctl.conf"
  sw_start "$BULK_NS"
}

# bulk_established: child SAs the responder has installed (two kernel SAs per tunnel, each
# with its keys: an SPI allocated for a Quick Mode still running is a keyless larval state).
bulk_established() {
  local n; n=$(ip -n "$BULK_NS" xfrm state | grep -cE '^\s+(enc|aead) ')
  echo $(( n / 2 ))
}

# bulk_gwd_config CONNECTIONS: gwd's config for that many connections (two tunnels each).
bulk_gwd_config() {
  local n=$1 c j out
  out="[gateway]
wan_interface = \"wan0\"
lan_interface = \"c-lan\"
local_address = \"$CGW_PUBLIC\"
control_socket = \"$GWD_SOCK\"
state_dir = \"/run/xgw/state\"
metrics_listen = \"\"
"
  for (( c = 1; c <= n; c++ )); do
    out+="
[[connection]]
name = \"c$c\"
remote_networks = [\"10.$c.0.0/16\"]
"
    for j in $(( 2 * c - 1 )) $(( 2 * c )); do
      out+="
[[connection.tunnel]]
peer_address = \"$(bulk_outside "$j")\"
psk = \"$(bulk_psk "$j")\"
inside_cidr = \"$(bulk_inside "$j")\"
"
    done
  done
  mkdir -p /etc/xgw
  ( umask 077; printf '%s' "$out" > "$GWD_CONF" )
}

# bulk_reset: no daemon and no SA left on either side, for the next round.
bulk_reset() {
  local ns
  # gwd removes each tunnel's kernel state on SIGTERM: with 200 tunnels that can outlast
  # gwd_stop's default 10 s under emulation, and a SIGKILL would leave its datapath behind.
  gwd_stop 300
  for ns in cgw "$BULK_NS"; do sw_stop_wait "$ns"; done
  for ns in cgw "$BULK_NS"; do ip -n "$ns" xfrm state flush; ip -n "$ns" xfrm policy flush; done
  # strongSwan's interfaces on the gateway (gwd removes its own when it stops).
  ip -n cgw -o link show type xfrm | awk -F': ' '{sub(/@.*/, "", $2); print "link del " $2}' | ns_ip cgw
}
