# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by the completion tests: bash-completion's helpers stubbed, and
# a fake vsockmon-ctl first in PATH whose `list --names` says vsm0 and
# vsockmon0 (anything else: BIN if given, else exit 1). Then the
# completion file itself. Usage: completion_env TMPDIR COMPLETION [BIN]
completion_env() {
	local dir=$1 comp=$2 bin=${3:-}
	local rest="exit 1"

	[ -n "$bin" ] && rest="exec \"$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")\" \"\$@\""
	cat >"$dir/vsockmon-ctl" <<EOS
#!/bin/sh
if [ "\$1 \$2" = "list --names" ]; then printf 'vsm0\nvsockmon0\n'; exit 0; fi
$rest
EOS
	chmod +x "$dir/vsockmon-ctl"
	PATH=$dir:$PATH
	# shellcheck source=/dev/null
	. "$comp"
}

_init_completion() {
	words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
	cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
}
_filedir() { COMPREPLY=(FILES); }
complete() { :; }
