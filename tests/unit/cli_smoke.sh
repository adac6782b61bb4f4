#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The built binary, as a user runs it: exit codes, help, version agreeing
# with dkms.conf. Needs no kernel support. Checks this machine cannot make
# are counted skips. Usage: cli_smoke.sh BINARY
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
fail=0 n=0 skipped=0

skip() {	# skip WHAT WHY
	skipped=$((skipped + 1))
	echo "skip - $1: $2"
}

expect() {	# expect RC ARGS...
	want=$1; shift
	n=$((n + 1))
	"$bin" "$@" >/dev/null 2>&1
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: vsockmon-ctl $* exited $rc, want $want"
		fail=$((fail + 1))
	fi
}

expect 0 --help
expect 0 help capture
expect 0 help --help
expect 0 help -h
expect 2
expect 2 nosuch
expect 2 capture --port x
expect 2 capture -B 2048
expect 2 capture --buffer 4096
expect 2 down
expect 1 capture -r /nonexistent.pcap
expect 0 version

# Every command fails on a failed write (issue 15).
for args in "version" "--help" "--version" "help" "help capture" \
	    "capture --help" "list" "list --json" "version --json"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$bin" $args >/dev/full 2>/dev/null
	rc=$?
	if [ "$rc" != 1 ]; then
		echo "FAIL: vsockmon-ctl $args >/dev/full exited $rc, want 1"
		fail=$((fail + 1))
	fi
done

# A kernel without module support (this may be one: microVM guests) is
# named as such, never answered with "install headers" (issue 15).
if [ -e /proc/modules ] || [ -e /sys/module/vsockmon ]; then
	skip "no module support named (doctor, up, capture)" \
		"this kernel has module support (microVM suites check it)"
else
	for args in doctor up "capture -c 1" status version "capture -i vsockmon0"; do
		n=$((n + 1))
		out=$("$bin" $args 2>&1)
		case $out in
		*"vsockmon-ctl up"*)
		   echo "FAIL: vsockmon-ctl $args without /proc/modules advises up: $out"
		   fail=$((fail + 1)) ;;
		*"no module support"*) ;;
		*) echo "FAIL: vsockmon-ctl $args without /proc/modules: $out"
		   fail=$((fail + 1)) ;;
		esac
	done
	# a capture leads with the explanation, the kernel's errno after it
	n=$((n + 1))
	first=$("$bin" capture -c 1 2>&1 | head -n 1)
	case $first in
	*"no module support"*) ;;
	*) echo "FAIL: capture's first line is not the explanation: $first"
	   fail=$((fail + 1)) ;;
	esac
fi

# doctor reports socket(AF_VSOCK)'s errno, not one of the libkmod calls
# after it (FAILSOCK: an LD_PRELOAD shim that fails that socket call).
if [ -z "${FAILSOCK:-}" ]; then
	skip "doctor names socket(AF_VSOCK)'s errno" "no FAILSOCK shim given"
elif [ ! -f "$FAILSOCK" ]; then
	n=$((n + 1))
	echo "FAIL: FAILSOCK=$FAILSOCK: no such file"
	fail=$((fail + 1))
else
	n=$((n + 1))
	# (a sanitized build wants its runtime first; the shim needs no check)
	out=$(LD_PRELOAD=$FAILSOCK ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		"$bin" doctor 2>&1)
	case $out in
	*"vsock core"*"Address family not supported by protocol"*) ;;
	*) echo "FAIL: doctor with socket(AF_VSOCK) failing: $out"
	   fail=$((fail + 1)) ;;
	esac
fi

n=$((n + 1))
want=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$top/dkms.conf")
got=$("$bin" --version)
if [ -z "$want" ] || [ "$got" != "vsockmon-ctl $want" ]; then
	echo "FAIL: version '$got' does not match dkms.conf '$want'"
	fail=$((fail + 1))
fi

n=$((n + 1))
out=$("$bin" help 2>&1)
rc=$?
if [ $rc != 0 ] || ! printf '%s\n' "$out" | grep '^  capture ' >/dev/null; then
	echo "FAIL: help (exit $rc) does not list capture"
	fail=$((fail + 1))
fi

# Options in help, man page and completion: options_test.bash.
# Both man pages: no groff warnings, and no line over 80 columns when
# rendered for an 80-column terminal (an .EX line is never wrapped).
for man in "$top/man/vsockmon-ctl.8" "$top/man/vsockmon.4"; do
	if ! command -v groff >/dev/null 2>&1; then
		skip "man page without groff warnings" "no groff"
		continue
	fi
	n=$((n + 1))
	warn=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
	if [ -n "$warn" ]; then
		echo "FAIL: groff warnings in $man: $warn"
		fail=$((fail + 1))
	fi
	n=$((n + 1))
	wide=$(groff -man -Tascii -P-cbou -rLL=80n "$man" 2>&1 | awk 'length > 80')
	if [ -n "$wide" ]; then
		echo "FAIL: $man has lines over 80 columns: $wide"
		fail=$((fail + 1))
	fi
done

echo "cli smoke: $((n - fail)) passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
