#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A live DLT_VSOCK source without a VM or our module: a TUN device switched
to ARPHRD_VSOCKMON (826) with TUNSETLINK. Frames written into it reach every
packet socket on it, as libpcap sees a vsock monitor.

Usage: tunvsock.py NAME [--frames N] [--every SECONDS] [--payload BYTES]
                        [--beyond BYTES]
                        [--wait SECONDS | --go FILE] [--hold SECONDS]
                        [--ready FILE]

Creates NAME (up), touches FILE when ready, waits --wait seconds or, with
--go, until the test creates FILE (a capture has started; at most 10 s,
else it fails), writes N frames (CID 3:1000 > 2:1234, virtio RW with
--payload bytes each), then keeps the device --hold seconds. The device
goes away with this process. Needs root and /dev/net/tun.
"""
import argparse
import fcntl
import os
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
TUNSETLINK = 0x400454CD
IFF_TUN = 0x0001
ARPHRD_VSOCKMON = 826


def frame(i, payload, beyond=0):
    data = bytes([i & 0xFF]) * payload
    virtio = struct.pack("<QQIIIHHIII", 3, 2, 1000, 1234, len(data), 1, 5,
                         0, 65536, i)
    # bytes past the header's len, as Linux 6.1.y's vhost tap hands them
    data += b"\xee" * beyond
    hdr = struct.pack("<QQIIHHH2x", 3, 2, 1000, 1234, 4, 2, len(virtio))
    # IFF_TUN without IFF_NO_PI: a 4-byte packet information header, so
    # tun takes any first byte (with NO_PI it wants an IP version).
    return struct.pack("!HH", 0, 0x0028) + hdr + virtio + data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--frames", type=int, default=0)
    ap.add_argument("--every", type=float, default=0.0)
    ap.add_argument("--payload", type=int, default=16)
    ap.add_argument("--beyond", type=int, default=0)
    ap.add_argument("--wait", type=float, default=0.5)
    ap.add_argument("--hold", type=float, default=0.0)
    ap.add_argument("--ready")
    ap.add_argument("--go")
    a = ap.parse_args()

    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", a.name.encode(), IFF_TUN))
    fcntl.ioctl(fd, TUNSETLINK, ARPHRD_VSOCKMON)
    subprocess.run(["ip", "link", "set", a.name, "up"], check=True)
    if a.ready:
        open(a.ready, "w").close()
    if a.go:
        end = time.monotonic() + 10
        while not os.path.exists(a.go):
            if time.monotonic() > end:
                print(f"tunvsock: {a.go} did not appear in 10 s", file=sys.stderr)
                return 1
            time.sleep(0.02)
    else:
        time.sleep(a.wait)
    for i in range(a.frames):
        try:
            os.write(fd, frame(i, a.payload, a.beyond))
        except OSError as e:
            print(f"tunvsock: write frame {i}: {e}", file=sys.stderr)
            return 1
        if a.every:
            time.sleep(a.every)
    time.sleep(a.hold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
