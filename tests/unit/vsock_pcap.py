#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a synthetic LINKTYPE_VSOCK (271) pcap of HTTP over vsock, as a
vsock monitor captures it: the 32-byte af_vsockmon_hdr, the 44-byte
virtio_vsock_hdr, then the payload (include/uapi/linux/vsockmon.h).

Usage: vsock_pcap.py OUT EXPECT

EXPECT gets the truth the generator knows, for the test to compare:
"frame N stream S dir D" per frame (dir 0 from the connecting end) and
"stream S fwd BYTES rev BYTES" per connection.

Connections from CID 3 to CID 2 port 8080, interleaved:
  stream 0: client port 1025, GET /one, the request split over two frames
  stream 1: client port 1026, GET /two
  stream 2: client port 1027, GET /three, the response split over two frames
  stream 3: client port 1025 again after stream 0 closed, GET /four
  stream 4: client port 1028, refused (REQUEST, RST), no data
  stream 5: client port 1028 again, GET /five
  stream 6: client port 1029 to port 22, the two SSH version banners
  stream 7: client port 1030, open before the capture: no REQUEST; the
            server's response comes first, then GET /seven (the plugin
            takes the first sender, here the server, for direction 0)
Each server answers 200 with a small body; every connection ends with
SHUTDOWN from the client and RST from the server, the last one as Linux
closes: SHUTDOWN from both ends, then RST.
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
    out, expect = sys.argv[1], sys.argv[2]
    c = {n: (CLIENT_CID, p) for n, p in ((0, 1025), (1, 1026), (2, 1027),
                                         (3, 1025), (4, 1028), (5, 1028),
                                         (6, 1029), (7, 1030))}
    s = (SERVER_CID, SERVER_PORT)
    req = {n: b"GET /%s HTTP/1.1\r\nHost: vsock\r\n\r\n" % u
           for n, u in ((0, b"one"), (1, b"two"), (2, b"three"),
                        (3, b"four"), (5, b"five"),
                        (7, b"seven"))}
    resp = {n: response(b"body of stream %d\n" % n) for n in range(8)}
    f = []
    truth = []
    nbytes = {n: [0, 0] for n in range(8)}

    def add(n, d, vop, data=b"", flags=0):
        srv = (SERVER_CID, 22) if n == 6 else s
        src, dst = (c[n], srv) if d == 0 else (srv, c[n])
        f.append(frame(src, dst, vop, data, flags))
        pd = 1 - d if n == 7 else d    # as the plugin sees it
        truth.append((n, pd))
        nbytes[n][pd] += len(data)

    for n in (0, 1, 2):
        add(n, 0, REQUEST)
    for n in (0, 1, 2):
        add(n, 1, RESPONSE)
    add(0, 0, RW, req[0][:9])      # "GET /one " ...
    add(1, 0, RW, req[1])
    add(2, 0, RW, req[2])
    add(0, 0, RW, req[0][9:])      # ... the rest
    add(1, 1, RW, resp[1])
    add(0, 1, RW, resp[0])
    add(2, 1, RW, resp[2][:20])
    add(2, 1, RW, resp[2][20:])
    for n in (0, 1, 2):
        add(n, 0, SHUTDOWN, flags=3)
        add(n, 1, RST)
    add(3, 0, REQUEST)
    add(3, 1, RESPONSE)
    add(3, 0, RW, req[3])
    add(3, 1, RW, resp[3])
    add(3, 0, SHUTDOWN, flags=3)
    add(3, 1, RST)
    add(4, 0, REQUEST)
    add(4, 1, RST)
    add(5, 0, REQUEST)
    add(5, 1, RESPONSE)
    add(5, 0, RW, req[5])
    add(5, 1, RW, resp[5])
    add(5, 0, SHUTDOWN, flags=3)
    add(5, 1, RST)
    add(6, 0, REQUEST)
    add(6, 1, RESPONSE)
    add(6, 1, RW, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    add(6, 0, RW, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    add(6, 0, SHUTDOWN, flags=3)
    add(6, 1, RST)
    add(7, 1, RW, resp[7])
    add(7, 0, RW, req[7])
    add(7, 0, SHUTDOWN, flags=3)
    add(7, 1, SHUTDOWN, flags=3)   # both shut down, and still the RST
    add(7, 1, RST)                 # follows: the same stream
    with open(out, "wb") as o:
        o.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144,
                            LINKTYPE_VSOCK))
        for i, d in enumerate(f):
            o.write(struct.pack("<IIII", 1700000000, i * 1000, len(d),
                                len(d)))
            o.write(d)
    with open(expect, "w") as o:
        for i, (n, d) in enumerate(truth):
            o.write("frame %d stream %d dir %d\n" % (i + 1, n, d))
        for n in range(8):
            o.write("stream %d fwd %d rev %d\n" % (n, nbytes[n][0],
                                                   nbytes[n][1]))


if __name__ == "__main__":
    main()
