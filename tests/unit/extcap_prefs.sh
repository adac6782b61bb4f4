#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Wireshark preference names we document are the ones tshark knows.
# tshark runs the extcap from its own extcap folder only, so a private
# mount namespace puts a folder holding just our link there; nothing on
# the machine changes. Checked: every `-o extcap.vsock.NAME:VALUE` in the
# README and the man page, the name of every option --extcap-config
# offers (Wireshark drops characters other than letters, digits and _),
# and two names tshark must refuse, so the check can fail. The per-monitor
# names (extcap.vsock_MON.*) need a monitor: tests/vm/extcap uses them.
# Needs root, unshare and tshark (else a counted skip).
# Usage: extcap_prefs.sh BINARY README MANPAGE
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
readme=$2 man=$3
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

extdir=''
if command -v tshark >/dev/null; then
	extdir=$(HOME=$tmp tshark -G folders 2>/dev/null |
		 sed -n 's/^Extcap path:[[:space:]]*//p')
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || [ ! -d "$extdir" ]; then
	skip=1
	echo "skip - documented Wireshark preference names: needs root, unshare and tshark with an extcap folder"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 0
fi
mkdir "$tmp/extcap" "$tmp/home"
ln -s "$bin" "$tmp/extcap/vsockmon"

# known PREF:VALUE: does tshark accept -o PREF:VALUE with our extcap?
known() {
	HOME=$tmp/home unshare -m sh -c 'mount --bind "$1" "$2" && exec tshark -o "$3" -D' \
		sh "$tmp/extcap" "$extdir" "$1" >"$tmp/out" 2>&1
}

if known extcap.vsock.port:1 && grep -q '(all traffic' "$tmp/out"; then
	ok "tshark lists our extcap from the private folder: $(grep -o 'vsock (all traffic[^)]*)' "$tmp/out" | sed -n 1p)"
else
	bad "tshark with our extcap: $(tr '\n' ' ' <"$tmp/out" | cut -c1-200)"
fi

# the documented ones; the man page writes \- for -
docs=$(sed 's/\\-/-/g' "$readme" "$man" | grep -oE 'extcap\.vsock\.[A-Za-z0-9_-]+:[^ ]+' | sort -u)
[ -n "$docs" ] || bad "no extcap.vsock.NAME:VALUE example found in $readme or $man"
for p in $docs; do
	if known "$p"; then
		ok "documented: tshark -o $p"
	else
		bad "documented: tshark -o $p: $(grep -v 'dangerous' "$tmp/out" | tr '\n' ' ' | cut -c1-160)"
	fi
done

# every option of the dialog, under the name Wireshark gives it
calls=$("$bin" extcap --extcap-interface vsock --extcap-config 2>/dev/null |
	sed -n 's/^arg {number=[0-9]*}{call=--\([^}]*\)}.*/\1/p')
[ -n "$calls" ] || bad "--extcap-config offered no options"
for c in $calls; do
	name=extcap.vsock.${c//[^A-Za-z0-9_]/}
	if known "$name:1"; then
		ok "--$c is tshark -o $name"
	else
		bad "--$c: tshark refuses -o $name: $(grep -v 'dangerous' "$tmp/out" | tr '\n' ' ' | cut -c1-160)"
	fi
done

# what tshark must refuse: a name we never offered, and the option's own
# spelling with its hyphen (what a user would try first)
for p in extcap.vsock.nosuchoption:1 extcap.vsock.src-cid:3; do
	if ! known "$p" && grep -q 'unknown preference' "$tmp/out"; then
		ok "tshark refuses -o $p (unknown preference)"
	else
		bad "tshark accepted -o $p"
	fi
done

echo "$pass passed, $fail failed, $skip skipped"
