# shellcheck shell=bash
# Proof that traffic crossed ESP: kernel SA counters.

# xfrm_sa_packets NS SRC DST: packets counted by the SA from SRC to DST in NS (0 if none).
xfrm_sa_packets() {
  in_ns "$1" ip -s xfrm state list src "$2" dst "$3" proto esp \
    | awk '/lifetime current:/ {getline; sub(/\(packets\).*/, ""); sub(/.*, /, ""); s += $0} END {print s + 0}'
}

# xfrm_sa_count NS: number of ESP SAs in NS.
xfrm_sa_count() { in_ns "$1" ip xfrm state list proto esp | grep -c '^src' || true; }

# nft_counter NS FAMILY TABLE NAME: packets of the named counter object.
nft_counter() {
  in_ns "$1" nft list counter "$2" "$3" "$4" | awk '/packets/ {for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1)}'
}
