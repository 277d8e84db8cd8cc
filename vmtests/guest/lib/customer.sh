# shellcheck shell=bash
# The customer side: a LAN host, the gateway under test (cgw) and, optionally, a NAT.
#
#   direct:  [lan] eth0 ---- c-lan [cgw] wan0 (198.51.100.10) ---- i-cust [inet]
#   --nat:   [lan] eth0 ---- c-lan [cgw] wan0 (192.0.2.66) ---- n-cgw [nat] n-inet (198.51.100.10) ---- i-cust [inet]
#
# LAN 192.0.2.0/26 (gateway .1, host .10); NAT inside 192.0.2.64/27. The gateway's public
# address, its IKE identity, is 198.51.100.10 in both cases.
LAN_HOST=192.0.2.10
LAN_GW=192.0.2.1
CGW_PUBLIC=198.51.100.10
CGW_NAT_INSIDE=192.0.2.66
CGW_WAN_ADDR=$CGW_PUBLIC   # the address the gateway itself holds on wan0

customer_up() {
  local nat=${1:-}
  inet_up
  ns_add lan
  ns_add cgw
  veth_link lan eth0 "$LAN_HOST/26" cgw c-lan "$LAN_GW/26"
  ip -n lan route add default via "$LAN_GW"
  if [[ $nat == --nat ]]; then
    ns_add nat
    CGW_WAN_ADDR=$CGW_NAT_INSIDE
    veth_link cgw wan0 "$CGW_NAT_INSIDE/27" nat n-cgw 192.0.2.65/27
    veth_link nat n-inet "$CGW_PUBLIC/24" "$INET_NS" i-cust 198.51.100.1/24
    ip -n cgw route add default via 192.0.2.65
    ip -n nat route add default via 198.51.100.1
    must modules_load nft_chain_nat nft_masq
    in_ns nat nft -f - <<'NFT'
table ip nat {
  chain post { type nat hook postrouting priority 100; oifname "n-inet" masquerade; }
}
NFT
  else
    veth_link cgw wan0 "$CGW_PUBLIC/24" "$INET_NS" i-cust 198.51.100.1/24
    ip -n cgw route add default via 198.51.100.1
  fi
}

# ping_lan_to_vpc CONNECTION COUNT [INTERVAL]: pings the VPC host from the LAN host; prints
# the number of replies.
ping_lan_to_vpc() {
  local c=$1 n=$2 iv=${3:-0.2}
  in_ns lan ping -n -q -c "$n" -i "$iv" -W 2 "$(vpc_host_addr "$c")" \
    | awk '/received/ {for (i = 1; i <= NF; i++) if ($i ~ /received/) print $(i - 1)}'
}

