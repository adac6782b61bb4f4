#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `vsockmon-ctl follow` against the truth and against Wireshark:
# 1. the synthetic HTTP capture of vsock_pcap.py (eight connections, some
#    at once, ports used again, one refused, one begun before the
#    capture): follow's streams, clients and byte counts are the
#    generator's; its numbering, first frames and counts are the
#    plugin's (tshark); each direction's bytes are what tshark's own vsock
#    dissector shows as payload; the same file as pcapng (editcap) gives
#    the same; -o writes those bytes, names the files, makes only new
#    files and follows no symlink.
# 2. a real relay: capture --uds --pcapng of a synthetic VMM that echoes
#    the guest port in OK (as vhost-device-vsock does), so that eight
#    concurrent connections share all four (cid, port) values: eight
#    streams in the plugin and in follow, each direction's bytes
#    sha256-equal to the file sent and to its echo; the classic pcap of
#    the same traffic cannot tell them apart (the documented limit).
# 3. bad input changes nothing and says why: another link type, a
#    truncated or damaged file, a stream that does not exist, frames cut
#    by the snapshot length.
# Needs python3 and tshark (editcap), else a counted skip.
# Usage: follow_streams.sh BINARY PLUGIN
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
plugin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
here=$(cd "$(dirname "$0")" && pwd)
peer="python3 $here/hybrid_peer.py"
pass=0 fail=0 skip=0
# shellcheck source=scratch.sh
. "$here/scratch.sh"
export VSOCKMON_RUN_DIR=$tmp/run

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		bad "$1: expected [$(echo "$2" | tr '\n' ' ')], got [$(echo "$3" | tr '\n' ' ')]"
	fi
}
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
done_() { echo "$pass passed, $fail failed, $skip skipped"; [ "$fail" = 0 ]; exit; }

for t in python3 tshark editcap; do
	if ! command -v $t >/dev/null; then
		skip=1
		echo "skip - follow: needs $t"
		done_
	fi
done
# shellcheck source=tshark_env.sh
. "$here/tshark_env.sh"
if [ -n "$tshark_env_why" ]; then
	skip=1
	echo "skip - follow: $tshark_env_why"
	done_
fi
tp() { ts -X lua_script:"$plugin" "$@"; }
sha() { sha256sum | cut -d' ' -f1; }
# streams FILE: "stream first fwd rev" per stream, from follow -j
streams() {
	"$bin" follow -r "$1" -j | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    print(s["stream"], s["first"], s["bytes_fwd"], s["bytes_rev"])'
}
# plugin_streams FILE: the same from the plugin (two passes for the
# totals; -R builds the first pass's trees, where the comments are read)
plugin_streams() {
	tp -2 -R frame -r "$1" -T fields -E separator=' ' -e vsockmon.stream \
		-e vsockmon.first -e vsockmon.bytes_fwd -e vsockmon.bytes_rev |
		sort -n -u
}
# payload FILE STREAM DIR: that direction's bytes as tshark's own vsock
# dissector shows them (hex), joined
payload() {
	tp -r "$1" -Y "vsockmon.stream == $2 && vsockmon.dir == $3 && vsock.payload" \
		-T fields -e vsock.payload | tr -d ':\n'
}

# --- 1. the synthetic capture -----------------------------------------
cap=$tmp/http.pcap
python3 "$here/vsock_pcap.py" "$cap" "$tmp/expect" || { bad "vsock_pcap.py wrote no capture"; done_; }
want=$(sed -n 's/^stream \([0-9]*\) fwd \([0-9]*\) rev \([0-9]*\)$/\1 \2 \3/p' "$tmp/expect")
eq "follow: every stream and its bytes each way are the generator's" "$want" \
	"$(streams "$cap" | cut -d' ' -f1,3,4)"
eq "follow: stream numbers, first frames and byte counts are the plugin's" \
	"$(plugin_streams "$cap")" "$(streams "$cap")"
eq "follow: the list names the clients (7 began before the capture: ?)" \
	"3:1025 3:1026 3:1027 3:1025 3:1028 3:1028 3:1029 2:8080?" \
	"$("$bin" follow -r "$cap" | awk 'NR > 1 { print $2 }' | tr '\n' ' ' | sed 's/ $//')"
same=0 n=0
for s in 0 1 2 3 5 6 7; do
	for d in 0 1; do
		n=$((n + 1))
		if [ $d = 0 ]; then
			got=$("$bin" follow -r "$cap" --stream $s | od -An -tx1 -v | tr -d ' \n')
		else
			got=$("$bin" follow -r "$cap" --stream $s --reply | od -An -tx1 -v | tr -d ' \n')
		fi
		[ -n "$got" ] && [ "$got" = "$(payload "$cap" $s $d)" ] && same=$((same + 1))
	done
