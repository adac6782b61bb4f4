#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A capture file written to a pipe reaches its reader frame by frame, as
# `capture -w - | wireshark -k -i -` and `ssh host vsockmon-ctl capture -w -`
# need, and -U does the same for a plain file (tcpdump -U). Frames come
# from a TUN device switched to ARPHRD_VSOCKMON (tunvsock.py), slowly, and
# the capture keeps running while the reader's copy is judged. Needs root
# and /dev/net/tun (else every check is a counted skip).
# Usage: live_pipe.sh BINARY
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
dev=vsmpipe$$
dev=${dev:0:15}
# shellcheck source=scratch.sh
. "$(dirname "$0")/scratch.sh"

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
cases=("-w - (pcap into a pipe)" "--pcapng -w - (into a pipe)" "-U -w FILE")

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] ||
   ! command -v python3 >/dev/null || ! command -v tcpdump >/dev/null; then
	for c in "${cases[@]}"; do
		skip=$((skip + 1))
		echo "skip - capture $c: needs root, /dev/net/tun, python3, tcpdump"
	done
	echo "$pass passed, $fail failed, $skip skipped"
	exit 0
fi

# frames FILE: how many frames a reader can take from FILE so far
frames() { tcpdump -nr "$1" 2>/dev/null | wc -l; }

# judge NAME ARGS...: capture with ARGS into $tmp/out (the last word says
# how), 3 frames 0.3 s apart, and the reader must hold all 3 while the
# capture still runs (no -c, the source holds for 30 s)
judge() {
	local name=$1 how=$2 i n=0 cap
	shift 2
	rm -f "$tmp/out" "$tmp/err" "$tmp/ready" "$tmp/go"
	python3 "$here/tunvsock.py" "$dev" --ready "$tmp/ready" --go "$tmp/go" \
		--frames 3 --every 0.3 --hold 30 &
	pids+=($!)
	for i in $(seq 300); do [ -e "$tmp/ready" ] && break; sleep 0.02; done
	if [ "$how" = pipe ]; then
		"$bin" capture -i "$dev" "$@" 2>"$tmp/err" | cat >"$tmp/out" &
	else
		"$bin" capture -i "$dev" "$@" 2>"$tmp/err" &
	fi
	cap=$!
	pids+=($cap)
	for i in $(seq 500); do
		grep "capturing on" "$tmp/err" >/dev/null 2>&1 && break
		sleep 0.02
	done
	touch "$tmp/go"
	for i in $(seq 500); do
		n=$(frames "$tmp/out")
		[ "$n" -ge 3 ] && break
		sleep 0.02
	done
	if [ "$n" -ge 3 ] && kill -0 $cap 2>/dev/null; then
		ok "capture $name: the reader has all 3 frames while the capture runs"
	else
		bad "capture $name: the reader has $n of 3 frames after 10 s" \
			"(capture $(kill -0 $cap 2>/dev/null && echo running || echo gone)):" \
			"$(cat "$tmp/err")"
	fi
	kill -INT $cap 2>/dev/null
	kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	pids=()
	while ip link show "$dev" >/dev/null 2>&1; do sleep 0.05; done
}

judge "${cases[0]}" pipe -w -
judge "${cases[1]}" pipe --pcapng -w -
judge "${cases[2]}" file -U -w "$tmp/out"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
