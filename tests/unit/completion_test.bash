#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion, with bash-completion's helpers stubbed and
# vsockmon-ctl's `list --names` faked, so no kernel is needed.
# Usage: completion_test.bash BINARY COMPLETION_FILE
set -u
bin=$1 comp=$2
fail=0 n=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/completion_env.bash"
completion_env "$tmp" "$comp" "$bin"

check() {	# check "LINE" "EXPECTED REPLIES (sorted, space-separated)"
	n=$((n + 1))
	read -ra COMP_WORDS <<<"$1"
	[[ $1 == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_vsockmon_ctl
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
	if [ "$got" != "$2" ]; then
		echo "FAIL: completing '$1': got '$got', want '$2'"
		fail=$((fail + 1))
	fi
}

check "vsockmon-ctl ca" "capture"
check "vsockmon-ctl d" "doctor down"
check "vsockmon-ctl down " "vsm0 vsockmon0"
check "vsockmon-ctl down --s" "--stale"
check "vsockmon-ctl up vso" "vsockmon0"
check "vsockmon-ctl capture -i " "vsm0 vsockmon0"
check "vsockmon-ctl capture --op p" "payload"
check "vsockmon-ctl capture -w " "FILES"
check "vsockmon-ctl capture --port " ""
check "vsockmon-ctl top --o" "--once"
check "vsockmon-ctl help t" "top"
check "vsockmon-ctl list --n" "--names"

# Every option of the table, and nothing else: options_test.bash.
check "vsockmon-ctl capture --int" "--interface"
check "vsockmon-ctl top --re" "--read"
check "vsockmon-ctl -" "--help --version -V -h"

echo "completion: $((n - fail)) of $n passed"
[ "$fail" -eq 0 ]
