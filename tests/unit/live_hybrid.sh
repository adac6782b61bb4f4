#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capture --uds against a synthetic hybrid vsock VMM (hybrid_peer.py) on
# this host: both directions byte-exact and in the pcap, PATH_P listeners
# that appear while it runs, connections that predate or outlive it, a
# SIGKILL repaired by down --stale, refusals that change nothing. Seconds;
# no root needed. The real VMM (vhost-device-vsock and a QEMU guest) is
# tests/vm/hybrid. Usage: live_hybrid.sh BINARY
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
peer="python3 $(cd "$(dirname "$0")" && pwd)/hybrid_peer.py"
fail=0 n=0
# shellcheck source=scratch.sh
. "$(dirname "$0")/scratch.sh"
export VSOCKMON_RUN_DIR=$tmp/run

if ! command -v python3 >/dev/null; then
	echo "live hybrid: skipped (needs python3)"
	exit 0
fi

ok() { n=$((n + 1)); echo "ok - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
ino() { stat -c %i "$1" 2>/dev/null; }
# wait_for FILE TEXT: up to 5 s for TEXT to show in FILE
wait_for() {
	local i
	for i in $(seq 50); do
		grep -- "$2" "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# taken P: up to 5 s for the capture to take over the new PATH_P listener
# (it looks every 0.1 s)
taken() {
	local i
	for i in $(seq 50); do
		[ -S "$tmp/.vm.sock_$1.vsockmon-orig" ] && return 0
		sleep 0.1
	done
	return 1
}
leftovers() { find "$tmp" -name '.*vsockmon-*' | wc -l; }

vm=$tmp/vm.sock
$peer vmm "$vm" >"$tmp/vmm.out" 2>&1 &
pids+=($!)
wait_for "$tmp/vmm.out" ready || { echo "not ok - synthetic VMM did not start"; exit 1; }
orig=$(ino "$vm")
head -c 400000 /dev/urandom >"$tmp/a.bin"
head -c 300000 /dev/urandom >"$tmp/b.bin"
want_a=$(sha256sum <"$tmp/a.bin" | cut -d' ' -f1)
want_b=$(sha256sum <"$tmp/b.bin" | cut -d' ' -f1)

# 1. a connection opened before the capture, sending on across it
$peer host "$vm" 7000 "$tmp/b.bin" 3 >"$tmp/pre.out" 2>&1 &
pre=$!
wait_for "$tmp/pre.out" half

# 2. both directions of a host-initiated connection, a guest-initiated
# one on a PATH_P that appears during the capture, and one carried past
# the stop
"$bin" capture --uds "$vm" --guest-cid 3 -w "$tmp/x.pcap" 2>"$tmp/cap.err" &
cap=$!
wait_for "$tmp/cap.err" capturing
check "capture: PATH is ours while it runs" '[ "$(ino "$vm")" != "$orig" ]'
$peer host "$vm" 5000 "$tmp/a.bin" >"$tmp/h.out" 2>&1
check "host->guest->host through the relay is byte-exact" \
	'grep -x "sha=$want_a echo=$want_a n=400000" "$tmp/h.out" >/dev/null'
timeout 20 $peer sink "${vm}_6000" "$tmp/g.recv" >"$tmp/sink.out" 2>&1 &
sink=$!
wait_for "$tmp/sink.out" ready
taken 6000
timeout 10 $peer guest "${vm}_6000" "$tmp/b.bin"
wait "$sink"
check "guest-initiated via a PATH_P that appeared: byte-exact" \
	'[ "$(sha256sum <"$tmp/g.recv" | cut -d" " -f1)" = "$want_b" ]'
$peer host "$vm" 5001 "$tmp/a.bin" 2 >"$tmp/during.out" 2>&1 &
during=$!
wait_for "$tmp/during.out" half
kill -INT "$cap"
wait "$cap"
check "capture ends 0 on SIGINT" '[ $? = 0 ]'
check "PATH is the VMM's socket again at once" '[ "$(ino "$vm")" = "$orig" ]'
check "PATH_P is the host program's again (no side names left)" '[ "$(leftovers)" = 0 ]'
check "the stop names the relay that carries the open connection" \
	'grep "1 connection still open: relayed by pid" "$tmp/cap.err" >/dev/null'
wait "$during"
check "a connection opened during the capture outlives it, byte-exact" \
	'grep -x "sha=$want_a echo=$want_a n=400000" "$tmp/during.out" >/dev/null'
wait "$pre"
check "a connection opened before the capture is untouched" \
	'grep -x "sha=$want_b echo=$want_b n=300000" "$tmp/pre.out" >/dev/null'

$peer pcap "$tmp/x.pcap" >"$tmp/flows" 2>&1
pcap_rc=$?
cat "$tmp/flows" | sed 's/^/# /'
check "pcap: host->guest payload of port 5000 is the file sent" \
	'grep "^2:1073741824 3:5000 payload transport=1 [0-9]* 400000 $want_a\$" "$tmp/flows" >/dev/null'
check "pcap: guest->host payload of port 5000 is the echo" \
	'grep "^3:5000 2:1073741824 payload transport=1 [0-9]* 400000 $want_a\$" "$tmp/flows" >/dev/null'
check "pcap: guest-initiated payload to 2:6000 (guest port unknown)" \
	'grep "^3:4294967295 2:6000 payload transport=1 [0-9]* 300000 $want_b\$" "$tmp/flows" >/dev/null'
check "pcap: one connect per connection" \
	'[ "$(grep -c " connect " "$tmp/flows")" = 3 ] && grep "^3:4294967295 2:6000 connect .* 1 0 " "$tmp/flows" >/dev/null'
check "pcap: a disconnect per direction of the finished connections" \
	'[ "$(grep -c " disconnect " "$tmp/flows")" -ge 3 ]'
check "pcap: nothing of the connection that predates the capture" \
	'[ $pcap_rc = 0 ] && [ -s "$tmp/flows" ] && ! grep ":7000 " "$tmp/flows" >/dev/null'

# 3. filters apply as to the kernel source
"$bin" capture --uds "$vm" --guest-cid 3 --port 5002 --op payload \
	-w "$tmp/f.pcap" 2>"$tmp/f.err" &
cap=$!
wait_for "$tmp/f.err" capturing
$peer host "$vm" 5003 "$tmp/b.bin" >/dev/null
$peer host "$vm" 5002 "$tmp/b.bin" >/dev/null
kill -INT "$cap"; wait "$cap"
$peer pcap "$tmp/f.pcap" >"$tmp/fflows" 2>&1
pcap_rc=$?
check "--port 5002 --op payload: only those frames" \
	'[ $pcap_rc = 0 ] && [ "$(cut -d" " -f3 "$tmp/fflows" | sort -u)" = payload ] && ! grep 5003 "$tmp/fflows" >/dev/null && [ "$(wc -l <"$tmp/fflows")" = 2 ]'

# 4. -c ends the capture and gives the names back
"$bin" capture --uds "$vm" --guest-cid 3 -c 2 >"$tmp/c.out" 2>"$tmp/c.err" &
cap=$!
wait_for "$tmp/c.err" capturing
$peer host "$vm" 5004 "$tmp/b.bin" >/dev/null
wait "$cap"
check "-c 2: two lines, then the path is back" \
	'[ "$(wc -l <"$tmp/c.out")" = 2 ] && [ "$(ino "$vm")" = "$orig" ]'
check "lines: NO_INFO connect from 2:1073741824 to 3:5004" \
	'grep "2:1073741824 > 3:5004" "$tmp/c.out" >/dev/null'

# 5. SIGKILL: the name stays ours and dead until down --stale
started() {	# a capture of the vm's path, in the background: $cap
	"$bin" capture --uds "$vm" --guest-cid 3 -w /dev/null 2>"$tmp/bg.err" &
	cap=$!
	wait_for "$tmp/bg.err" capturing
}
started
kill -KILL "$cap"; wait "$cap" 2>/dev/null
check "after SIGKILL the path is a dead stand-in" '[ "$(ino "$vm")" != "$orig" ]'
"$bin" down --stale >"$tmp/stale.out" 2>&1
check "down --stale repairs it" \
	'[ "$(ino "$vm")" = "$orig" ] && [ "$(leftovers)" = 0 ] && grep "repaired $vm" "$tmp/stale.out" >/dev/null'
$peer host "$vm" 5005 "$tmp/b.bin" >"$tmp/after.out" 2>&1
check "and the VMM answers on it again" \
	'grep -x "sha=$want_b echo=$want_b n=300000" "$tmp/after.out" >/dev/null'
timeout 20 $peer sink "${vm}_6100" "$tmp/k.recv" >"$tmp/ksink.out" 2>&1 &
ksink=$!
wait_for "$tmp/ksink.out" ready
kino=$(ino "${vm}_6100")
started
taken 6100
kill -KILL "$cap"; wait "$cap" 2>/dev/null
"$bin" capture --uds "$vm" --guest-cid 3 --duration 0.3 -q -w /dev/null 2>"$tmp/next.err"
check "the next capture on the path repairs a killed one's leftovers" \
	'[ "$(ino "$vm")" = "$orig" ] && [ "$(leftovers)" = 0 ] && grep "repaired" "$tmp/next.err" >/dev/null'
check "... its PATH_P listeners too" '[ "$(ino "${vm}_6100")" = "$kino" ]'
timeout 10 $peer guest "${vm}_6100" "$tmp/b.bin" 2>/dev/null
wait "$ksink"
check "and a guest connection reaches that listener again" \
	'[ "$(sha256sum <"$tmp/k.recv" | cut -d" " -f1)" = "$want_b" ]'

# 6. refusals change nothing
: >"$tmp/plain"
"$bin" capture --uds "$tmp/plain" --guest-cid 3 2>"$tmp/r1" >/dev/null
check "a regular file is refused" '[ $? = 1 ] && grep "not a Unix socket" "$tmp/r1" >/dev/null'
"$bin" capture --uds "$tmp/none" --guest-cid 3 2>"$tmp/r2" >/dev/null
check "a missing path is refused" '[ $? = 1 ] && grep "No such file" "$tmp/r2" >/dev/null'
started
"$bin" capture --uds "$vm" --guest-cid 3 2>"$tmp/r3" >/dev/null
check "a second capture on the same path is refused, naming the first" \
	'[ $? = 1 ] && grep "already interposed by the capture with pid $cap" "$tmp/r3" >/dev/null'
kill -TERM "$cap"; wait "$cap"
check "SIGTERM ends the first one cleanly" '[ $? = 0 ] && [ "$(ino "$vm")" = "$orig" ] && [ "$(leftovers)" = 0 ]'
"$bin" capture --uds "$vm" 2>"$tmp/r4" >/dev/null
check "--uds without --guest-cid is a usage error" '[ $? = 2 ] && grep "needs --guest-cid" "$tmp/r4" >/dev/null'
"$bin" capture --uds "$vm" --guest-cid 2 2>/dev/null >/dev/null
check "--guest-cid 2 (the host) is a usage error" '[ $? = 2 ]'
"$bin" capture --uds "$vm" --guest-cid 3 -B 8 2>/dev/null >/dev/null
check "-B with --uds is a usage error" '[ $? = 2 ]'
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 0755 "$tmp"
	mkdir -m 0700 "$tmp/run-nobody" && chown 65534:65534 "$tmp/run-nobody"
	VSOCKMON_RUN_DIR=$tmp/run-nobody setpriv --reuid 65534 --regid 65534 \
		--clear-groups "$bin" capture --uds "$vm" --guest-cid 3 2>"$tmp/r5" >/dev/null
	check "a user who may not rename in the directory is refused, told why" \
		'[ $? = 1 ] && grep "cannot give it a second name" "$tmp/r5" >/dev/null && grep "run as a user who may write there" "$tmp/r5" >/dev/null'
	chmod 0700 "$tmp"
fi
check "nothing changed by the refusals" '[ "$(ino "$vm")" = "$orig" ] && [ "$(leftovers)" = 0 ] && [ -f "$tmp/plain" ]'

echo "live hybrid: $((n - fail)) of $n passed"
[ "$fail" = 0 ]
