# shellcheck shell=bash
# Reads a declarative tunnel file (vmtests/aws/*.conf) into associative arrays.
#
#   [connection NAME]            one VPN connection
#   key = value                  customer_address, lan_networks, vpc, vpc_network, routing
#                                (static or bgp: AWS's side runs BIRD), gwd (extra keys for
#                                gwd's connection, "k = v; k = v")
#   [tunnel NAME/N]              tunnel N of connection NAME, one AWS endpoint each
#   key = value                  endpoint, outside, inside, psk, ike, esp, ike_lifetime,
#                                esp_lifetime, rekey_margin, dpd_delay, dpd_timeout, med (the
#                                AWS side; med: the MED of BGP announcements), gwd (extra keys for gwd's tunnel, "k = v; k = v")
#
# Results: TF_CONNECTIONS and TF_TUNNELS (ordered lists), TF[section.key] = value, with AWS's
# defaults filled in for every tunnel key that the file leaves out.
declare -A TF=()
TF_CONNECTIONS=()
TF_TUNNELS=()

# AWS's defaults for an IKEv1 tunnel (aws-reference.md section 1).
declare -A TF_TUNNEL_DEFAULTS=(
  [ike]=aes128-sha1-modp1024 [esp]=aes128-sha1-modp1024
  [ike_lifetime]=28800 [esp_lifetime]=3600 [rekey_margin]=270
  [dpd_delay]=10 [dpd_timeout]=30 [med]=100 [gwd]=""
)
declare -A TF_CONNECTION_DEFAULTS=(
  [customer_address]=198.51.100.10 [lan_networks]=192.0.2.0/26
  [vpc]=vpc [vpc_network]=192.0.2.128/26 [routing]=static [gwd]=""
)

tunnelfile_load() {
  local file=$1 line section="" key value kind name
  [[ -f $file ]] || { echo "tunnel file not found: $file"; return 1; }
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%%#*}
    # Trim in bash: every fork costs tens of milliseconds under emulation.
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    [[ -z $line ]] && continue
    if [[ $line =~ ^\[(connection|tunnel)[[:space:]]+([A-Za-z0-9_./-]+)\]$ ]]; then
      kind=${BASH_REMATCH[1]} name=${BASH_REMATCH[2]}
      section=$name
      if [[ $kind == connection ]]; then
        TF_CONNECTIONS+=("$name")
        for key in "${!TF_CONNECTION_DEFAULTS[@]}"; do TF[$name.$key]=${TF_CONNECTION_DEFAULTS[$key]}; done
      else
        [[ $name == */[0-9]* ]] || { echo "$file: tunnel '$name' must be named CONNECTION/N"; return 1; }
        TF_TUNNELS+=("$name")
        TF[$name.connection]=${name%/*}
        for key in "${!TF_TUNNEL_DEFAULTS[@]}"; do TF[$name.$key]=${TF_TUNNEL_DEFAULTS[$key]}; done
      fi
    elif [[ $line =~ ^([a-z_]+)[[:space:]]*=[[:space:]]*(.*)$ ]]; then
      [[ -n $section ]] || { echo "$file: '$line' outside a section"; return 1; }
      TF[$section.${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    else
      echo "$file: cannot read line '$line'"; return 1
    fi
  done < "$file"
  local t
  for t in "${TF_TUNNELS[@]}"; do
    for key in endpoint outside inside psk; do
      [[ -n ${TF[$t.$key]:-} ]] || { echo "$file: tunnel $t has no $key"; return 1; }
    done
    [[ -n ${TF[${TF[$t.connection]}.vpc]:-} ]] || { echo "$file: tunnel $t: unknown connection"; return 1; }
  done
}

# Index (1-based) of a tunnel in the file: numbers the endpoint's links and if_id.
tunnel_index() {
  local i
  for i in "${!TF_TUNNELS[@]}"; do [[ ${TF_TUNNELS[$i]} == "$1" ]] && { echo $((i + 1)); return; }; done
  return 1
}
tunnel_by_endpoint() {
  local t
  for t in "${TF_TUNNELS[@]}"; do [[ ${TF[$t.endpoint]} == "$1" ]] && { echo "$t"; return; }; done
  return 1
}
connection_tunnels() {
  local t
  for t in "${TF_TUNNELS[@]}"; do
    if [[ ${TF[$t.connection]} == "$1" ]]; then echo "$t"; fi
  done
  return 0
}