done
eq "follow --stream [--reply]: each direction is the payload tshark shows" "$n" "$same"
"$bin" follow -r "$cap" --stream 2 >"$tmp/s2.req"
check "follow --stream 2: the request split over two frames, whole" \
	'[ "$(cat "$tmp/s2.req")" = "$(printf "GET /three HTTP/1.1\r\nHost: vsock\r\n\r\n")" ]'
editcap -F pcapng "$cap" "$tmp/http.pcapng" 2>/dev/null
eq "follow: the same file as pcapng (written by editcap) gives the same" \
	"$(streams "$cap")" "$(streams "$tmp/http.pcapng")"
"$bin" follow -r - -j <"$tmp/http.pcapng" >"$tmp/stdin.json"
check "follow -r -: reads standard input" \
	'[ "$("$bin" follow -r "$cap" -j)" = "$(cat "$tmp/stdin.json")" ]'

"$bin" follow -r "$cap" -o "$tmp/flows" 2>"$tmp/o.err"
check "follow -o: exit 0 and a summary" '[ $? = 0 ] && grep -x "8 streams, 14 files in $tmp/flows" "$tmp/o.err" >/dev/null'
check "follow -o: files named STREAM-CID.PORT-CID.PORT, the sender first" \
	'[ -f "$tmp/flows/2-3.1027-2.8080" ] && [ -f "$tmp/flows/2-2.8080-3.1027" ] && [ ! -e "$tmp/flows/4-3.1028-2.8080" ]'
check "follow -o: a file holds what --stream writes" \
	'cmp -s "$tmp/flows/2-3.1027-2.8080" "$tmp/s2.req"'
before=$(sha <"$tmp/flows/2-3.1027-2.8080")
"$bin" follow -r "$cap" -o "$tmp/flows" 2>"$tmp/o2.err"
check "follow -o: an existing file is an error, left as it was" \
	'[ $? = 1 ] && grep "File exists (follow makes new files only)" "$tmp/o2.err" >/dev/null && [ "$(sha <"$tmp/flows/2-3.1027-2.8080")" = "$before" ]'
mkdir "$tmp/trap"
: >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/trap/0-3.1025-2.8080"
"$bin" follow -r "$cap" -o "$tmp/trap" 2>"$tmp/o3.err"
check "follow -o: a planted symlink is not followed" \
	'[ $? = 1 ] && [ ! -s "$tmp/victim" ] && grep "0-3.1025-2.8080" "$tmp/o3.err" >/dev/null'

# --- 2. a real relay: concurrent connections with the same ends -------
vm=$tmp/vm.sock
$peer vmm "$vm" 7100 >"$tmp/vmm.out" 2>&1 &
pids+=($!)
for i in $(seq 50); do grep ready "$tmp/vmm.out" >/dev/null 2>&1 && break; sleep 0.1; done
files=()
for i in 1 2 3 4 5 6 7 8; do
	head -c $((20000 + i * 3000)) /dev/urandom >"$tmp/in$i"
	files+=("$tmp/in$i")
done
sent=$(for f in "${files[@]}"; do sha <"$f"; done | sort)
# relay PCAPNG_FLAG OUT: one capture of the eight connections
relay() {
	local c i
	"$bin" capture --uds "$vm" --guest-cid 3 $1 -w "$2" 2>"$tmp/cap.err" &
	c=$!
	for i in $(seq 50); do grep capturing "$tmp/cap.err" >/dev/null 2>&1 && break; sleep 0.1; done
	$peer parallel "$vm" 7100 "${files[@]}" >"$tmp/par.out" 2>&1
	kill -INT "$c"
	wait "$c"
}
relay --pcapng "$tmp/conc.pcapng"
check "8 concurrent connections through the relay are byte-exact" \
	'[ "$(grep -c "^sha=\([0-9a-f]*\) echo=\1 " "$tmp/par.out")" = 8 ]'
check "they share all four values: 2:4294967295 -> 3:7100" \
	'[ "$("$bin" follow -r "$tmp/conc.pcapng" | awk "NR > 1 { print \$2, \$3 }" | sort -u)" = "2:4294967295 3:7100" ]'
eq "pcapng: each frame names its connection (8 names)" "8" \
	"$(tp -r "$tmp/conc.pcapng" -T fields -e frame.comment | sort -u | wc -l)"
eq "plugin: vsockmon.conn names the 8 relayed connections, 1 to 8" "1 2 3 4 5 6 7 8" \
	"$(tp -r "$tmp/conc.pcapng" -T fields -e vsockmon.conn | sort -n -u | tr '\n' ' ' | sed 's/ $//')"
