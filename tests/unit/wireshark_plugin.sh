#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Wireshark Lua plugin (wireshark/vsockmon.lua) against the real tshark,
# on a synthetic LINKTYPE_VSOCK capture from vsock_pcap.py: five HTTP
# connections to port 8080, three at once, one refused; a request and a
# response each split over two frames; client ports used again after
# their connection closed; SSH on port 22, decoded by default; and a
# connection whose REQUEST the capture missed, the server speaking first. Checked: the plugin loads without a Lua error; every request's
# method and URI and every response's code and body decode through
# vsockmon.decode (the split ones included); vsockmon.stream and
# vsockmon.dir of every frame are the generator's truth; a stream filter
# selects that connection's frames; per-stream byte counts; and, the
# control, that tshark without the plugin decodes no HTTP at all.
# If the plugin is installed in tshark's global Lua folder, a private mount
# namespace hides that copy (needs root); the file under test is loaded
# with -X lua_script. Needs tshark and python3, else a counted skip.
# Usage: wireshark_plugin.sh PLUGIN
set -u
plugin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
# eq WHAT EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		bad "$1: expected [$(echo "$2" | tr '\n' ' ')], got [$(echo "$3" | tr '\n' ' ')]"
	fi
}
done_() { echo "$pass passed, $fail failed, $skip skipped"; [ "$fail" = 0 ]; exit; }

if ! command -v tshark >/dev/null || ! command -v python3 >/dev/null; then
	skip=1
	echo "skip - Wireshark plugin: needs tshark and python3"
	done_
fi
# shellcheck source=tshark_env.sh
. "$here/tshark_env.sh"
if [ -n "$tshark_env_why" ]; then
	skip=1
	echo "skip - Wireshark plugin: $tshark_env_why"
	done_
fi
# tp ARGS...: tshark with the plugin under test, port 8080 read as HTTP
tp() { ts -X lua_script:"$plugin" -o vsockmon.decode:8080=http "$@"; }

cap=$tmp/http.pcap
python3 "$here/vsock_pcap.py" "$cap" "$tmp/expect" || { bad "vsock_pcap.py wrote no capture"; done_; }

out=$(tp -r "$cap" -T fields -e frame.number)
eq "tshark reads all 45 frames with the plugin" "45" "$(echo "$out" | wc -l)"
if grep -i 'lua' "$tmp/err" >/dev/null || grep -i 'lua error' <<<"$(tp -r "$cap" -V)" >/dev/null; then
	bad "the plugin runs without a Lua error: $(grep -i lua "$tmp/err" | sed -n 1p)"
else
	ok "the plugin runs without a Lua error"
fi

out=$(tp -r "$cap" -Y http.request -T fields -e frame.number -e http.request.method -e http.request.uri)
eq "every request, its method and URI, in the frame that completes it" \
	"$(printf '8\tGET\t/two\n9\tGET\t/three\n10\tGET\t/one\n23\tGET\t/four\n31\tGET\t/five\n42\tGET\t/seven')" "$out"
out=$(tp -r "$cap" -Y 'http.response.code == 200' -T fields -e frame.number -e http.file_data)
eq "every response: code 200 and its body, the split one in its second frame" \
	"$(printf '11\tbody of stream 1\\n\n12\tbody of stream 0\\n\n14\tbody of stream 2\\n\n24\tbody of stream 3\\n\n32\tbody of stream 5\\n\n41\tbody of stream 7\\n')" "$out"
eq "the split request's first frame says it continues" "7" \
	"$(tp -r "$cap" -Y vsockmon.continued -T fields -e frame.number | sed -n 1p)"
eq "the joined request's length is its two frames' (9 + 25)" "34" \
	"$(tp -r "$cap" -Y 'frame.number == 10' -T fields -e vsockmon.reassembled_len)"

eq "by default (no vsockmon.decode) port 22 is SSH: both banners" \
	"$(printf '37\tSSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\n38\tSSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3')" \
	"$(ts -X lua_script:"$plugin" -r "$cap" -Y ssh.protocol -T fields -e frame.number -e ssh.protocol)"
want=$(sed -n 's/^frame \([0-9]*\) stream \([0-9]*\) dir \([0-9]*\)$/\1 \2 \3/p' "$tmp/expect")
got=$(tp -r "$cap" -T fields -E separator=' ' -e frame.number -e vsockmon.stream -e vsockmon.dir)
eq "vsockmon.stream and vsockmon.dir of every frame are the generator's" "$want" "$got"
eq "the requests of the concurrent connections have distinct streams" "6" \
	"$(tp -r "$cap" -Y http.request -T fields -e vsockmon.stream | sort -u | wc -l)"
eq "display filter vsockmon.stream == 2 selects that connection's frames" \
	"$(awk '$2 == 2 {print $1}' <<<"$want")" \
	"$(tp -r "$cap" -Y 'vsockmon.stream == 2' -T fields -e frame.number)"

want=$(sed -n 's/^stream \([0-9]*\) fwd \([0-9]*\) rev \([0-9]*\)$/\1 \2 \3/p' "$tmp/expect")
got=$(tp -2 -r "$cap" -Y 'vsock.virtio.op == 3' -T fields -E separator=' ' \
	-e vsockmon.stream -e vsockmon.bytes_fwd -e vsockmon.bytes_rev)
eq "per-stream byte counts, each direction (two passes)" "$want" "$got"

# the control: the same tshark without the plugin decodes no HTTP
out=$(ts -r "$cap" -Y 'http || vsockmon' -T fields -e frame.number)
eq "without the plugin: no HTTP, no vsockmon field" "" "$out"
out=$(ts -r "$cap" -T fields -e frame.number)
eq "without the plugin: the same 45 frames are read" "45" "$(echo "$out" | wc -l)"
done_
