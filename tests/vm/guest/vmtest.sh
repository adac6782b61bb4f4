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

# wait_for SECS CMD...: poll CMD every 0.1 s until it succeeds or SECS
# pass on the guest's clock (a slow CMD does not stretch the wait). No local
# variable here: CMD is often `eval '... $n ...'`, which would read ours. A
# wait that runs out says so in the scenario's stderr, with what it waited
# for: a wait that always runs out is a sleep, or a check that never held.
wait_for() {
	_wf_end=$(($(uptime_s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		if [ "$(uptime_s)" -ge "$_wf_end" ]; then
			log "wait_for: ran out: $*"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# uptime_s: the guest's uptime in whole seconds, without a process
uptime_s() {
	read -r _up_s _ </proc/uptime
	echo "${_up_s%.*}"
}

# artefact FILE [NAME]: bring FILE out to the host.
artefact() { cp "$1" "$ARTEFACTS/${2:-${1##*/}}"; }

# log MSG: to the scenario's stderr artefact, with the guest uptime.
log() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*" >&2; }
