# shellcheck shell=bash
# IPv4 arithmetic for building topologies from a tunnel file.
ip_to_int() { local IFS=.; read -r a b c d <<<"$1"; echo $(( (a << 24) | (b << 16) | (c << 8) | d )); }
int_to_ip() { local n=$1; echo "$(( (n >> 24) & 255 )).$(( (n >> 16) & 255 )).$(( (n >> 8) & 255 )).$(( n & 255 ))"; }
# net_host CIDR N: the N-th address of the network (net_host 169.254.100.0/30 1 -> 169.254.100.1)
net_host() { local net=${1%/*}; int_to_ip $(( $(ip_to_int "$net") + $2 )); }
net_len() { echo "${1#*/}"; }
