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
  frames FILE               per frame "src dst op bytes", in file order

For the attacks (hybrid_attacks.sh):
  secret PATH LOG           a server that logs each peer's uid and answers
                            "SECRET"
  ask PATH PORT             CONNECT PORT, print what comes back (5 s)
  eager PATH PORT FILE      CONNECT and FILE in one write, then as host
  answer PATH OUT FLAG      VMM for one connection: wait for FLAG, then OK
                            and a 64 KiB answer (errors ignored), then
                            read to the end; the count read goes to OUT
  blast PATH PORT N FLAG    CONNECT and N bytes (a send buffer for all),
                            close at once, read nothing; then make FLAG
  many PATH N PORT          N connections, CONNECT on each; "connected";
                            waits for a line on stdin; then one by one:
                            OK, 1000 bytes echoed, close; "served=K"
  stalled PATH_P            listen with backlog 0, never accept, until
                            killed
  hold PATH_P N             N connections as the VMM would; "connected";
                            keeps them until killed
  pingpong PATH SECONDS     1-byte round trips through the VMM's echo for
                            SECONDS; "worst=S n=N"
"""
import hashlib
import os
import signal
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


def drain(s):
    """A thread reading s to its end; returns it and the bytes it reads."""
    out = bytearray()

    def rd():
        while True:
            b = s.recv(65536)
            if not b:
                break
            out.extend(b)
    t = threading.Thread(target=rd)
    t.start()
    return t, out


def echo_line(data, out):
    return "sha=%s echo=%s n=%d" % (hashlib.sha256(data).hexdigest(),
                                    hashlib.sha256(out).hexdigest(), len(out))


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
    t, out = drain(s)
    half = len(data) // 2
    s.sendall(data[:half])
    print("half", flush=True)
    time.sleep(float(pause))
    s.sendall(data[half:])
    s.shutdown(socket.SHUT_WR)
    t.join()
    print(echo_line(data, out), flush=True)


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


def secret(path, log):
    ls = listener(path)
    print("ready", flush=True)
    while True:
        c, _ = ls.accept()
        cred = c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                            struct.calcsize("3i"))
        _, uid, _ = struct.unpack("3i", cred)
        with open(log, "a") as f:
            f.write("peer uid=%d\n" % uid)
        try:
            c.sendall(b"SECRET\n")
        except OSError:
            pass
        c.close()


def ask(path, port):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    s.sendall(b"CONNECT %s\n" % port.encode())
    got = b""
    try:
        while not got.endswith(b"\n"):
            b = s.recv(4096)
            if not b:
                break
            got += b
    except OSError:
        pass
    print("got=%r" % got, flush=True)


def read_line(s):
    line = b""
    while not line.endswith(b"\n"):
        b = s.recv(1)
        if not b:
            return None
        line += b
    return line


def eager(path, port, fname):
    data = open(fname, "rb").read()
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"CONNECT %s\n" % port.encode() + data)
    s.shutdown(socket.SHUT_WR)
    if read_line(s) is None:
        sys.exit("no OK")
    n = 0
    while True:
        b = s.recv(65536)
        if not b:
            break
        n += len(b)
    print("n=%d" % n, flush=True)


def wait_file(path):
    end = time.monotonic() + 10
    while not os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.01)


def answer(path, out, flag):
    ls = listener(path)
    print("ready", flush=True)
    c, _ = ls.accept()
    if read_line(c) is None:
        sys.exit("no CONNECT")
    wait_file(flag)
    try:    # to a peer that is gone: as a VMM would, ignored
        c.sendall(b"OK 1073741824\n")
        c.sendall(b"a" * 65536)
    except OSError:
        pass
    n = 0
    while True:
        try:
            b = c.recv(65536)
        except OSError:
            break
        if not b:
            break
        n += len(b)
    with open(out, "w") as f:
        f.write("n=%d\n" % n)


def blast(path, port, n, flag):
    s = socket.socket(socket.AF_UNIX)
    try:    # all of it in flight while nobody reads (root only)
        s.setsockopt(socket.SOL_SOCKET, 32, 4 << 20)  # SO_SNDBUFFORCE
    except OSError:
        pass
    s.connect(path)
    s.sendall(b"CONNECT %s\n" % port.encode() + b"b" * int(n))
    s.close()
    open(flag, "w").close()


def many(path, n, port):
    socks = []
    for _ in range(int(n)):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(15)
        s.connect(path)
        s.sendall(b"CONNECT %s\n" % port.encode())
        socks.append(s)
    print("connected", flush=True)
    sys.stdin.readline()
    served = 0
    for s in socks:
        try:
            if read_line(s) is not None:
                s.sendall(b"m" * 1000)
                got = 0
                while got < 1000:
                    b = s.recv(1000 - got)
                    if not b:
                        break
                    got += len(b)
                served += got == 1000
        except OSError:
            pass
        s.close()
    print("served=%d" % served, flush=True)


def parallel(path, port, *fnames):
    """One connection per file, all to PORT and all open at once: every
    OK is read before any byte is sent, then the files go out in
    interleaved 4 KiB chunks. Prints "sha=SENT echo=ECHOED n=N" per file,
    in order."""
    datas = [open(f, "rb").read() for f in fnames]
    socks, outs, threads = [], [], []
    for _ in datas:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30)
        s.connect(path)
        s.sendall(b"CONNECT %s\n" % port.encode())
        socks.append(s)
    for s in socks:
        if read_line(s) is None:
            sys.exit("no OK")
    for s in socks:
        t, out = drain(s)
        outs.append(out)
        threads.append(t)
    off = 0
    while any(off < len(d) for d in datas):
        for s, d in zip(socks, datas):
            if off < len(d):
                s.sendall(d[off:off + 4096])
        off += 4096
    for s in socks:
        s.shutdown(socket.SHUT_WR)
    for t in threads:
        t.join()
    for d, out in zip(datas, outs):
        print(echo_line(d, out), flush=True)


def stalled(path):
    ls = socket.socket(socket.AF_UNIX)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    ls.bind(path)
    ls.listen(0)
    print("ready", flush=True)
    signal.pause()


def hold(path, n):
    socks = []
    for _ in range(int(n)):
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        socks.append(s)
    print("connected", flush=True)
    signal.pause()


def pingpong(path, seconds):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"CONNECT 5100\n")
    if read_line(s) is None:
        sys.exit("no OK")
    print("ready", flush=True)
    worst, n = 0.0, 0
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        t = time.monotonic()
        s.sendall(b"p")
        if not s.recv(1):
            sys.exit("closed")
        worst = max(worst, time.monotonic() - t)
        n += 1
    print("worst=%.3f n=%d" % (worst, n), flush=True)


def frames(fname):
    d = open(fname, "rb").read()
    off = 24
    ops = {1: "connect", 2: "disconnect", 3: "control", 4: "payload"}
    while off < len(d):
        _, _, cap, wire = struct.unpack_from("<IIII", d, off)
        off += 16
        fr = d[off:off + cap]
        off += cap
        sc, dc, sp, dp, op, tr, hl = struct.unpack_from("<QQIIHHH", fr, 0)
        print("%d:%d %d:%d %s %d" % (sc, sp, dc, dp, ops.get(op, op),
                                     wire - 32 - hl))


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
            "pcap": pcap, "frames": frames, "secret": secret, "ask": ask,
            "eager": eager, "answer": answer, "blast": blast, "many": many,
            "stalled": stalled, "hold": hold, "pingpong": pingpong,
            "parallel": parallel}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
