#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capture and top on a live DLT_VSOCK source without a VM or our module:
# a TUN device switched to ARPHRD_VSOCKMON (tunvsock.py), always named
# with -i. Stop paths and write errors. Seconds; without root or
# /dev/net/tun one counted skip ("0 passed, 0 failed, 1 skipped").
# Usage: live_tun.sh BINARY
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
fail=0 n=0
dev=vsmtun$$
dev=${dev:0:15}
# shellcheck source=scratch.sh
. "$(dirname "$0")/scratch.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] ||
   ! command -v python3 >/dev/null || ! command -v ip >/dev/null; then
	echo "skip - live tun: needs root, /dev/net/tun, python3, ip"
	echo "live tun: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

ok() { n=$((n + 1)); echo "ok - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok - $1"; }

# waitfor SECS CMD...: poll CMD every 50 ms until it succeeds or SECS pass
waitfor() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS <= end)) || return 1
		sleep 0.05
	done
}

# tun ARGS...: start the source (in the background) and wait until it is up
tun() {
	rm -f "$tmp/ready" "$tmp/go" "$tmp/err"	# go() reads a fresh err
	python3 "$here/tunvsock.py" "$dev" --ready "$tmp/ready" "$@" &
	pids+=($!)
	waitfor 5 test -e "$tmp/ready" && return 0
	echo "tunvsock did not come up"
	return 1
}
untun() {
	kill "${pids[-1]}" 2>/dev/null
	wait "${pids[-1]}" 2>/dev/null
	waitfor 5 eval '! ip link show "$dev" >/dev/null 2>&1'
}
# go: once the capture in the background says it captures (its stderr in
# $tmp/err), let the source (tun --go "$tmp/go") send its frames
go() {
	waitfor 10 grep "capturing on $dev," "$tmp/err" >/dev/null 2>&1 || echo "capture did not start: $(cat "$tmp/err")"
	touch "$tmp/go"
}
# blocked PID: PID sleeps in write(1, ...): its stdout, a pipe, is full
blocked() {
	local nr fd
	read -r nr fd _ <"/proc/$1/syscall" && [ "$nr" = 1 ] && [ "$fd" = 0x1 ]
}

# 1. top's output goes to a reader that leaves: top must end, not run on.
tun --hold 30
start=$(date +%s%N)
# (a reader that leaves early is the point: no pipeline, see pipefail-lint)
timeout 15 "$bin" top -i "$dev" --json --interval 0.05 2>"$tmp/err" \
	> >(head -c 60 >/dev/null)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" != 124 ] && [ "$rc" != 0 ] && [ $ms -lt 6000 ]; then
	ok "top --json into head -c 60 ends (exit $rc, ${ms} ms)"
else
	bad "top --json into head -c 60: exit $rc after ${ms} ms: $(cat "$tmp/err")"
fi

# list shows monitors by link kind: an ARPHRD_VSOCKMON TUN is not one.
out=$("$bin" list --names 2>&1)
rc=$?
if [ $rc = 0 ] && ! grep -x "$dev" <<<"$out" >/dev/null; then
	ok "list leaves out a TUN device of type ARPHRD_VSOCKMON"
else
	bad "list --names (exit $rc) takes the TUN device for a monitor or failed: $out"
fi

# 2. top --once to a full disk fails.
timeout 10 "$bin" top -i "$dev" --once --interval 0.1 >/dev/full 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -q "No space left" "$tmp/err"; then
	ok "top --once >/dev/full exits 1 and says why"
else
	bad "top --once >/dev/full: exit $rc: $(cat "$tmp/err")"
fi
untun

