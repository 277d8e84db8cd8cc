#!/usr/bin/python3
"""Prints bench/run's markdown table from the figures the benchmarks wrote.

    table.py FIGURES.tsv

Each row is one figure of xgw beside its reference measured in the same run and the ratio
xgw / reference. A figure that is missing (its benchmark failed) is shown as "n/a", never
left out, so a broken benchmark cannot make the table look better.
"""
import sys

# (label, xgw key, reference label, reference key, unit, better, target)
#   better: "lower" or "higher" is better, and the verdict column says which side wins;
#   "floor": the reference is an empty program, and the verdict gives xgw's overhead.
ROWS = [
    ("IKE: 1 connection, start to both tunnels up", "ike.gwd.c1.up_ms", "strongSwan initiator", "ike.strongswan.c1.up_ms", "ms", "lower", ""),
    ("IKE: 50 connections (100 tunnels), start to all up", "ike.gwd.c50.up_ms", "strongSwan initiator", "ike.strongswan.c50.up_ms", "ms", "lower", ""),
    ("IKE: 50 connections, tunnels per second", "ike.gwd.c50.tunnels_per_s", "strongSwan initiator", "ike.strongswan.c50.tunnels_per_s", "/s", "higher", ""),
    ("Memory: RSS with 2 tunnels", "mem.gwd.t2.rss_kb", "strongSwan charon", "mem.strongswan.t2.rss_kb", "KiB", "lower", ""),
    ("Memory: RSS with 200 tunnels", "mem.gwd.t200.rss_kb", "strongSwan charon", "mem.strongswan.t200.rss_kb", "KiB", "lower", ""),
    ("Failover, AWS Delete: packets lost in total (100/s)", "failover.gwd.delete.lost", "strongSwan + route metrics", "failover.strongswan.delete.lost", "pkts", "lower", "0 (emulated endpoint's own gap: 2-5)"),
    ("Failover, AWS Delete: sent into the deleted tunnel after the Delete", "failover.gwd.delete.sent_after", "strongSwan + route metrics", "failover.strongswan.delete.sent_after", "pkts", "lower", "0"),
    ("Failover, endpoint crash, DPD 10 s x 3: outage", "failover.gwd.death_dpd10.outage_ms", "strongSwan + route metrics", "failover.strongswan.death_dpd10.outage_ms", "ms", "lower", "1000"),
    ("Failover, endpoint crash, DPD 1 s x 3: outage", "failover.gwd.death_dpd1.outage_ms", "strongSwan + route metrics", "failover.strongswan.death_dpd1.outage_ms", "ms", "lower", "1000"),
    ("Failover, crashed endpoint back: tunnel re-established (DPD 10 s)", "failover.gwd.back_dpd10.ms", "strongSwan + route metrics", "failover.strongswan.back_dpd10.ms", "ms", "lower", "5000"),
    ("Failover, crashed endpoint back: tunnel re-established (DPD 1 s)", "failover.gwd.back_dpd1.ms", "strongSwan + route metrics", "failover.strongswan.back_dpd1.ms", "ms", "lower", "5000"),
    ("Rekey: packets lost per phase 2 rekey (100/s)", "rekey.gwd.lost_per_rekey", "strongSwan gateway", "rekey.strongswan.lost_per_rekey", "pkts", "lower", "0"),
    ("Rekey: gateway CPU per phase 2 rekey, above its idle rate", "rekey.gwd.cpu_ms_per_rekey", "strongSwan charon", "rekey.strongswan.cpu_ms_per_rekey", "ms", "lower", ""),
    ("Idle: gateway CPU, 2 tunnels, 100 packets/s, no rekey", "rekey.gwd.idle_cpu_ms_per_s", "strongSwan charon", "rekey.strongswan.idle_cpu_ms_per_s", "ms/s", "lower", ""),
    ("XDP: ns/packet, ESP known SPI (count + pass)", "xdp.esp_known.ns", "empty XDP program (floor)", "xdp.esp_known.empty_ns", "ns", "floor", "floor + 70"),
    ("XDP: ns/packet, IKE from an unlisted peer (drop)", "xdp.ike_unlisted.ns", "empty XDP program (floor)", "xdp.ike_unlisted.empty_ns", "ns", "floor", "floor + 40"),
    ("veth: frames/s dropping an unlisted peer", "veth.xgw.pps", "nftables netdev ingress", "veth.nft.pps", "/s", "higher", "2x nftables"),
    ("veth: receive softirq CPU per frame", "veth.xgw.softirq_ns", "nftables netdev ingress", "veth.nft.softirq_ns", "ns", "lower", "nftables / 2"),
]


def load(path):
    values = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2:
                values[parts[0]] = parts[1]
    return values


def number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def show(v, unit):
    x = number(v)
    if x is None:
        return "n/a"
    text = f"{x:.0f}" if abs(x) >= 100 or x == int(x) else f"{x:.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}"


def verdict(x, r, better):
    if x is None or r is None:
        return "n/a"
    if better == "floor":  # the reference is the cost of doing nothing: report the overhead
        return f"{x / r:.2f} (overhead {x - r:.0f} ns)"
    if x == r:
        return "1.00 (equal)"
    if r == 0:
        return "ref is 0"
    ratio = x / r
    wins = ratio < 1 if better == "lower" else ratio > 1
    return f"{ratio:.2f} ({'xgw better' if wins else 'reference better'})"


def main():
    values = load(sys.argv[1])
    print("| Figure | xgw | Reference | Reference value | xgw / reference | Target |")
    print("|---|---|---|---|---|---|")
    for label, key, ref_label, ref_key, unit, better, target in ROWS:
        x, r = values.get(key), values.get(ref_key)
        print(f"| {label} | {show(x, unit)} | {ref_label} | {show(r, unit)} | "
              f"{verdict(number(x), number(r), better)} | {target} |")


if __name__ == "__main__":
    main()