eq "plugin: 8 distinct vsockmon.stream values" "8" \
	"$(tp -r "$tmp/conc.pcapng" -T fields -e vsockmon.stream | sort -u | wc -l)"
eq "follow: the plugin's numbering, first frames and counts" \
	"$(plugin_streams "$tmp/conc.pcapng")" "$(streams "$tmp/conc.pcapng")"
eq "plugin, tshark -2 without -R: the same numbers (found again in pass 2)" \
	"$(streams "$tmp/conc.pcapng" | cut -d' ' -f1,2)" \
	"$(tp -2 -r "$tmp/conc.pcapng" -T fields -E separator=' ' -e vsockmon.stream -e vsockmon.first | sort -n -u)"
"$bin" follow -r "$tmp/conc.pcapng" -o "$tmp/conc" 2>/dev/null
eq "follow -o: the 8 bodies sent, sha256-equal" "$sent" \
	"$(for f in "$tmp"/conc/*-2.4294967295-3.7100; do sha <"$f"; done | sort)"
eq "follow -o: the 8 echoes, sha256-equal" "$sent" \
	"$(for f in "$tmp"/conc/*-3.7100-2.4294967295; do sha <"$f"; done | sort)"
relay "" "$tmp/conc.pcap"
"$bin" follow -r "$tmp/conc.pcap" -o "$tmp/classic" 2>/dev/null
check "classic pcap (no comments) cannot tell them apart: bodies mixed" \
	'[ "$(for f in "$tmp"/classic/*-2.4294967295-3.7100; do sha <"$f"; done | sort)" != "$sent" ]'

# --- 3. bad input --------------------------------------------------------
printf '\324\303\262\241\2\0\4\0\0\0\0\0\0\0\0\0\377\377\0\0\1\0\0\0' >"$tmp/ether.pcap"
"$bin" follow -r "$tmp/ether.pcap" >"$tmp/e.out" 2>"$tmp/e.err"
check "another link type is refused, named" \
	'[ $? = 1 ] && [ ! -s "$tmp/e.out" ] && grep "link type 1, not LINKTYPE_VSOCK (271)" "$tmp/e.err" >/dev/null'
head -c 1000 "$cap" >"$tmp/cut.pcap"
"$bin" follow -r "$tmp/cut.pcap" >"$tmp/t.out" 2>"$tmp/t.err"
check "a truncated file: exit 1, what and where" \
	'[ $? = 1 ] && grep "truncated .*, after frame [0-9]" "$tmp/t.err" >/dev/null'
cp "$tmp/http.pcapng" "$tmp/bad.pcapng"
printf '\377\377\377\177' | dd of="$tmp/bad.pcapng" bs=1 seek=4 conv=notrunc 2>/dev/null
"$bin" follow -r "$tmp/bad.pcapng" 2>"$tmp/b.err" >/dev/null
check "a damaged block length: exit 1, not pcapng" \
	'[ $? = 1 ] && grep "not pcapng" "$tmp/b.err" >/dev/null'
"$bin" follow -r "$cap" --stream 8 >"$tmp/n.out" 2>"$tmp/n.err"
check "a stream that does not exist: exit 1, how many there are" \
	'[ $? = 1 ] && grep "no stream 8 (it has 8, from 0)" "$tmp/n.err" >/dev/null'
editcap -s 100 "$cap" "$tmp/snap.pcap" 2>/dev/null
"$bin" follow -r "$tmp/snap.pcap" --stream 2 --reply >"$tmp/g.out" 2>"$tmp/g.err"
# the response of stream 2 (82 bytes) came in two frames: 24 + 20 kept
check "frames cut by the snapshot length: the captured bytes, the gap reported" \
	'[ $? = 1 ] && [ "$(wc -c <"$tmp/g.out")" = 44 ] && grep "38 bytes were not captured" "$tmp/g.err" >/dev/null'
editcap -s 60 "$cap" "$tmp/hdrs.pcap" 2>/dev/null
"$bin" follow -r "$tmp/hdrs.pcap" -o "$tmp/hdrs" 2>"$tmp/h.err"
check "-o, every payload lost with the headers cut: exit 1, the gap reported" \
	'[ $? = 1 ] && grep "bytes were not captured" "$tmp/h.err" >/dev/null && [ -z "$(ls "$tmp/hdrs")" ]'
"$bin" follow -r "$cap" --stream 1 -o "$tmp/x" 2>/dev/null
check "--stream with -o is a usage error, nothing made" '[ $? = 2 ] && [ ! -e "$tmp/x" ]'
done_
