# Helpers for scenario scripts (/bin/sh is dash): `. /lib/vmtest.sh`.
# A scenario reports facts on stdout as KEY=VALUE lines (the host checks them),
# and leaves files to bring out in $ARTEFACTS.

# fact KEY VALUE...: one line KEY=VALUE; newlines in VALUE become " \n ".
fact() {
	local k=$1; shift
	printf '%s=%s\n' "$k" "$(printf '%s' "$*" | awk 'NR > 1 { printf " \\n " } { printf "%s", $0 }')"
}

# run_fact KEY CMD...: run CMD, report KEY_rc and KEY_out (stdout+stderr).
run_fact() {
	local k=$1 o rc; shift
	o=$("$@" 2>&1)
	rc=$?
	fact "${k}_rc" "$rc"
	fact "${k}_out" "$o"
	return 0
}

# wait_for SECS CMD...: poll CMD every 0.1 s until it succeeds or SECS pass.
wait_for() {
	local n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# artefact FILE [NAME]: bring FILE out to the host.
artefact() { cp "$1" "$ARTEFACTS/${2:-${1##*/}}"; }

# log MSG: to the scenario's stderr artefact, with the guest uptime.
log() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*" >&2; }