# --- strongSwan as the customer gateway (harness scenarios and bench/'s reference) -------
# One charon in cgw, one connection per tunnel of the file, each bound to its own XFRM
# interface xfrmN (if_id N) holding the gateway's inside address.
# Environment of cgw_strongswan_up: SW_DPD_DELAY / SW_DPD_TIMEOUT (seconds; default 10 s and strongSwan's own
# timeout); SW_ROUTE_FAILOVER=1 for the usual hand-made failover: every tunnel started and
# restarted forever, and an updown hook routing the VPC into each tunnel that is up, with
# the tunnel's number as the route metric (guest/sw-route-updown); SW_ESP_LIFETIME and
# SW_REKEY_MARGIN (seconds) rekey each child SA like gwd's esp_lifetime and rekey_margin
# with rekey_fuzz 100: at lifetime - margin, less up to a margin at random.
cgw_strongswan_up() {
  local conf="/etc/netns/cgw/swanctl/swanctl.conf" t i c secrets=""
  sw_write_conf cgw
  echo "connections {" > "$conf"
  for t in "${TF_TUNNELS[@]}"; do
    i=$(tunnel_index "$t"); c=${TF[$t.connection]}
    local name=${t//\//-}
    ns_ip cgw <<IP
link add xfrm$i type xfrm dev wan0 if_id $i
addr add $(net_host "${TF[$t.inside]}" 2)/30 dev xfrm$i
link set xfrm$i up
IP
    cat >> "$conf" <<CONF
  $name {
    version = 1
    local_addrs = $CGW_WAN_ADDR
    remote_addrs = ${TF[$t.outside]}
    local {
      auth = psk
      id = ${TF[$c.customer_address]}
    }
    remote {
      auth = psk
      id = ${TF[$t.outside]}
    }
    proposals = ${TF[$t.ike]}
    dpd_delay = ${SW_DPD_DELAY:-10}s
    ${SW_DPD_TIMEOUT:+dpd_timeout = ${SW_DPD_TIMEOUT}s}
    ${SW_ROUTE_FAILOVER:+keyingtries = 0}
    children {
      $name {
        local_ts = 0.0.0.0/0
        remote_ts = 0.0.0.0/0
        esp_proposals = ${TF[$t.esp]}
        if_id_in = $i
        if_id_out = $i
        dpd_action = restart
        ${SW_ESP_LIFETIME:+life_time = ${SW_ESP_LIFETIME}s}
        ${SW_ESP_LIFETIME:+rekey_time = $(( ${SW_ESP_LIFETIME:-0} - ${SW_REKEY_MARGIN:-0} ))s}
        ${SW_ESP_LIFETIME:+rand_time = ${SW_REKEY_MARGIN:-0}s}
        ${SW_ROUTE_FAILOVER:+start_action = start}
        ${SW_ROUTE_FAILOVER:+close_action = start}
        ${SW_ROUTE_FAILOVER:+updown = $XGW_ROOT/vmtests/guest/sw-route-updown xfrm$i $i ${TF[$c.vpc_network]}}
      }
    }
  }
CONF
    secrets+="  ike-$name {"$'\n'"    id-1 = ${TF[$c.customer_address]}"$'\n'"    id-2 = ${TF[$t.outside]}"$'\n'"    secret = \"${TF[$t.psk]}\""$'\n'"  }"$'\n'
  done
  printf '}\nsecrets {\n%s}\n' "$secrets" >> "$conf"
  must sw_start cgw
}

# cgw_route_via_tunnel TUNNEL: the gateway sends the connection's VPC network into tunnel N.
# cgw_strongswan_down: stops that charon and removes its SAs, policies and interfaces.
cgw_strongswan_down() {
  local t
  sw_stop_wait cgw
  { echo "xfrm state flush"; echo "xfrm policy flush"
    for t in "${TF_TUNNELS[@]}"; do echo "link del xfrm$(tunnel_index "$t")"; done; } | ns_ip cgw
}
cgw_route_via_tunnel() {
  local t=$1 i; i=$(tunnel_index "$t")
  in_ns cgw ip route replace "${TF[${TF[$t.connection]}.vpc_network]}" dev "xfrm$i"
}

# --- gwd as the customer gateway --------------------------------------------------------
GWD_CONF=/etc/xgw/gwd.toml
GWD_SOCK=/run/xgw/gwd.sock

# gwd_algorithms IKE-PROPOSAL ESP-PROPOSAL: gwd's algorithm keys for strongSwan-style
# proposals such as aes256-sha256-modp2048 and aes128gcm16-ecp256.
gwd_algorithms() {
  local tok enc integ groups out="" kind
  for kind in ike esp; do
    local prop=$1; [[ $kind == esp ]] && prop=$2
    enc="" integ="" groups=""
    for tok in ${prop//-/ }; do
      case $tok in
        aes128|aes256) enc+="\"$tok\", " ;;
        aes128gcm16) enc+="\"aes128-gcm-16\", " ;;
        aes256gcm16) enc+="\"aes256-gcm-16\", " ;;
        sha1) integ+="\"sha1\", " ;;
        sha256|sha384|sha512) integ+="\"sha2-${tok#sha}\", " ;;
        modp1024) groups+="2, " ;; modp1536) groups+="5, " ;; modp2048) groups+="14, " ;;
        modp3072) groups+="15, " ;; modp4096) groups+="16, " ;; modp6144) groups+="17, " ;;
        modp8192) groups+="18, " ;; ecp256) groups+="19, " ;; ecp384) groups+="20, " ;; ecp521) groups+="21, " ;;
        *) echo "gwd_algorithms: unknown proposal token '$tok'" >&2; return 1 ;;
      esac
    done
    out+="${kind}_encryption = [${enc%, }]"$'\n'
    [[ -n $integ ]] && out+="${kind}_integrity = [${integ%, }]"$'\n'
    if [[ $kind == ike ]]; then out+="ike_dh_groups = [${groups%, }]"$'\n'; else out+="esp_pfs_groups = [${groups%, }]"$'\n'; fi
  done
  printf '%s' "$out"
}

