#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoints of the hybrid vsock protocol for live_hybrid.sh, and a reader
of the pcap files capture --uds writes. A synthetic VMM: the real one
(vhost-device-vsock under a QEMU guest) is in tests/vm/hybrid.

  vmm PATH [OKPORT]         listen on PATH; answer "CONNECT p" with
                            "OK OKPORT" (default 1073741824), then echo
  host PATH PORT FILE [PAUSE]  connect to PATH, CONNECT PORT, send FILE
                            (sleeping PAUSE s after half of it), read the
                            echo; prints "sha=<sent> echo=<echoed> n=<bytes>"
  sink PATH_P OUT           listen on PATH_P, read one connection into OUT
  guest PATH_P FILE         connect as the VMM would, send FILE, close
  pcap FILE                 per flow "src dst op count bytes sha256" lines
"""
import hashlib
import os
import socket
import struct
import sys
import threading
import time


def listener(path):
    """A Unix listener at path, replacing whatever file was there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(path)
    ls.listen(16)
    return ls


def vmm(path, okport="1073741824"):
    ls = listener(path)

    def serve(c):
        line = b""
        while not line.endswith(b"\n"):
            b = c.recv(1)
            if not b:
                return
            line += b
        c.sendall(b"OK %s\n" % okport.encode())
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
        c.shutdown(socket.SHUT_WR)
        c.close()

    print("ready", flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def host(path, port, fname, pause="0"):
    data = open(fname, "rb").read()
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"CONNECT %s\n" % port.encode())
    line = b""
    while not line.endswith(b"\n"):
        b = s.recv(1)
        if not b:
            sys.exit("no OK")
        line += b
    out = bytearray()

    def rd():
        while True:
            b = s.recv(65536)
            if not b:
                break
            out.extend(b)

    t = threading.Thread(target=rd)
    t.start()
    half = len(data) // 2
    s.sendall(data[:half])
    print("half", flush=True)
    time.sleep(float(pause))
    s.sendall(data[half:])
    s.shutdown(socket.SHUT_WR)
    t.join()
    print("sha=%s echo=%s n=%d" % (hashlib.sha256(data).hexdigest(),
                                   hashlib.sha256(out).hexdigest(), len(out)),
          flush=True)


def sink(path, out):
    ls = listener(path)
    print("ready", flush=True)
    c, _ = ls.accept()
    with open(out, "wb") as f:
        while True:
            b = c.recv(65536)
            if not b:
                break
            f.write(b)
    c.close()


def guest(path, fname):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(open(fname, "rb").read())
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass


def pcap(fname):
    d = open(fname, "rb").read()
    magic, = struct.unpack_from("<I", d, 0)
    assert magic in (0xa1b2c3d4, 0xa1b23c4d), "not a little-endian pcap"
    link, = struct.unpack_from("<I", d, 20)
    assert link == 271, "link type %d" % link
    off = 24
    flows = {}
    ops = {1: "connect", 2: "disconnect", 3: "control", 4: "payload"}
    while off < len(d):
        _, _, cap, wire = struct.unpack_from("<IIII", d, off)
        off += 16
        fr = d[off:off + cap]
        off += cap
        sc, dc, sp, dp, op, tr, hl = struct.unpack_from("<QQIIHHH", fr, 0)
        key = ("%d:%d" % (sc, sp), "%d:%d" % (dc, dp), ops.get(op, op), tr)
        f = flows.setdefault(key, [0, 0, hashlib.sha256()])
        f[0] += 1
        f[1] += len(fr) - 32 - hl
        f[2].update(fr[32 + hl:])
    for (src, dst, op, tr), (n, b, h) in sorted(flows.items(), key=str):
        print(src, dst, op, "transport=%d" % tr, n, b, h.hexdigest())


if __name__ == "__main__":
    cmds = {"vmm": vmm, "host": host, "sink": sink, "guest": guest,
            "pcap": pcap}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