# 2b. top --once stopped before its interval ended prints its one table,
#     of what it saw (e2e's scenario 1 stops it at its end).
tun --go "$tmp/go" --frames 5 --hold 30
"$bin" top -i "$dev" --once --json --interval 600 >"$tmp/out" 2>"$tmp/err" &
cap=$!
# it reads once libpcap mapped its ring (the socket in its maps: top prints
# nothing when it starts); it got the frames once tun counted them
waitfor 10 grep 'socket:\[' "/proc/$cap/maps" >/dev/null
touch "$tmp/go"
waitfor 10 eval '[ "$(cat "/sys/class/net/$dev/statistics/rx_packets" 2>/dev/null || echo 0)" -ge 5 ]'
kill -INT $cap
waitfor 10 eval '! kill -0 $cap 2>/dev/null' || kill -KILL $cap
wait $cap
rc=$?
frames=$(python3 -c 'import json, sys
f = json.load(open(sys.argv[1]))["flows"]
print(sum(x["to_server"]["frames"] + x["to_client"]["frames"] for x in f))' "$tmp/out" 2>&1)
if [ $rc = 0 ] && [ "$frames" = 5 ] && [ ! -s "$tmp/err" ]; then
	ok "top --once --interval 600, SIGINT after 5 frames: exit 0, one table of 5 frames"
else
	bad "top --once, SIGINT before the interval's end: exit $rc, frames '$frames': $(cat "$tmp/err" "$tmp/out")"
fi
untun

# 3. Ctrl-C while stdout is a full pipe nobody reads is a normal end, for
#    lines and for a capture file on stdout.
mkfifo "$tmp/fifo"
for args in "-q" "-q -w -"; do
	# -q prints no "capturing on": frames for 5 s, a second of them (1000
	# lines, 600 pcap records) fills the pipe, and the capture blocks
	tun --wait 0 --frames 5000 --every 0.001 --hold 30
	exec 3<>"$tmp/fifo"	# a reader that never reads
	# shellcheck disable=SC2086
	"$bin" capture -i "$dev" $args >"$tmp/fifo" 2>"$tmp/err" &
	cap=$!
	waitfor 10 blocked $cap || echo "# capture $args: not blocked on its stdout after 10 s"
	kill -INT $cap
	for _ in $(seq 50); do kill -0 $cap 2>/dev/null || break; sleep 0.1; done
	if kill -0 $cap 2>/dev/null; then
		kill -KILL $cap
		bad "capture $args blocked on a full pipe did not end on SIGINT"
	else
		wait $cap
		rc=$?
		if [ $rc = 0 ] && [ ! -s "$tmp/err" ]; then
			ok "capture $args, SIGINT with stdout a full pipe: exit 0, nothing on stderr"
		else
			bad "capture $args, SIGINT with stdout a full pipe: exit $rc: $(cat "$tmp/err")"
		fi
	fi
	exec 3>&-
	untun
done

# 4. -w /dev/full: a failure, never "N frames captured" as if saved.
tun --go "$tmp/go" --frames 200 --payload 1000 --hold 10
timeout 10 "$bin" capture -i "$dev" -c 200 -w /dev/full 2>"$tmp/err" &
cap=$!
go
wait $cap
rc=$?
if [ $rc = 1 ] && grep "write /dev/full: No space left" "$tmp/err" >/dev/null &&
   ! grep "frames\? captured, [0-9]* bytes" "$tmp/err" >/dev/null; then
	ok "capture -w /dev/full exits 1, reports no success"
else
	bad "capture -w /dev/full: exit $rc: $(cat "$tmp/err")"
fi
untun

# Lines ask the kernel for the headers only, and say nothing of the payload
# they left out.
tun --go "$tmp/go" --frames 3 --payload 500 --hold 10
timeout 10 "$bin" capture -i "$dev" -c 3 >"$tmp/out" 2>"$tmp/err" &
cap=$!
go
wait $cap
rc=$?
if [ $rc = 0 ] && grep "snapshot length 76," "$tmp/err" >/dev/null &&
   [ "$(grep -c "payload stream rw len 500$" "$tmp/out")" = 3 ]; then
	ok "capture without -w asks for 76 bytes, prints no '[captured]' note"
else
	bad "capture without -w: exit $rc: $(cat "$tmp/err" "$tmp/out")"
fi
untun

# 5. A file for top -r: names the file, no wall clock or interval; and a
#    failed write fails.
tun --go "$tmp/go" --frames 5 --hold 10
timeout 10 "$bin" capture -i "$dev" -c 5 -w "$tmp/five.pcap" 2>"$tmp/err" &
cap=$!
go
wait $cap
untun
"$bin" top -r "$tmp/five.pcap" >"$tmp/out" 2>&1
rc=$?
sed -n 1p "$tmp/out" >"$tmp/first"
if [ $rc = 0 ] && grep "top of .*five.pcap" "$tmp/first" >/dev/null &&
   ! grep "every\|[0-9]:[0-9][0-9]:[0-9]" "$tmp/first" >/dev/null &&
   grep " 2:1234 " "$tmp/out" >/dev/null; then
	ok "top -r names the file, no clock or interval, shows the flow"
else
	bad "top -r (exit $rc) header: $(cat "$tmp/out")"
fi
"$bin" top -r "$tmp/five.pcap" >/dev/full 2>"$tmp/err"
rc=$?
if [ $rc = 1 ]; then
	ok "top -r >/dev/full exits 1"
else
	bad "top -r >/dev/full: exit $rc"
fi

# 6. The extcap into Wireshark's fifo: each frame flushed at once, the
#    reader leaving and SIGTERM both a quiet, normal end.
tun --wait 0 --frames 40 --every 0.2 --hold 30
rm -f "$tmp/fifo"
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/ext.pcap" &
reader=$!
"$bin" extcap --capture --extcap-interface "vsock-$dev" --fifo "$tmp/fifo" 2>"$tmp/err" &
cap=$!
# pcap header 24 bytes, each frame 16 + 76 + its payload: more than the
# header while frames still come (8 s of them, ~2.7 KiB in 5 s: less than
# a stdio buffer, so only a flush per frame gets them there)
for i in $(seq 50); do
	size=$(stat -c %s "$tmp/ext.pcap" 2>/dev/null || echo 0)
	[ "$size" -gt 24 ] && break
	sleep 0.1
done
if [ "$size" -gt 24 ]; then
	ok "extcap: frames reach the fifo while it captures ($size bytes after $i tenths of a second)"
else
	bad "extcap: only $size bytes in the fifo after 5 s: frames are held back"
fi
kill $reader
start=$(date +%s%N)
for _ in $(seq 50); do kill -0 $cap 2>/dev/null || break; sleep 0.05; done
ms=$((($(date +%s%N) - start) / 1000000))
if kill -0 $cap 2>/dev/null; then
	kill -KILL $cap
	bad "extcap: still running 2.5 s after the fifo's reader left"
else
	wait $cap
	rc=$?
	if [ $rc = 0 ] && [ ! -s "$tmp/err" ]; then
		ok "extcap: the fifo's reader left: exit 0 after ${ms} ms, nothing on stderr"
	else
		bad "extcap: the fifo's reader left: exit $rc: $(cat "$tmp/err")"
	fi
fi
untun
# SIGTERM once frames reached the file (a new source: the first may be over)
tun --wait 0 --frames 40 --every 0.2 --hold 30
cat "$tmp/fifo" >"$tmp/ext2.pcap" &
reader=$!
"$bin" extcap --capture --extcap-interface "vsock-$dev" --fifo "$tmp/fifo" 2>"$tmp/err" &
cap=$!
waitfor 10 eval '[ "$(stat -c %s "$tmp/ext2.pcap" 2>/dev/null || echo 0)" -gt 24 ]'
kill -TERM $cap
wait $cap
rc=$?
wait $reader
frames=$(python3 - "$tmp/ext2.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
n, off = 0, 24
while off + 16 <= len(d):
    off += 16 + struct.unpack_from("<I", d, off + 8)[0]
    n += 1
print(n if d[:4] == b"\xd4\xc3\xb2\xa1" and off == len(d) else "bad")
PY
)
if [ $rc = 0 ] && [ ! -s "$tmp/err" ] && [ "$frames" -gt 0 ] 2>/dev/null; then
	ok "extcap: SIGTERM: exit 0, nothing on stderr, a whole pcap of $frames frames"
else
	bad "extcap: SIGTERM: exit $rc, frames '$frames': $(cat "$tmp/err")"
fi
untun

# 7. A pcapng file says what it is (capinfos, Wireshark's reader): the
#    machine (shb_os, shb_hardware), the program, the interface's
#    description and filter, and an Interface Statistics Block of the
#    counts at the end.
if command -v capinfos >/dev/null; then
	tun --go "$tmp/go" --frames 5 --hold 30
	"$bin" capture -i "$dev" --port 1000 -c 5 --pcapng -w "$tmp/meta.pcapng" 2>"$tmp/err" &
	cap=$!
	go
	waitfor 10 eval '! kill -0 $cap 2>/dev/null' || kill -INT $cap
	wait $cap
	rc=$?
	capinfos "$tmp/meta.pcapng" >"$tmp/info" 2>&1
	crc=$?
	want=("Capture oper-sys: *$(uname -s) $(uname -r)\$"
	      "Capture application: vsockmon-ctl "
	      "Description = all vsock traffic of this machine, through the vsockmon monitor $dev\$"
	      "Filter string = .*0xe8030000"
	      "Number of stat entries = 1\$"
	      "Number of packets = 5\$")
	miss=''
	for w in "${want[@]}"; do
		grep -E -- "$w" "$tmp/info" >/dev/null || miss+=" '$w'"
	done
	if [ $rc = 0 ] && [ $crc = 0 ] && [ -z "$miss" ]; then
		ok "pcapng metadata: OS, application, if_description, if_filter, one statistics block (capinfos)"
	else
		bad "pcapng metadata: capture exit $rc, capinfos exit $crc, missing$miss: $(tr '\n' '|' <"$tmp/info")"
	fi
	untun
else
	bad "pcapng metadata: capinfos (wireshark-common) is not installed"
fi

# 8. Frames that carry bytes beyond their virtio header's len (Linux
#    6.1.y's vhost tap bug): capture cuts them to it and says so, --raw
#    keeps them, top counts what the header states.
for raw in "" --raw; do
	tun --go "$tmp/go" --frames 5 --payload 100 --beyond 50 --hold 30
	# shellcheck disable=SC2086
	"$bin" capture -i "$dev" -c 5 $raw -w "$tmp/cut$raw.pcap" 2>"$tmp/err" &
	cap=$!
	go
	waitfor 10 eval '! kill -0 $cap 2>/dev/null' || kill -INT $cap
	wait $cap
	rc=$?
	lens=$(tcpdump -r "$tmp/cut$raw.pcap" -n 2>/dev/null | sed -n 's/.*length \([0-9]*\).*/\1/p' | sort -u | paste -sd' ')
	if [ -z "$raw" ]; then
		if [ $rc = 0 ] && [ "$lens" = 176 ] &&
		   grep -E '^5 frames carried 250 bytes beyond the length their virtio header states' "$tmp/err" >/dev/null; then
			ok "capture cuts 5 frames of 100 + 50 payload bytes to their header's 100 (frame length $lens) and says so"
		else
			bad "capture of frames longer than their header: exit $rc, lengths '$lens': $(tr '\n' '|' <"$tmp/err")"
		fi
	else
		if [ $rc = 0 ] && [ "$lens" = 226 ] && ! grep beyond "$tmp/err" >/dev/null; then
			ok "capture --raw keeps them as the kernel gave them (frame length $lens)"
		else
			bad "capture --raw: exit $rc, lengths '$lens': $(tr '\n' '|' <"$tmp/err")"
		fi
	fi
	untun
done
bytes=$("$bin" top -r "$tmp/cut--raw.pcap" --json 2>&1 | sed -n 's/^{"frames":[0-9]*,"bytes":\([0-9]*\),.*/\1/p')
if [ "$bytes" = 500 ]; then
	ok "top -r on the raw file counts the payload the headers state (500 bytes)"
else
	bad "top -r on the raw file: '$bytes' payload bytes, want 500"
fi

echo "live tun: $((n - fail)) passed, $fail failed, 0 skipped"
[ $fail = 0 ]
