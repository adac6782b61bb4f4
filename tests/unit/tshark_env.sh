# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by the tests that run tshark with the Wireshark plugin under test
# (loaded with -X lua_script): ts ARGS... is tshark with a clean HOME in
# $tmp/home, its stderr in $tmp/err. If the plugin is installed in
# tshark's global Lua folder, a private mount namespace hides that copy
# (needs root and unshare); where that cannot be, tshark_env_why says why
# and the caller skips. Needs $tmp.
mkdir -p "$tmp/home" "$tmp/empty"
tshark_env_why=
tshark_hide=
tshark_luadir=$(HOME=$tmp/home tshark -G folders 2>/dev/null |
	sed -n 's/^Global Lua Plugins:[[:space:]]*//p')
if [ -n "$tshark_luadir" ] && [ -e "$tshark_luadir/vsockmon.lua" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
		tshark_env_why="an installed $tshark_luadir/vsockmon.lua would clash; hiding it needs root and unshare"
	fi
	tshark_hide=$tshark_luadir
fi

ts() {
	if [ -n "$tshark_hide" ]; then
		# shellcheck disable=SC2016 # expanded by the inner sh
		HOME=$tmp/home unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec tshark "$@"' \
			sh "$tmp/empty" "$tshark_hide" "$@" 2>"$tmp/err"
	else
		HOME=$tmp/home tshark "$@" 2>"$tmp/err"
	fi
}
