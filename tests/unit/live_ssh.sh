#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's remote recipes against a real sshd on loopback:
#   ssh HOST vsockmon-ctl capture ... -w - | reader
#   sshdump ... --remote-capture-command 'vsockmon-ctl capture ... -w -'
# (Wireshark's own ssh extcap). The remote capture is of a synthetic
# hybrid VMM (hybrid_peer.py), so no module or root is needed on the
# "remote" side: sshd, the VMM and the capture all run as nobody. Checked:
# a whole connection (CONNECT to both DISCONNECTs) reaches the local
# reader while the remote capture still runs; when the local side stops
# (the ssh client or sshdump killed, as Wireshark stops an extcap), the
# remote capture ends and gives the VMM its socket back.
#
# The sshd is openssh-server's binary unpacked by scripts/install-deps
# into /var/cache/vsockmon/sshd (installing the package would enable a
# system ssh service), run in a private mount namespace where nobody has
# a shell. Needs root, unshare, setpriv, ssh, python3 and that sshd, else
# each case is a counted skip. Usage: live_ssh.sh BINARY
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
sshd=${VSOCKMON_SSHD:-/var/cache/vsockmon/sshd/usr/sbin/sshd}
pass=0 fail=0 skip=0
# shellcheck source=scratch.sh
. "$here/scratch.sh"

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
cases=("ssh HOST capture -w - | reader" "sshdump --remote-capture-command")
skip_all() {
	local c
	for c in "${cases[@]}"; do
		skip=$((skip + 1))
		echo "skip - $c: $1"
	done
	echo "$pass passed, $fail failed, $skip skipped"
	exit 0
}
# wait_for FILE PATTERN [TENTHS]: up to TENTHS/10 s (default 10 s)
wait_for() {
	local i
	for i in $(seq "${3:-100}"); do
		grep -- "$2" "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

[ "$(id -u)" = 0 ] || skip_all "needs root (sshd as nobody in a private mount namespace)"
for t in unshare setpriv ssh ssh-keygen python3; do
	command -v $t >/dev/null || skip_all "needs $t"
done
# nobody runs the system's python, not one of root's (pyenv)
[ -x /usr/bin/python3 ] || skip_all "needs /usr/bin/python3"
[ -x "$sshd" ] || skip_all "no sshd at $sshd (scripts/install-deps test unpacks it)"
extcap=$(tshark -G folders 2>/dev/null | sed -n 's/^Extcap path:[[:space:]]*//p')
sshdump=$extcap/sshdump

# the "remote" side: everything nobody may read, a directory nobody owns
chmod 755 "$tmp"
cp "$bin" "$tmp/vsockmon-ctl"
cp "$here/hybrid_peer.py" "$tmp/"
mkdir -m 755 "$tmp/ssh"
mkdir "$tmp/vm" && chown 65534:65534 "$tmp/vm"
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }

ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/host" -C vsockmon-test
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/user" -C vsockmon-test
chown 65534 "$tmp/ssh/host"
cp "$tmp/ssh/user.pub" "$tmp/ssh/authorized_keys"
chmod 644 "$tmp/ssh/authorized_keys"
# nobody gets a shell and an unlocked account, in this namespace only
sed 's#^nobody:[^:]*:\(.*\):[^:]*$#nobody:x:\1:/bin/sh#' /etc/passwd >"$tmp/ssh/passwd"
sed 's#^nobody:[^:]*:#nobody:NP:#' /etc/shadow >"$tmp/ssh/shadow"
chmod 644 "$tmp/ssh/passwd" "$tmp/ssh/shadow"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/ssh/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $tmp/ssh/host
AuthorizedKeysFile $tmp/ssh/authorized_keys
StrictModes no
PidFile none
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
EOF
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m sh -c 'mount --bind "$1/passwd" /etc/passwd &&
	mount --bind "$1/shadow" /etc/shadow && shift &&
	exec setpriv --reuid 65534 --regid 65534 --clear-groups "$@"' \
	sh "$tmp/ssh" "$sshd" -D -e -f "$tmp/ssh/sshd_config" >"$tmp/sshd.log" 2>&1 &
pids+=($!)
wait_for "$tmp/sshd.log" "Server listening" ||
	skip_all "sshd did not start: $(sed -n 1p "$tmp/sshd.log")"
ssh_opts=(-F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no
	  -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -i "$tmp/ssh/user"
	  -p "$port")

as_nobody /usr/bin/python3 "$tmp/hybrid_peer.py" vmm "$tmp/vm/vm.sock" >"$tmp/vmm.out" 2>&1 &
pids+=($!)
wait_for "$tmp/vmm.out" ready || { bad "the synthetic VMM did not start: $(tail -n 1 "$tmp/vmm.out")"; skip_all "no VMM"; }
orig=$(stat -c %i "$tmp/vm/vm.sock")
head -c 3000 /dev/urandom >"$tmp/data"
remote="VSOCKMON_RUN_DIR=$tmp/vm/run $tmp/vsockmon-ctl capture --uds $tmp/vm/vm.sock --guest-cid 3 -w -"

# judge NAME OUT PID: one connection through the VMM; the local copy OUT
# must hold all of it while the remote capture runs; then PID (the local
# side) is stopped and the remote capture must give the socket back
judge() {
	local name=$1 out=$2 pid=$3 i
	# the capture has taken the name once the socket is not the VMM's
	for i in $(seq 100); do
		[ "$(stat -c %i "$tmp/vm/vm.sock")" != "$orig" ] && break
		sleep 0.1
	done
	python3 "$tmp/hybrid_peer.py" host "$tmp/vm/vm.sock" 5000 "$tmp/data" >"$tmp/host.out" 2>&1
	for i in $(seq 100); do
		[ "$("$bin" capture -r "$out" 2>/dev/null | grep -c ' disconnect ')" = 2 ] && break
		sleep 0.1
	done
	if [ "$("$bin" capture -r "$out" 2>/dev/null | grep -c ' disconnect ')" = 2 ] &&
	   kill -0 "$pid" 2>/dev/null && grep "n=3000" "$tmp/host.out" >/dev/null; then
		ok "$name: a whole connection reaches the local reader while the remote capture runs"
	else
		bad "$name: the local reader has [$("$bin" capture -r "$out" 2>&1 | tr '\n' ' ')]" \
			"($(kill -0 "$pid" 2>/dev/null && echo running || echo gone))"
	fi
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for i in $(seq 100); do
		[ "$(stat -c %i "$tmp/vm/vm.sock")" = "$orig" ] && break
		sleep 0.1
	done
	if [ "$(stat -c %i "$tmp/vm/vm.sock")" = "$orig" ]; then
		ok "$name: stopped locally, the remote capture ends and the VMM has its socket"
	else
		bad "$name: 10 s after the local side stopped, the VMM's socket is still the capture's"
	fi
}

# 1. the ssh pipe of the README, into a pipe as Wireshark's -i - reads it
ssh "${ssh_opts[@]}" nobody@127.0.0.1 "$remote" 2>"$tmp/ssh.err" > >(cat >"$tmp/out1") &
judge "${cases[0]}" "$tmp/out1" $!

# 2. Wireshark's sshdump, as its interface options run it
"$sshdump" --extcap-interface=sshdump --capture --fifo "$tmp/out2" \
	--remote-host 127.0.0.1 --remote-port "$port" --remote-username nobody \
	--sshkey "$tmp/ssh/user" --remote-capture-command "$remote" \
	>"$tmp/sshdump.log" 2>&1 &
judge "${cases[1]}" "$tmp/out2" $!

echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
