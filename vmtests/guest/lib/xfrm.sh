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

# xfrm_summary NS: one line per ESP SA (direction, SPI, algorithms, counters), no key material.
xfrm_summary() {
  ip -n "$1" -s xfrm state list proto esp | awk '
    /^src/ {src = $2; dst = $4}
    /proto esp spi/ {spi = $4}
    /^\t(enc|aead)/ {enc = $2}
    /^\tauth-trunc/ {auth = $2 "/" $NF}
    /^\tif_id/ {ifid = $2}
    /lifetime current:/ {getline; gsub(/[ \t]/, ""); split($0, a, /[(),]+/); bytes = a[1]; pkts = a[3]; sub(/\(.*/, "", spi)
      printf "  %-15s -> %-15s spi %s  %s %s  if_id %s  %s packets, %s bytes\n", src, dst, spi, enc, auth, ifid, pkts, bytes
      enc = auth = ifid = ""}'
}
