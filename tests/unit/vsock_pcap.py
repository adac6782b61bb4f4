#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a synthetic LINKTYPE_VSOCK (271) pcap of HTTP over vsock, as a
vsock monitor captures it: the 32-byte af_vsockmon_hdr, the 44-byte
virtio_vsock_hdr, then the payload (include/uapi/linux/vsockmon.h).

Usage: vsock_pcap.py OUT

Connections from CID 3 to CID 2 port 8080, interleaved:
  stream 0: client port 1025, GET /one, the request split over two frames
  stream 1: client port 1026, GET /two
  stream 2: client port 1027, GET /three, the response split over two frames
  stream 3: client port 1025 again after stream 0 closed, GET /four
Each server answers 200 with a small body; every connection ends with
SHUTDOWN from the client and RST from the server.
"""
import struct
import sys

LINKTYPE_VSOCK = 271
# af_vsockmon_hdr op
CONNECT, DISCONNECT, CONTROL, PAYLOAD = 1, 2, 3, 4
# virtio_vsock_hdr op
REQUEST, RESPONSE, RST, SHUTDOWN, RW = 1, 2, 3, 4, 5
AF_OP = {REQUEST: CONNECT, RESPONSE: CONNECT, RST: DISCONNECT,
         SHUTDOWN: DISCONNECT, RW: PAYLOAD}
CLIENT_CID, SERVER_CID, SERVER_PORT = 3, 2, 8080


def frame(src, dst, vop, data=b"", flags=0):
    virtio = struct.pack("<QQIIIHHIII", src[0], dst[0], src[1], dst[1],
                         len(data), 1, vop, flags, 262144, 0)
    hdr = struct.pack("<QQIIHHH2x", src[0], dst[0], src[1], dst[1],
                      AF_OP[vop], 2, len(virtio))
    return hdr + virtio + data


def response(body):
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


def main():
    out = sys.argv[1]
    c = {n: (CLIENT_CID, p) for n, p in ((0, 1025), (1, 1026), (2, 1027),
                                         (3, 1025))}
    s = (SERVER_CID, SERVER_PORT)
    req = {n: b"GET /%s HTTP/1.1\r\nHost: vsock\r\n\r\n" % u
           for n, u in ((0, b"one"), (1, b"two"), (2, b"three"),
                        (3, b"four"))}
    resp = {n: response(b"body of stream %d\n" % n) for n in range(4)}
    f = []
    for n in (0, 1, 2):
        f.append(frame(c[n], s, REQUEST))
    for n in (0, 1, 2):
        f.append(frame(s, c[n], RESPONSE))
    f.append(frame(c[0], s, RW, req[0][:9]))      # "GET /one " ...
    f.append(frame(c[1], s, RW, req[1]))
    f.append(frame(c[2], s, RW, req[2]))
    f.append(frame(c[0], s, RW, req[0][9:]))      # ... the rest
    f.append(frame(s, c[1], RW, resp[1]))
    f.append(frame(s, c[0], RW, resp[0]))
    f.append(frame(s, c[2], RW, resp[2][:20]))
    f.append(frame(s, c[2], RW, resp[2][20:]))
    for n in (0, 1, 2):
        f.append(frame(c[n], s, SHUTDOWN, flags=3))
        f.append(frame(s, c[n], RST))
    f.append(frame(c[3], s, REQUEST))
    f.append(frame(s, c[3], RESPONSE))
    f.append(frame(c[3], s, RW, req[3]))
    f.append(frame(s, c[3], RW, resp[3]))
    f.append(frame(c[3], s, SHUTDOWN, flags=3))
    f.append(frame(s, c[3], RST))
    with open(out, "wb") as o:
        o.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144,
                            LINKTYPE_VSOCK))
        for i, d in enumerate(f):
            o.write(struct.pack("<IIII", 1700000000, i * 1000, len(d),
                                len(d)))
            o.write(d)


if __name__ == "__main__":
    main()
