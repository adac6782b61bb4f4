#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capture --uds run by root against a hostile VMM user (issue 22): the
# VMM, the racer and the planter run as uid 65534 (setpriv); root captures.
# Then what the relay owes every connection: a one-sided close loses no
# byte, connections queued at the stop are relayed, out of descriptors it
# does not spin, a stalled upstream stalls nobody else, frames come in
# protocol order, an error about one name is told once.
# Root only (else it says it skipped and counts nothing).
# Usage: hybrid_attacks.sh BINARY
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
fail=0 n=0 skip=0

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
   ! command -v python3 >/dev/null || ! command -v "${CC:-cc}" >/dev/null; then
	echo "hybrid attacks: skipped (needs root, setpriv, python3 and a C compiler)"
	exit 0
fi
# shellcheck source=scratch.sh
. "$(dirname "$0")/scratch.sh"
chmod 0711 "$tmp"
install -m 0644 "$here/hybrid_peer.py" "$tmp/peer.py"
peer="python3 $tmp/peer.py"
# the VMM user's python: one it may run (not a shim in root's home)
vpy=
for p in /usr/bin/python3 /usr/local/bin/python3 "$(command -v python3)"; do
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$p" -c pass 2>/dev/null; then
		vpy=$p
		break
	fi
done
if [ -z "$vpy" ]; then
	echo "not ok - no python3 that uid 65534 may run"
	exit 1
fi
vpeer="$vpy $tmp/peer.py"
export VSOCKMON_RUN_DIR=$tmp/run

