#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Help, bash completion and man page against the one option table
# (src/ctl/cmdtab.h, printed by dump_opts), so none can drift from what
# the parser takes. Usage: options_test.bash DUMP_OPTS BINARY COMPLETION MAN
set -u
dump=$1 bin=$2 comp=$3 man=$4
fail=0 n=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

words() {	# stdin's words, sorted and unique, on one line
	local w
	w=$(sort -u)
	w=${w//$'\n'/ }
	echo "${w# }"
}

check() {	# check WHAT GOT WANT
	n=$((n + 1))
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: got '$2', want '$3'"
		fail=$((fail + 1))
	fi
}

"$dump" >"$tmp/table" || { echo "FAIL: $dump"; exit 1; }
cmds=$(awk '$1 == "cmd" { print $2 }' "$tmp/table")
ops=$(awk '$1 == "ops" { $1 = ""; print }' "$tmp/table")
[ -n "$cmds" ] || { echo "FAIL: empty table"; exit 1; }

# The table's options of CMD: "-i --interface ..." sorted, one per line.
opts_of() { awk -v c="$1" '$1 == "opt" && $2 == c { if ($3 != "-") print $3; print $4 }' "$tmp/table" | words; }
longs_of() { awk -v c="$1" '$1 == "opt" && $2 == c { print $4 }' "$tmp/table" | words; }
# "CMD SHORT LONG KIND" for each option
awk '$1 == "opt" { print $2, $3, $4, $5 }' "$tmp/table" >"$tmp/opts"

# --- help: every option, both forms, and nothing else
for cmd in $cmds; do
	"$bin" help "$cmd" >"$tmp/help" || check "help $cmd exit" $? 0
	got=$(grep -o -- '--[a-z][a-z-]*' "$tmp/help" | grep -vx -- --help | words)
	check "help $cmd long options" "$got" "$(longs_of "$cmd")"
	while read -r c s l _; do
		[ "$c" = "$cmd" ] && [ "$s" != - ] || continue
		n=$((n + 1))
		grep -q -- "^  $s, $l\b" "$tmp/help" ||
			{ echo "FAIL: help $cmd lacks '$s, $l'"; fail=$((fail + 1)); }
	done <"$tmp/opts"
	awk -v c="$cmd" 'length > 79 { print "FAIL: help " c ": line over 79 columns: " $0 }' \
		"$tmp/help" >"$tmp/wide"
	n=$((n + 1))
	[ -s "$tmp/wide" ] && { cat "$tmp/wide"; fail=$((fail + 1)); }
done
n=$((n + 1))
"$bin" --help | grep -- '--version | -V' >/dev/null ||
	{ echo "FAIL: --help does not document -V"; fail=$((fail + 1)); }

# --- man page: each subcommand's entry (from its .TP heading to the next
# subcommand's) names each of its options in both forms, and no other
man_entry() {	# man_entry CMD: the troff of CMD's entry under SUBCOMMANDS
	awk -v c="$1" -v all="$cmds" '
		BEGIN { split(all, a, " "); for (i in a) known[a[i]] = 1 }
		/^\.SH / { in_sub = ($0 ~ /^\.SH SUBCOMMANDS/); on = 0; next }
		in_sub && prev == ".TP" {
			w = $2; gsub(/"/, "", w)
			if (($1 == ".B" || $1 == ".BR") && (w in known)) on = (w == c)
		}
		{ prev = $0 }
		on { print }' "$man"
}
for cmd in $cmds; do
	man_entry "$cmd" >"$tmp/entry"
	n=$((n + 1))
	if [ ! -s "$tmp/entry" ]; then
		echo "FAIL: man page has no entry for $cmd"
		fail=$((fail + 1))
		continue
	fi
	got=$(sed 's/\\-/-/g' "$tmp/entry" | grep -o -- '--[a-z][a-z-]*' | words)
	check "man $cmd long options" "$got" "$(longs_of "$cmd")"
	while read -r c s _ _; do
		[ "$c" = "$cmd" ] && [ "$s" != - ] || continue
		n=$((n + 1))
		sed 's/\\-/-/g' "$tmp/entry" | grep -- "$s\b" >/dev/null ||
			{ echo "FAIL: man $cmd lacks $s"; fail=$((fail + 1)); }
	done <"$tmp/opts"
done
n=$((n + 1))
grep -q -- '\\-V' "$man" || { echo "FAIL: man page lacks -V"; fail=$((fail + 1)); }

# --- bash completion, helpers stubbed, `list --names` faked
. "$(dirname "$0")/completion_env.bash"
completion_env "$tmp" "$comp"
complete_line() {	# complete_line WORD...: the sorted replies for the last word
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_vsockmon_ctl
	[ ${#COMPREPLY[@]} = 0 ] || printf '%s\n' "${COMPREPLY[@]}" | words
}
expect_for() {	# the replies wanted after an option or operand of KIND
	case $1 in
	monitor) echo "vsm0 vsockmon0" ;;
	file) echo FILES ;;
	op) printf '%s\n' $ops | words ;;
	command) printf '%s\n' $cmds | words ;;
	*) echo "" ;;
	esac
}
check "completion of subcommands" "$(complete_line vsockmon-ctl "")" \
	"$(printf '%s\n' $cmds -V --help --version -h | words)"
check "completion of top-level options" "$(complete_line vsockmon-ctl -)" \
	"$(printf '%s\n' -V --help --version -h | words)"
for cmd in $cmds; do
	got=$(complete_line vsockmon-ctl "$cmd" - | tr ' ' '\n' | grep -vx -- '-h\|--help' | words)
	check "completion of $cmd options" "$got" "$(opts_of "$cmd")"
	kind=$(awk -v c="$cmd" '$1 == "cmd" && $2 == c { print $3 }' "$tmp/table")
	# operands, where the subcommand takes some (else options are offered)
	[ "$kind" = none ] ||
		check "completion of $cmd operands" \
			"$(complete_line vsockmon-ctl "$cmd" "")" "$(expect_for "$kind")"
	while read -r c s l k; do
		[ "$c" = "$cmd" ] && [ "$k" != none ] || continue
		for form in $s $l; do
			[ "$form" = - ] && continue
			check "completion after $cmd $form" \
				"$(complete_line vsockmon-ctl "$cmd" "$form" "")" "$(expect_for "$k")"
		done
	done <"$tmp/opts"
done

echo "options: $((n - fail)) of $n passed"
[ "$fail" -eq 0 ]
