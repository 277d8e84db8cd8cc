#!/usr/bin/python3
"""Timelines of a benchmark's probes, as PNG: one per probe (ping output kept by the VM
scenarios' keep_probe), round-trip time of every answered packet and a red mark for every
lost one, on the probe's own time axis (sequence number x interval).

    plot.py OUTDIR PROBE.out...        (PROBE.params beside each: "INTERVAL COUNT")
"""
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

REPLY = re.compile(r"icmp_seq=(\d+) .*time=([\d.]+) ms")


def read_probe(path):
    interval, count = open(path[: -len(".out")] + ".params").read().split()
    interval, count = float(interval), int(count)
    rtt = {}
    for line in open(path, errors="replace"):
        if "bytes from" in line and (m := REPLY.search(line)):
            rtt[int(m.group(1))] = float(m.group(2))
    return interval, count, rtt


def plot(out_dir, path):
    interval, count, rtt = read_probe(path)
    name = os.path.basename(path)[: -len(".out")].removeprefix("probe-")
    lost = [s for s in range(1, count + 1) if s not in rtt]
    fig, ax = plt.subplots(figsize=(10, 3.2))
    got = sorted(rtt)
    ax.plot([s * interval for s in got], [rtt[s] for s in got], ".", markersize=2, label="answered (RTT)")
    top = max(rtt.values(), default=1.0)
    ax.plot([s * interval for s in lost], [top * 1.05] * len(lost), "|", color="red", markersize=12,
            label=f"lost ({len(lost)} of {count})")
    ax.set_xlabel("time since the probe started (s)")
    ax.set_ylabel("round trip (ms)")
    ax.set_title(f"{name}: {count} packets at {1 / interval:.0f}/s")
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    target = os.path.join(out_dir, name + ".png")
    fig.savefig(target, dpi=100)
    plt.close(fig)
    return target


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for path in sys.argv[2:]:
        print(plot(out_dir, path))


if __name__ == "__main__":
    main()