ok() { n=$((n + 1)); echo "ok - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
as_vmm() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
ino() { stat -c %i "$1" 2>/dev/null; }
# wait_for FILE TEXT: up to 10 s for TEXT to show in FILE
wait_for() {
	local i
	for i in $(seq 100); do
		grep -- "$2" "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# CPU ticks (user + system) a process has used
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

jail=$tmp/jail
mkdir -m 0755 "$jail"
chown 65534:65534 "$jail"
vmm=
# the VMM user's VMM at $jail/vm.sock, (re)started: $vmm, $vm_ino
start_vmm() {
	[ -n "$vmm" ] && kill "$vmm" 2>/dev/null && wait "$vmm" 2>/dev/null
	as_vmm rm -f "$jail/.vm.sock.vsockmon-orig"
	as_vmm $vpeer vmm "$jail/vm.sock" >"$tmp/vmm.out" 2>&1 &
	vmm=$!
	pids+=("$vmm")
	wait_for "$tmp/vmm.out" ready
	vm_ino=$(ino "$jail/vm.sock")
}
# capture on $1 in the background: $cap; stderr in $tmp/cap.err
start_cap() {
	"$bin" capture --uds "$1" --guest-cid 3 -w "${2:-/dev/null}" 2>"$tmp/cap.err" &
	cap=$!
	pids+=("$cap")
	wait_for "$tmp/cap.err" capturing
}
stop_cap() { kill -INT "$cap"; wait "$cap"; }

# 1. the hidden name swapped for a symlink to a root-only socket
mkdir -m 0700 "$tmp/secret"
$peer secret "$tmp/secret/root.sock" "$tmp/secret.log" >"$tmp/secret.out" 2>&1 &
pids+=($!)
wait_for "$tmp/secret.out" ready
start_vmm
start_cap "$jail/vm.sock"
check "the relay runs as the VMM socket's owner, no other group" \
	'grep -E "^Uid:\s+65534\s+65534\s+65534\s+65534$" /proc/$cap/status >/dev/null && grep -E "^Groups:\s*(65534)?\s*$" /proc/$cap/status >/dev/null'
check "... and that user cannot reach into it (not dumpable: no /proc/PID/fd)" \
	'! as_vmm ls "/proc/$cap/fd" >/dev/null 2>&1 && [ "$(stat -c %u "/proc/$cap/fd")" = 0 ]'
as_vmm $vpeer ask "$tmp/secret/root.sock" 1 >"$tmp/direct-ask.out" 2>&1
check "(the VMM user cannot reach root's socket itself)" \
	'! grep SECRET "$tmp/direct-ask.out" >/dev/null && [ ! -s "$tmp/secret.log" ]'
as_vmm sh -c "rm -f '$jail/.vm.sock.vsockmon-orig' && ln -s '$tmp/secret/root.sock' '$jail/.vm.sock.vsockmon-orig'"
as_vmm $vpeer ask "$jail/vm.sock" 5000 >"$tmp/ask.out" 2>&1
check "hidden name swapped for a symlink: root's socket is never connected" \
	'[ ! -s "$tmp/secret.log" ] && ! grep SECRET "$tmp/ask.out" >/dev/null'
check "... the connection still reaches the VMM it was taken from" \
	'grep "got=b.OK 1073741824" "$tmp/ask.out" >/dev/null'
stop_cap
check "... and the stop leaves the swapped name alone, saying so" \
	'[ -L "$jail/.vm.sock.vsockmon-orig" ] && grep "not the original any more" "$tmp/cap.err" >/dev/null'

# 2. the inotify racer swaps our new listener's name for a symlink to a
# root-only file: its mode and owner must not change in 100 raced starts
"${CC:-cc}" -O2 -D_GNU_SOURCE -o "$tmp/racer" "$here/hybrid_racer.c"
printf 'root only\n' >"$tmp/target"
chmod 0600 "$tmp/target"
start_vmm
as_vmm $tmp/racer "$jail" "$tmp/target" "$jail/.racer-count" >"$tmp/racer.out" 2>&1 &
racer=$!
pids+=("$racer")
wait_for "$tmp/racer.out" ready
starts=0
while [ $starts -lt 100 ]; do
	# a won swap leaves the VMM without its name: a new VMM
	[ "$(ino "$jail/vm.sock")" = "$vm_ino" ] || start_vmm
	as_vmm chmod 04777 "$jail/vm.sock"
	"$bin" capture --uds "$jail/vm.sock" --guest-cid 3 --duration 0.01 -q \
		-w /dev/null 2>>"$tmp/race.err"
	starts=$((starts + 1))
	[ "$(stat -c %a:%u "$tmp/target")" = 600:0 ] || break
done
kill "$racer"
echo "# $starts capture starts raced, $(cat "$jail/.racer-count" 2>/dev/null || echo 0) swaps won by the racer"
check "inotify racer: 100 raced starts, the root-only file keeps mode 0600 and owner root" \
	'[ $starts = 100 ] && [ "$(stat -c %a:%u "$tmp/target")" = 600:0 ]'

# 3. state directories planted by someone else
start_vmm
mkdir -m 0700 "$tmp/userrun"
chown 65534:65534 "$tmp/userrun"
printf 'keep\n' >"$tmp/precious"
# plant UID DIR TARGET: as UID, PID.state symlinks to TARGET in DIR for
# the next 400 pids (in one process, so that they stay the next)
plant() {
	setpriv --reuid="$1" --regid="$1" --clear-groups $vpy -c 'import os, sys
last = int(open("/proc/sys/kernel/ns_last_pid").read())
for p in range(last + 1, last + 400):
    os.symlink(sys.argv[2], "%s/%d.state" % (sys.argv[1], p))' "$2" "$3"
}
plant 65534 "$tmp/userrun" "$tmp/precious"
VSOCKMON_RUN_DIR=$tmp/userrun "$bin" capture --uds "$jail/vm.sock" --guest-cid 3 \
	--duration 0.2 -q -w /dev/null 2>"$tmp/plant.err"
check "root refuses a user's state directory (VSOCKMON_RUN_DIR under sudo -E)" \
	'[ $? = 1 ] && grep "refusing it" "$tmp/plant.err" >/dev/null'
check "... and no file a planted PID.state names is truncated" \
	'[ "$(cat "$tmp/precious")" = keep ]'
# another user (65533) lays out the VMM user's fallback directory first
mkdir -m 1777 "$tmp/shared"
setpriv --reuid=65533 --regid=65533 --clear-groups \
	mkdir -m 0755 "$tmp/shared/vsockmon-hybrid-65534"
as_vmm sh -c "printf 'mine\n' >'$jail/notes'"
plant 65533 "$tmp/shared/vsockmon-hybrid-65534" "$jail/notes"
VSOCKMON_RUN_DIR=$tmp/shared/vsockmon-hybrid-65534 as_vmm "$bin" capture \
	--uds "$jail/vm.sock" --guest-cid 3 --duration 0.2 -q -w /dev/null 2>"$tmp/plant2.err"
check "a user refuses a state directory another user made" \
	'[ $? = 1 ] && grep "refusing it" "$tmp/plant2.err" >/dev/null && [ "$(cat "$jail/notes")" = mine ]'
check "nothing of the refused captures is left in the VMM's directory" \
	'[ "$(ino "$jail/vm.sock")" = "$vm_ino" ] && [ "$(find "$jail" -name "*vsockmon*" | wc -l)" = 0 ]'

# 4. one-sided close: the host sends 400000 bytes and closes at once, the
# VMM answers and reads on; through the capture it reads what it would
# directly
mkdir "$tmp/oc"
oneside() {	# oneside PATH CAPTURE(0/1): the VMM's count in $tmp/oc.n
	rm -f "$tmp/oc.flag"
	$peer answer "$1" "$tmp/oc.n" "$tmp/oc.flag" >"$tmp/oc.out" 2>&1 &
	local a=$!
	wait_for "$tmp/oc.out" ready
	[ "$2" = 1 ] && start_cap "$1"
	$peer blast "$1" 5000 400000 "$tmp/oc.flag"
	wait "$a"
	[ "$2" = 1 ] && stop_cap
}
oneside "$tmp/oc/a.sock" 0
direct=$(cat "$tmp/oc.n")
oneside "$tmp/oc/b.sock" 1
relayed=$(cat "$tmp/oc.n")
echo "# one-sided close: direct $direct, through the capture $relayed"
check "one-sided close: the VMM reads every byte, as directly" \
	'[ "$direct" = n=400000 ] && [ "$relayed" = "$direct" ]'

# 5. connections queued when the capture stops are all relayed
mkdir "$tmp/q"
$peer vmm "$tmp/q/vm.sock" >"$tmp/q.out" 2>&1 &
pids+=($!)
wait_for "$tmp/q.out" ready
start_cap "$tmp/q/vm.sock"
kill -STOP "$cap"
mkfifo "$tmp/go"
$peer many "$tmp/q/vm.sock" 20 5200 <"$tmp/go" >"$tmp/many.out" 2>&1 &
many=$!
exec 7>"$tmp/go"
wait_for "$tmp/many.out" connected
kill -INT "$cap"
kill -CONT "$cap"
wait "$cap"
echo go >&7
exec 7>&-
wait "$many"
check "20 connections queued at the stop: every one gets OK and its echo" \
	'grep -x "served=20" "$tmp/many.out" >/dev/null && grep "20 connections still open: relayed by pid" "$tmp/cap.err" >/dev/null'

# 6. out of descriptors (ulimit -n 64): no spinning, and all are served
# once others end
mkdir "$tmp/e"
$peer vmm "$tmp/e/vm.sock" >"$tmp/e.out" 2>&1 &
pids+=($!)
wait_for "$tmp/e.out" ready
bash -c 'ulimit -n 64 && exec "$@"' sh "$bin" capture --uds "$tmp/e/vm.sock" \
	--guest-cid 3 -w /dev/null 2>"$tmp/cap.err" &
cap=$!
pids+=("$cap")
wait_for "$tmp/cap.err" capturing
rm -f "$tmp/go" && mkfifo "$tmp/go"
$peer many "$tmp/e/vm.sock" 40 5300 <"$tmp/go" >"$tmp/many.out" 2>&1 &
many=$!
exec 7>"$tmp/go"
wait_for "$tmp/many.out" connected
t0=$(ticks "$cap")
sleep 1		# the window measured, not a wait for something
t1=$(ticks "$cap")
echo go >&7
exec 7>&-
wait "$many"
stop_cap
echo "# out of descriptors: $((t1 - t0)) ticks of CPU in 1 s with 40 connections for room for about 25"
check "EMFILE: the capture does not spin (under 10 % of a CPU)" '[ $((t1 - t0)) -lt 10 ]'
check "EMFILE: all 40 connections are served once others end" \
	'grep -x "served=40" "$tmp/many.out" >/dev/null'

# 7. a host program that never accepts stalls nobody else
mkdir "$tmp/s"
$peer vmm "$tmp/s/vm.sock" >"$tmp/s.out" 2>&1 &
pids+=($!)
wait_for "$tmp/s.out" ready
start_cap "$tmp/s/vm.sock"
$peer stalled "$tmp/s/vm.sock_7000" >"$tmp/st.out" 2>&1 &
pids+=($!)
wait_for "$tmp/st.out" ready
for i in $(seq 50); do
	[ -S "$tmp/s/.vm.sock_7000.vsockmon-orig" ] && break
	sleep 0.1
done
$peer pingpong "$tmp/s/vm.sock" 3 >"$tmp/pp.out" 2>&1 &
pp=$!
wait_for "$tmp/pp.out" ready
$peer hold "$tmp/s/vm.sock_7000" 4 >"$tmp/hold.out" 2>&1 &
pids+=($!)
wait "$pp"
stop_cap
echo "# stalled upstream: $(cat "$tmp/pp.out" | tr '\n' ' ')"
check "a stalled upstream: another connection's worst round trip stays under 1 s" \
	'[ -n "$(sed -n "s/^worst=\(0\.[0-9]*\) .*/\1/p" "$tmp/pp.out")" ]'

# 8. frames in protocol order: payload sent with the CONNECT line, before
# the OK, is recorded after the CONNECT frame, with both ports
head -c 100000 /dev/urandom >"$tmp/e.bin"
start_cap "$tmp/q/vm.sock" "$tmp/order.pcap"
$peer eager "$tmp/q/vm.sock" 5400 "$tmp/e.bin" >"$tmp/eager.out" 2>&1
stop_cap
$peer frames "$tmp/order.pcap" >"$tmp/order" 2>&1
sed 's/^/# /' "$tmp/order" | sed -n 1,4p
check "payload before the OK: CONNECT first, then payload with both ports" \
	'[ "$(sed -n 1p "$tmp/order")" = "2:1073741824 3:5400 connect 0" ] && grep -x "n=100000" "$tmp/eager.out" >/dev/null && ! grep 4294967295 "$tmp/order" >/dev/null'

# 9. a symlink PATH_P to a listening socket is no candidate, and is not
# complained about ten times a second
start_vmm
as_vmm ln -s "$tmp/q/vm.sock" "$jail/vm.sock_9"
"$bin" capture --uds "$jail/vm.sock" --guest-cid 3 --duration 1 -q \
	-w /dev/null 2>"$tmp/once.err"
check "an error about one name is told at most once" \
	'[ "$(grep -c "vm.sock_9" "$tmp/once.err")" -le 1 ]'

# 10. a sticky world-writable directory (vhost-device-vsock's /tmp/vm.vsock):
# any user lays out a PATH_P, the capture (root, a root VMM: no drop)
# takes it over, the user swaps its hidden name for a symlink to a
# root-only socket and connects. Only where symlinks in sticky directories
# are followed (fs.protected_symlinks=0, read here, never changed).
if [ "$(cat /proc/sys/fs/protected_symlinks)" = 0 ]; then
	mkdir -m 1777 "$tmp/sticky"
	$peer vmm "$tmp/sticky/vm.sock" >"$tmp/sv.out" 2>&1 &
	pids+=($!)
	wait_for "$tmp/sv.out" ready
	as_vmm $vpeer sink "$tmp/sticky/vm.sock_7777" "$tmp/sticky/got" >"$tmp/ss.out" 2>&1 &
	pids+=($!)
	wait_for "$tmp/ss.out" ready
	: >"$tmp/secret.log"
	start_cap "$tmp/sticky/vm.sock"
	for i in $(seq 50); do
		[ -S "$tmp/sticky/.vm.sock_7777.vsockmon-orig" ] && break
		sleep 0.1
	done
	as_vmm sh -c "rm -f '$tmp/sticky/.vm.sock_7777.vsockmon-orig' && ln -s '$tmp/secret/root.sock' '$tmp/sticky/.vm.sock_7777.vsockmon-orig'"
	as_vmm $vpeer ask "$tmp/sticky/vm.sock_7777" 1 >"$tmp/sask.out" 2>&1
	stop_cap
	check "sticky directory: a user's PATH_P with a symlinked hidden name never reaches root's socket" \
		'[ -L "$tmp/sticky/.vm.sock_7777.vsockmon-orig" ] && [ ! -s "$tmp/secret.log" ] && ! grep SECRET "$tmp/sask.out" >/dev/null'
else
	skip=$((skip + 1))
	echo "skip - sticky directory symlink swap: fs.protected_symlinks is not 0 here (run it where it is)"
fi

echo "$((n - fail)) passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
