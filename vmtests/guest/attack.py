#!/usr/bin/env python3
"""attack.py: hostile traffic at the customer gateway's WAN address, for gw-hostile.

Sent from the "internet" namespace with raw sockets (spoofed sources), at fixed rates per
kind for DURATION seconds:
  mm1-foreign   valid-looking Main Mode first messages (AWS's default proposal) from
                addresses that are not AWS peers (the allow-list's job)
  mm1-peer      the same from an allowed peer's address, new cookies each time (half-open
                SAs, per-peer rate limit)
  isakmp-junk   truncated and garbage ISAKMP on UDP 500, from the peer and from others
  natt-junk     UDP 4500: non-ESP marker + garbage, ESP-in-UDP with unknown SPIs, short
                datagrams
  esp-unknown   ESP (IP protocol 50) with unknown SPIs from the peer
  fragments     IP fragments of UDP 500 datagrams, first and later pieces
Prints one line per kind: how many packets were sent.
"""
import argparse
import os
import random
import socket
import struct
import time


def ip_header(src, dst, proto, payload_len, frag=0, ident=0):
    # Linux fills in the checksum (and the id when 0) for IP_HDRINCL sockets.
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, frag, 64, proto, 0,
                       socket.inet_aton(src), socket.inet_aton(dst))


def udp(src, dst, sport, dport, data):
    return ip_header(src, dst, 17, 8 + len(data)) + struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def attr(t, v):
    return struct.pack("!HH", 0x8000 | t, v)


def mm1():
    # RFC 2409 §5 Main Mode message 1: HDR, SA (one proposal, one transform: AES-128,
    # SHA1, PSK, group 2, 28800 s), as an IKEv1 initiator offering AWS's defaults.
    attrs = (attr(1, 7) + attr(14, 128) + attr(2, 2) + attr(3, 1) + attr(4, 2) + attr(11, 1) +
             struct.pack("!HH", 12, 4) + struct.pack("!I", 28800))
    transform = struct.pack("!BBHBBH", 0, 0, 8 + len(attrs), 1, 1, 0) + attrs
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transform), 1, 1, 0, 1) + transform
    sa = struct.pack("!BBHII", 0, 0, 12 + len(proposal), 1, 1) + proposal
    hdr = os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 1, 0x10, 2, 0, 0, 28 + len(sa))
    return hdr + sa


def isakmp_junk():
    kind = random.randrange(4)
    if kind == 0:
        return os.urandom(random.randrange(1, 28))  # shorter than the header
    hdr = os.urandom(16) + struct.pack("!BBBBI", random.randrange(256), 0x10, random.choice([2, 5, 32]), 0, 0)
    body = os.urandom(random.randrange(0, 200))
    if kind == 1:
        length = 28 + len(body) + random.randrange(1, 1000)  # claims more than it carries
    elif kind == 2:
        length = random.randrange(0, 28)  # claims less than a header
    else:
        length = 28 + len(body)  # consistent, garbage payloads
    return hdr + struct.pack("!I", length) + body


def natt_junk():
    kind = random.randrange(3)
    if kind == 0:
        return bytes(4) + os.urandom(random.randrange(0, 120))  # non-ESP marker + garbage IKE
    if kind == 1:
        return struct.pack("!II", random.randrange(1, 2**32), 1) + os.urandom(64)  # ESP-in-UDP, unknown SPI
    return os.urandom(random.randrange(1, 4))  # too short for anything


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--peer", required=True, help="an allowed AWS peer address to spoof")
    p.add_argument("--duration", type=float, default=20)
    p.add_argument("--rates", default="mm1-foreign=500,mm1-peer=50,isakmp-junk=100,natt-junk=100,esp-unknown=100,fragments=50")
    a = p.parse_args()
    rates = {k: float(v) for k, v in (x.split("=") for x in a.rates.split(","))}
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    foreign = lambda: "203.0.113.%d" % random.randrange(150, 250)

    def packet(kind):
        if kind == "mm1-foreign":
            return udp(foreign(), a.target, 500, 500, mm1())
        if kind == "mm1-peer":
            return udp(a.peer, a.target, 500, 500, mm1())
        if kind == "isakmp-junk":
            return udp(random.choice([a.peer, foreign()]), a.target, 500, 500, isakmp_junk())
        if kind == "natt-junk":
            return udp(random.choice([a.peer, foreign()]), a.target, 4500, 4500, natt_junk())
        if kind == "esp-unknown":
            data = struct.pack("!II", random.randrange(1, 2**32), random.randrange(1, 2**31)) + os.urandom(80)
            return ip_header(a.peer, a.target, 50, len(data)) + data
        if kind == "fragments":
            data = struct.pack("!HHHH", 500, 500, 8 + 1200, 0) + mm1() + os.urandom(1200 - 60)
            ident = random.randrange(1, 65536)
            src = random.choice([a.peer, foreign()])
            if random.randrange(2):
                return ip_header(src, a.target, 17, 512, 0x2000, ident) + data[:512]  # first piece, MF
            return ip_header(src, a.target, 17, 256, 64, ident) + data[512:768]  # offset 512, last
        raise SystemExit("unknown kind " + kind)

    sent = {k: 0 for k in rates}
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= a.duration:
            break
        for k, r in rates.items():
            while sent[k] < r * elapsed:
                try:
                    s.sendto(packet(k), (a.target, 0))
                except OSError:
                    pass  # a full queue drops the packet, as the internet would
                sent[k] += 1
        time.sleep(0.01)
    for k, n in sent.items():
        print("%s %d" % (k, n))


if __name__ == "__main__":
    main()