# gwd_write_config [--match-proposals] [EXTRA-TUNNEL-KEYS]: gwd's config for every connection
# of the tunnel file (or those GWD_CONNECTIONS lists, space-separated). With
# --match-proposals each tunnel offers exactly its endpoint's proposals; otherwise gwd's
# defaults (AWS's default suite).
gwd_write_config() {
  local match=0
  if [[ ${1:-} == --match-proposals ]]; then match=1; shift; fi
  local extra=${1:-} c t out algs nl=$'\n'
  mkdir -p /etc/xgw
  out="[gateway]
wan_interface = \"wan0\"
lan_interface = \"c-lan\"
local_address = \"$CGW_WAN_ADDR\"
"
  [[ $CGW_WAN_ADDR != "$CGW_PUBLIC" ]] && out+="public_address = \"$CGW_PUBLIC\"
"
  out+="control_socket = \"$GWD_SOCK\"
state_dir = \"/run/xgw/state\"
"
  local conns=("${TF_CONNECTIONS[@]}")
  [[ -n ${GWD_CONNECTIONS:-} ]] && read -ra conns <<<"$GWD_CONNECTIONS"
  for c in "${conns[@]}"; do
    out+="
[[connection]]
name = \"$c\"
remote_networks = [\"${TF[$c.vpc_network]}\"]
${TF[$c.gwd]//; /$nl}
"
    for t in $(connection_tunnels "$c"); do
      algs=""
      (( match )) && { algs=$(gwd_algorithms "${TF[$t.ike]}" "${TF[$t.esp]}") || return 1; }
      out+="
[[connection.tunnel]]
peer_address = \"${TF[$t.outside]}\"
psk = \"${TF[$t.psk]}\"
inside_cidr = \"${TF[$t.inside]}\"
$algs
$extra
${TF[$t.gwd]//; /$nl}
"
    done
  done
  ( umask 077; printf '%s' "$out" > "$GWD_CONF" )
}

# gwd_start: runs gwd in the cgw namespace (nsenter, so bpffs stays visible for its pins).
# It must open its control socket within GWD_START_WAIT seconds (default 10).
gwd_start() {
  ns_daemon cgw gwd /run/xgw-test/gwd.log "$XGW_BIN/gwd" --config "$GWD_CONF" "$@"
  poll "${GWD_START_WAIT:-10}" test -S "$GWD_SOCK" || { echo "gwd did not open its control socket"; tail -20 /run/xgw-test/gwd.log; return 1; }
}

# gwd_stop [SECONDS]: SIGTERM, then SIGKILL if gwd is still there after SECONDS (default 10).
gwd_stop() {
  local pid; pid=$(daemon_pid gwd 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  poll "${1:-10}" bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null
  return 0
}

# gwctl_json COMMAND ARGS...: gwctl against the scenario's gwd, JSON output.
gwctl_json() { local cmd=$1; shift; gwctl "$cmd" --socket "$GWD_SOCK" --json "$@"; }

# gwd_tunnel_field TUNNEL FIELD: one field of a tunnel in `gwctl status --json`.
gwd_tunnel_field() {
  gwctl_json status | jq -r --arg t "$1" --arg f "$2" '.connections[].tunnels[] | select(.name == $t) | .[$f]'
}
gwd_tunnel_up() { [[ $(gwd_tunnel_field "$1" phase2) == up ]]; }
gwd_both_up() { gwd_tunnel_up vpn1/1 && gwd_tunnel_up vpn1/2; }  # one-connection tunnel files
gwd_tunnel_down() { [[ $(gwd_tunnel_field "$1" phase2) == down ]]; }
# gwd_spis TUNNEL: "IN/OUT" as gwd reports them.
gwd_spis() { echo "$(gwd_tunnel_field "$1" spi_in)/$(gwd_tunnel_field "$1" spi_out)"; }
gwd_active_tunnel() { gwctl_json status | jq -r --arg c "$1" '.connections[] | select(.name == $c) | .active_tunnel'; }

# cgw_sas_consistent: the kernel in cgw holds exactly the SAs of gwd's child SAs (2 each).
cgw_sas_consistent() {
  local kernel children
  kernel=$(ip -n cgw xfrm state | grep -c '^src')
  children=$(gwctl_json status | jq '[.connections[].tunnels[].child_sas] | add')
  [[ $kernel -eq $(( 2 * children )) ]]
}

# cgw_gwd_up [--match-proposals] [EXTRA-TUNNEL-KEYS]: gwd as the gateway, configured from
# the tunnel file, started in cgw.
cgw_gwd_up() {
  must gwd_write_config "$@"
  must gwd_start
}

# doctor_run [CONFIG]: gwctl doctor in cgw against the running gwd (default config: $OP_CONF,
# else $GWD_CONF); sets DOCTOR_RC and DOCTOR_OUT and logs the output.
doctor_run() {
  local conf=${1:-${OP_CONF:-$GWD_CONF}}
  DOCTOR_RC=0
  DOCTOR_OUT=$(in_ns cgw gwctl doctor --config "$conf" 2>&1) || DOCTOR_RC=$?
  log "gwctl doctor (exit $DOCTOR_RC):"$'\n'"$DOCTOR_OUT"
}

# customer_down: removes the customer side (after gwd_stop), so a scenario can rebuild it,
# e.g. behind a NAT. Deleting a namespace deletes its veth ends, so inet loses i-cust too.
customer_down() {
  local ns
  for ns in lan cgw nat; do ip netns del "$ns" 2>/dev/null || true; done
  rm -f "$GWD_SOCK"
}
