# shellcheck shell=bash
# Source from a bash script that runs under set -e: when a command ends the
# script, say which one, where, and with what status, instead of dying
# without a word (issue 17: a SIGPIPE'd pipeline left no line in any log).
# Commands that fail while set -e is off (judges, "|| true") stay quiet.
set -E
trap '_errtrap_rc=$?; [[ $- == *e* ]] && printf "%s: line %s: %s: exit status %s\n" \
	"${0##*/}" "$LINENO" "$BASH_COMMAND" "$_errtrap_rc" >&2' ERR
