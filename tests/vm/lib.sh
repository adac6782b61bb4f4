# shellcheck shell=bash
# Common helpers for the QEMU test harness. Source it; do not run it.
#
#   VM_DIR     this directory (tests/vm)
#   REPO_ROOT  the repository's top directory
#   VM_CACHE   ${VSOCKMON_CACHE:-/var/cache/vsockmon}: downloaded and unpacked
#              kernels; derived data only, safe to delete at any time
#
# Scripts register their own cleanup with `on_exit CMD`; lib.sh owns the
# single `trap ... EXIT` so several registrations compose.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$VM_DIR/../.." && pwd)
# shellcheck disable=SC2034 # for the scripts that source this
VM_CACHE=${VSOCKMON_CACHE:-/var/cache/vsockmon}
VM_PROG=$(basename "$0")
# shellcheck source=../../scripts/errtrap.sh
. "$REPO_ROOT/scripts/errtrap.sh"

log() { printf '%s: %s\n' "$VM_PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$VM_PROG" "$*" >&2; exit 1; }

_vm_exit_cmds=()
on_exit() { _vm_exit_cmds+=("$*"); }
cleanup() {
	local rc=$? i
	for ((i = ${#_vm_exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${_vm_exit_cmds[i]}" || true
	done
	return "$rc"
}
trap cleanup EXIT

# mktemp_dir VAR: a private temporary directory removed on exit.
mktemp_dir() {
	local _d
	_d=$(mktemp -d "${TMPDIR:-/tmp}/vsockmon-vm.XXXXXX")
	on_exit "rm -rf '$_d'"
	printf -v "$1" '%s' "$_d"
}

# need_cmds PKG:CMD...: install Debian package PKG with apt-get when CMD is
# missing. CMD may be an absolute path (a file the package ships).
need_cmds() {
	local spec pkg cmd missing=()
	for spec in "$@"; do
		pkg=${spec%%:*} cmd=${spec#*:}
		if [[ $cmd == /* ]]; then [[ -e $cmd ]] && continue
		else command -v "$cmd" >/dev/null 2>&1 && continue
		fi
		missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	[[ $(id -u) == 0 ]] || die "missing packages ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"
	log "installing host packages: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed (run 'apt-get update' first?)"
}

# package_version FILE: PACKAGE_VERSION from dkms.conf (the project's one
# source of truth for the version).
package_version() {
	local f=${1:-$REPO_ROOT/dkms.conf} v
	[[ -r $f ]] || die "$f not found"
	v=$(sed -n 's/^PACKAGE_VERSION=["'\'']\{0,1\}\([^"'\'']*\).*/\1/p' "$f" | sed -n 1p)
	[[ -n $v ]] || die "no PACKAGE_VERSION in $f"
	printf '%s\n' "$v"
}

# boot_with_fallback LABEL CAN: run the suite's run_kernel_once LABEL, which
# fetches its kernel with "${skips[@]}" and sets rel and boot_rc. A kernel
# that died before init twice (run-vm exit 126) says nothing about our code:
# when CAN is 1, fall back once to the next older ABI, and append the reason
# (a skip for the judge) to $out/LABEL/params as fallback=.
boot_with_fallback() {
	local label=$1 can=$2 skips=() fallback='' first_rel='' rel='' boot_rc=''
	while :; do
		run_kernel_once "$label"
		[[ $boot_rc == 126 && $can == 1 && ${#skips[@]} == 0 ]] || break
		first_rel=$rel
		skips=(--skip-release "$rel")
		log "[$label] FALLBACK: $rel died before init twice; trying the next older ABI"
	done
	[[ -z $first_rel ]] || fallback="newest $label ABI $first_rel died before init twice under TCG; tested $rel instead"
	echo "fallback=$(printf '%q' "$fallback")" >>"$out/$label/params"
}

# now_ms: a monotonic-enough clock for timings.
now_ms() { date +%s%3N; }

# vm_jobs: how many kernels a suite boots at once: VSOCKMON_VM_JOBS, else
# one per host core, at most 2. One TCG guest left the second of 2 cores
# idle about half of the time (docs/testing.md); two guests fill it.
vm_jobs() {
	local n=${VSOCKMON_VM_JOBS:-}
	[[ -n $n ]] || { n=$(nproc 2>/dev/null || echo 1); ((n <= 2)) || n=2; }
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "VSOCKMON_VM_JOBS=$n: want a positive number"
	echo "$n"
}

# run_each FUNC ITEM...: FUNC ITEM for every ITEM, in order, up to
# $(vm_jobs) at once, each in a subshell: FUNC keeps what it found in files
# (as every suite's run_kernel does) and its stderr lines come as they come.
# Dies after all ended when one of them failed, naming it. Each job says
# its end on a pipe (bash 5.2's `wait -n` misses a job that ended while the
# shell was not waiting).
run_each() {
	# (names of its own: FUNC sees them, bash scoping is dynamic)
	local _re_fn=$1 _re_jobs _re_n=0 _re_i=0 _re_item _re_rc _re_failed=() _re_fifo _re_fd
	local -a _re_pids=() _re_items=()
	shift
	_re_jobs=$(vm_jobs)
	_re_fifo=$(mktemp -u "${TMPDIR:-/tmp}/vsockmon-each.XXXXXX")
	mkfifo -m 600 "$_re_fifo"
	exec {_re_fd}<>"$_re_fifo"
	rm -f "$_re_fifo"
	for _re_item in "$@"; do
		((_re_n < _re_jobs)) || _run_each_reap
		(
			set +e
			# a subshell runs no EXIT trap of its parent: its own, with
			# its own list (the parent's registrations stay the parent's)
			(
				set -e
				_vm_exit_cmds=()
				trap cleanup EXIT
				"$_re_fn" "$_re_item"
			)
			echo "$? $_re_i" >&"$_re_fd"
		) &
		_re_pids[_re_i]=$!
		_re_items[_re_i]=$_re_item
		_re_i=$((_re_i + 1))
		_re_n=$((_re_n + 1))
	done
	while ((_re_n > 0)); do _run_each_reap; done
	exec {_re_fd}>&-
	((${#_re_failed[@]} == 0)) || die "$_re_fn failed for ${_re_failed[*]} (see above)"
}
# _run_each_reap: wait for the next job of run_each to say it ended
_run_each_reap() {
	local rc i
	read -r rc i <&"$_re_fd"
	wait "${_re_pids[i]}" || true
	((rc == 0)) || _re_failed+=("${_re_items[i]}")
	_re_n=$((_re_n - 1))
}
