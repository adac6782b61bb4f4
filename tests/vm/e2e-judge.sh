# shellcheck shell=bash
# The host half of tests/vm/e2e: every check of the suite, judged from the
# facts the guests reported (results.txt) and the captures they brought out
# (decoded with tshark and tcpdump through vsock-pcap). Sourced by e2e.

passed=0 failed=0 skipped=0
declare -A verdict=()       # [KERNEL,SCENARIO] = pass | fail | skip
scenario_rows=(build 1 2 3 4 5 6 7 8 9 15 klog)
declare -A scenario_name=(
	[build]="module built by DKMS" [1]="loopback capture" [2]="virtio transport"
	[3]="SEQPACKET" [4]="filters" [5]="security" [6]="override, identity"
	[7]="lifecycle" [8]="ip + tcpdump" [9]="top, doctor" [15]="audit log"
	[klog]="kernel log clean"
)
# the largest frame a transport hands the tap: af_vsockmon_hdr, the virtio
# header, a 64 KiB packet buffer (virtio_transport_build_skb)
max_frame=$((32 + 44 + 65536))
cur_kernel=''

_mark() { # SCENARIO RESULT
	local key=$cur_kernel,$1 old=${verdict[$cur_kernel,$1]:-}
	case $2 in
	fail) verdict[$key]=fail ;;
	pass) [[ $old == fail ]] || verdict[$key]=pass ;;
	skip) [[ -n $old ]] || verdict[$key]=skip ;;
	esac
}
# check SCENARIO DESCRIPTION CMD...: one ok / not ok line
check() {
	local _s=$1 _desc=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		passed=$((passed + 1)); _mark "$_s" pass
		echo "ok - [$cur_kernel s$_s] $_desc"
	else
		failed=$((failed + 1)); _mark "$_s" fail
		echo "not ok - [$cur_kernel s$_s] $_desc"
	fi
}
# skip SCENARIO DESCRIPTION REASON: a check that could not run here
skip() {
	skipped=$((skipped + 1)); _mark "$1" skip
	echo "skip - [$cur_kernel s$1] $2: $3"
}
note() { echo "#   $*"; }

eq() { [[ $1 == "$2" ]]; }
has() { grep -Eq -- "$2" <<<"$1"; }
re() { sed 's/[]\/$*.^[+?(){}|]/\\&/g' <<<"$1"; } # STRING as a literal in a regex
isnum() { [[ $1 =~ ^[0-9]+$ ]]; }

# facts of the current boot
results=/dev/null
# get KEY: the first value of KEY in $results. The facts are read into
# fact_of once per file (use_results); get in a command substitution then
# costs no process.
declare -A fact_of=()
fact_file=
use_results() {
	local line key
	results=$1
	[[ -f $results ]] || results=/dev/null
	fact_of=() fact_file=$results
	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line =~ ^([A-Za-z0-9_.-]+)= ]] || continue
		key=${BASH_REMATCH[1]}
		[[ -v fact_of[$key] ]] || fact_of[$key]=${line#*=}
	done <"$results"
}
get() {
	[[ $fact_file == "$results" ]] || use_results "$results"
	printf '%s\n' "${fact_of[$1]-}"
}
# pfacts NAME: decode artefacts/NAME.pcap once; prints the JSON's path
pfacts() {
	local pcap=$bootdir/artefacts/$1.pcap json=$bootdir/$1.facts.json
	if [[ ! -s $json || $json -ot $pcap ]]; then
		if [[ -s $pcap ]]; then
			"$VM_DIR/vsock-pcap" facts "$pcap" >"$json" 2>"$json.err" || echo '{"error": "decode failed"}' >"$json"
		else
			echo '{"error": "no pcap"}' >"$json"
		fi
	fi
	echo "$json"
}
jf() { jq -r "$2" "$1" 2>/dev/null; } # JSON EXPR
# conn JSON SERVER_PORT EXPR: EXPR of the one connection to SERVER_PORT
conn() {
	jq -r --argjson p "$2" "[.conns[]? | select(.server_port == \$p)] |
		if length == 1 then (.[0] | $3) else \"(\(length) connections to port \(\$p))\" end" "$1" 2>/dev/null
}
# stats LINE: "frames dropped" from vsockmon-ctl's last stderr line
stat_frames() { sed -n 's/^\([0-9]\+\) frames\? captured, [0-9]\+ bytes, [0-9]\+ dropped by kernel.*/\1/p' <<<"$1"; }
stat_drops() { sed -n 's/^[0-9]\+ frames\? captured, [0-9]\+ bytes, \([0-9]\+\) dropped by kernel.*/\1/p' <<<"$1"; }
sha_of() { sha256sum | cut -d' ' -f1; }
# largest_frame PCAP: the longest frame's length
largest_frame() { tshark -r "$1" -T fields -e frame.len 2>/dev/null | sort -n | tail -n 1; }
# probed KERNEL: what probe.sh found for the module of KERNEL (DKMS make.log)
probed() { sed -n 's/^vsockmon: .* has: //p' "$out/$1/module/probes" 2>/dev/null; }

# sll2_to_vsock IN OUT IFINDEX: the frames of device IFINDEX in a
# LINUX_SLL2 capture (tcpdump -i any) as a LINKTYPE_VSOCK pcap
sll2_to_vsock() {
	python3 - "$@" <<'EOF'
import struct
import sys

src, dst, ifindex = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(src, 'rb').read()
e = '<' if d[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
snap, lt = struct.unpack(e + 'II', d[16:24])
if lt != 276:
    sys.exit('link type %d, not LINUX_SLL2 (276)' % lt)
out = [d[:4], struct.pack(e + 'HHiII', 2, 4, 0, 0, snap), struct.pack(e + 'I', 271)]
off = 24
while off + 16 <= len(d):
    sec, frac, incl, orig = struct.unpack(e + 'IIII', d[off:off + 16])
    pkt = d[off + 16:off + 16 + incl]
    off += 16 + incl
    _, _, idx, hatype = struct.unpack('>HHiH', pkt[:10])
    if idx == ifindex and hatype == 826:
        out.append(struct.pack(e + 'IIII', sec, frac, incl - 20, orig - 20) + pkt[20:])
open(dst, 'wb').write(b''.join(out))
EOF
}

# The pcap-level checks every capture of a transfer gets.
# capture_checks SCENARIO NAME: decoders, linktype, VIRTIO, drops, counts
capture_checks() {
	local s=$1 n=$2 j st fr drops rx
	j=$(pfacts "$n")
	st=$(get "${n}_stats")
	# shellcheck disable=SC2034 # checks are eval'd strings
	fr=$(stat_frames "$st") drops=$(stat_drops "$st") rx=$(get "${n}_rx_packets")
	check "$s" "$n: vsockmon-ctl capture ran on a temporary monitor ($(get "${n}_ifname")), exited 0 on SIGINT and removed it" \
		eval '[[ $(get ${n}_ready) == 1 && $(get ${n}_rc) == 0 && $(get ${n}_gone) == 1 && $(get ${n}_ifname) == vsmcap* ]]'
	check "$s" "$n: tshark and tcpdump read the pcap as link-type VSOCK (271): tshark $(jf "$j" .frames) frames, tcpdump $(jf "$j" .tcpdump_frames) ($(jf "$j" '.tcpdump_linktype // .error'))" \
		eval '[[ $(jf "$j" .tcpdump_linktype) == VSOCK && $(jf "$j" .frames) -gt 0 && $(jf "$j" .frames) == $(jf "$j" .tcpdump_frames) ]]'
	check "$s" "$n: tshark and tcpdump agree on every frame's CIDs, ports and ops${j:+ $(jf "$j" .disagree)}" \
		eq "$(jf "$j" .decoders_agree)" true
	check "$s" "$n: every frame is vsock over the VIRTIO transport header ($(jf "$j" .non_virtio) are not)" \
		eq "$(jf "$j" .non_virtio)" 0
	if [[ $bootname == virtio ]]; then
		# vhost-device-vsock 0.3.0 has been seen (once, 5.10 guest) to send an
		# op-0 packet and a zeroed one after a close; the guest answers with
		# RST to 0:0. The capture shows them faithfully: tolerated, shown.
		check "$s" "$n: no malformed frame but from the host's side ($(jf "$j" '.junk | length'): $(jf "$j" '.junk | join(", ")' | cut -c1-120))" \
			eq "$(jf "$j" .junk_from_host_side)" true
	else
		check "$s" "$n: no malformed frame (op INVALID or CIDs 0): $(jf "$j" '.junk | length') $(jf "$j" '.junk | join(", ")' | cut -c1-120)" \
			eq "$(jf "$j" '.junk | length')" 0
	fi
	check "$s" "$n: the kernel dropped nothing: '$st'" eval 'isnum "$drops" && ((drops == 0))'
	check "$s" "$n: frames captured = frames in the pcap = the monitor's rx_packets ($fr, $(jf "$j" .frames), $rx)" \
		eval 'isnum "$fr" && [[ $fr == $(jf "$j" .frames) && $fr == "$rx" ]]'
}

# conn_checks SCENARIO NAME SERVER_PORT CLIENT_CID SERVER_CID SHA SIZE WHAT:
# the one connection to SERVER_PORT in NAME.pcap
conn_checks() {
	# shellcheck disable=SC2034 # checks are eval'd strings
	local s=$1 n=$2 port=$3 ccid=$4 scid=$5 sha=$6 size=$7 what=$8 j
	j=$(pfacts "$n")
	check "$s" "$n $what: CIDs and ports exact: $(conn "$j" "$port" '.client + " > " + .server') (want $ccid:* > $scid:$port)" \
		eval '[[ $(conn "$j" $port .client_cid) == "$ccid" && $(conn "$j" $port .server_cid) == "$scid" && $(conn "$j" $port .client_port) != "$port" ]]'
	check "$s" "$n $what: op sequence of a real connection: $(conn "$j" "$port" '.ops' | cut -c1-150)" \
		eval '[[ $(conn "$j" $port .seq_ok) == true ]]'
	[[ $(conn "$j" "$port" .seq_ok) == true ]] || note "sequence error: $(conn "$j" "$port" .seq_error)"
	check "$s" "$n $what: payload reassembled from the capture equals the file ($(conn "$j" "$port" .bytes_c2s) of $size bytes, sha256 $(conn "$j" "$port" .sha256_c2s | cut -c1-16)...), none the other way" \
		eval '[[ $(conn "$j" $port .sha256_c2s) == "$sha" && $(conn "$j" $port .bytes_c2s) == "$size" && $(conn "$j" $port .bytes_s2c) == 0 && $(conn "$j" $port .payload_len_mismatch) == 0 ]]'
	# the same bytes through vsockmon-ctl follow (issue 25), this host's
	local pc=$bootdir/artefacts/$n.pcap idx
	idx=$("$ctl" follow -r "$pc" -j 2>/dev/null | jq -r --argjson p "$port" \
		'[.[] | select(.server.port == $p and .requested)] | if length == 1 then .[0].stream else "none" end' 2>/dev/null)
	check "$s" "$n $what: vsockmon-ctl follow --stream ${idx:-none} gives the file back, sha256-equal" \
		eval '[[ $idx =~ ^[0-9]+$ && $("$ctl" follow -r "$pc" --stream "$idx" 2>/dev/null | sha256sum) == "$sha  -" ]]'
}

klog_checks() { # DMESG
	# shellcheck disable=SC2034 # checks are eval'd strings
	local d=$1
	check klog "$bootname boot: kernel log has no WARNING, BUG, Oops or 'asks to queue packet'" \
		eval '[[ -s $d ]] && ! grep -Eq "WARNING:|BUG:|Oops|general protection fault|Call Trace|asks to queue packet" "$d"'
	check klog "$bootname boot: kernel log says a monitor started and stopped tapping" \
		eval 'grep -q "started tapping" "$d" && grep -q "stopped tapping" "$d"'
}

# load_kernel_params LABEL: the kernel's header lines and its params file,
# whose assignments land in the caller's locals (declared there); returns 1
# (one failed check) when the run never reached that kernel.
load_kernel_params() {
	cur_kernel=$1
	echo "# ---- kernel $1"
	if [[ ! -f $out/$1/params ]]; then
		check build "the run reached kernel $1" false
		return 1
	fi
	fallback=''
	# shellcheck disable=SC1090,SC1091
	. "$out/$1/params"
	echo "# release $rel, module $ko (srcversion ${srcversion:-none}), $timings"
	# the world moved: the newest ABI of the series could not be fetched or
	# booted, and an older one was tested in its place (not a pass)
	[[ -z $fallback ]] || skip build "the newest ABI of the series" "$fallback"
}

judge_kernel() {
	local label=$1 kout=$out/$1
	# shellcheck disable=SC2034 # set by params, some only used in eval'd checks
	local rel='' ko='' build_err='' main_rc='' virtio_rc='' safety_rc='' srcversion='' timings='' boot_s='' fallback=''
	load_kernel_params "$label" || return 0
	check build "vsockmon $version built by DKMS in a chroot of the kernel's distribution for $rel${build_err:+: $build_err}" \
		eval '[[ -n $ko && -z $build_err ]]'
	if [[ -z $ko ]]; then
		for s in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do skip "$s" "all checks" "no module for $rel"; done
		return
	fi
	judge_main "$kout/main"
	if [[ -z $safety_rc || $safety_rc == skipped ]]; then
		check klog "the safety boot ran (scenarios 10-14)" false
	else
		judge_safety "$kout/safety"
	fi
	if [[ $virtio_rc == skipped ]]; then
		skip 2 "virtio transport" "--no-virtio"
		skip 4 "--cid/--src-cid/--dst-cid filters" "they run in the virtio boot (--no-virtio)"
		skip 9 "doctor reports virtio as tapped" "needs the virtio boot (--no-virtio)"
	else
		judge_virtio "$kout/virtio"
	fi
}

judge_main() {
	bootdir=$1 bootname=main
	use_results "$bootdir/results.txt"
	# shellcheck disable=SC2034 # checks are eval'd strings
	local j k seq_total seq_sha want_msgs got_msgs s4a_sha s4b_sha
	check klog "main boot: the guest ran the scenario to its end (run-vm exit $main_rc)" \
		eval '[[ $main_rc == 0 && $(get end) == 1 ]]'

	# --- 1
	check 1 "socat sent the file over CID 1 port 5001; the receiver's copy equals it (sha256 $(get s1_socat_sha256 | cut -c1-16)..., $(get s1_socat_bytes) bytes)" \
		eval '[[ $(get s1_socat_send_rc) == 0 && $(get s1_socat_sha256) == "$file_sha" ]]'
	check 1 "ncat sent the file over CID 1 port 5002; the receiver's copy equals it (sha256 $(get s1_ncat_sha256 | cut -c1-16)..., $(get s1_ncat_bytes) bytes)" \
		eval '[[ $(get s1_ncat_send_rc) == 0 && $(get s1_ncat_sha256) == "$file_sha" ]]'
	capture_checks 1 s1
	j=$(pfacts s1)
	check 1 "s1: exactly the two conversations, no stray frame ($(jf "$j" '.conns | length') connections, $(jf "$j" .strays) strays)" \
		eval '[[ $(jf "$j" ".conns | length") == 2 && $(jf "$j" .strays) == 0 ]]'
	conn_checks 1 s1 5001 1 1 "$file_sha" "$file_size" socat
	conn_checks 1 s1 5002 1 1 "$file_sha" "$file_size" ncat
	check 1 "s1: the capture's temporary monitor existed during the capture, only top's ($(get s9_top_ifname)) is left after ('$(get s1_monitors_during)' -> '$(get s1_monitors_after)')" \
		eval '[[ " $(get s1_monitors_during)" == *" $(get s1_ifname) "* && $(get s1_monitors_after) == "$(get s9_top_ifname) " ]]'

	# --- 9: top (its interval spanned scenario 1) and doctor
	local tj=$bootdir/top.json
	get s9_top_json >"$tj"
	check 9 "top --once --json ran (ready $(get s9_top_ready), exit $(get s9_top_rc)) and printed JSON" \
		eval '[[ $(get s9_top_ready) == 1 && $(get s9_top_rc) == 0 ]] && jq -e .flows "$tj"'
	for k in 5001:socat 5002:ncat; do
		local port=${k%%:*} tool=${k#*:} flow
		flow=$(jq -c --argjson p "$port" '[.flows[]? | select(.server.port == $p and .server.cid == 1)]' "$tj" 2>/dev/null)
		check 9 "top reports the $tool connection to 1:$port: $(jq -c '.[0] | {client, state, to_server, to_client}' <<<"${flow:-[]}" 2>/dev/null)" \
			eval '[[ $(jq length <<<"$flow") == 1 &&
				$(jq -r ".[0].client.cid, .[0].client.port, .[0].client_known" <<<"$flow" | paste -sd,) == "1,$(conn "$j" $port .client_port),true" ]]'
		check 9 "top's byte and frame counts for 1:$port equal the capture's: to server $(jq -r '.[0].to_server.bytes' <<<"$flow") bytes (file $file_size), frames $(jq -r '.[0].to_server.frames, .[0].to_client.frames' <<<"$flow" | paste -sd/) (pcap $(conn "$j" "$port" '"\(.frames_c2s)/\(.frames_s2c)"'))" \
			eval '[[ $(jq -r ".[0].to_server.bytes, .[0].to_client.bytes, .[0].to_server.frames, .[0].to_client.frames" <<<"$flow" | paste -sd,) == "$file_size,0,$(conn "$j" $port .frames_c2s),$(conn "$j" $port .frames_s2c)" ]]'
	done
	local hj
	hj=$("$ctl" top -r "$bootdir/artefacts/s1.pcap" --json 2>/dev/null | sed -n 1p)
	check 9 "vsockmon-ctl top -r s1.pcap on the host counts the same payload bytes ($(jq -r .bytes <<<"$hj" 2>/dev/null) = 2 x $file_size)" \
		eq "$(jq -r .bytes <<<"$hj" 2>/dev/null)" "$((2 * file_size))"
	local doc
	doc=$(get s9_doctor_out)
	check 9 "doctor (exit $(get s9_doctor_rc)): loopback transport tapped" \
		eval '[[ $(get s9_doctor_rc) == 0 ]] && has "$doc" "OK +transport loopback \(vsock_loopback\) loaded; its traffic is visible"'
	check 9 "doctor: our module loaded, version $version, from DKMS" \
		has "$doc" "OK +vsockmon module loaded, version $(re "$version"), dkms, $(re "/lib/modules/$rel/updates/dkms/vsockmon.ko")"

	# --- 3: SEQPACKET
	read -r -a sizes <<<"$seq_sizes"
	seq_total=0 want_msgs=''
	for k in "${sizes[@]}"; do
		seq_total=$((seq_total + ${k%e}))
		want_msgs+="[${k%e},1,$([[ $k == *e ]] && echo 1 || echo 0)],"
	done
	want_msgs="[${want_msgs%,}]"
	# shellcheck disable=SC2034
	seq_sha=$(head -c "$seq_total" "$out/file.bin" | sha_of)
	if [[ $(get s3_send_rc) == 3 || $(get s3_recv_rc) == 3 ]]; then
		skip 3 "SEQPACKET over loopback" "kernel $rel has none: $(get s3_err)"
	else
		local got_lines want_lines=''
		k=0
		for s in "${sizes[@]}"; do
			k=$((k + 1))
			want_lines+="msg $k len ${s%e} eor $([[ $s == *e ]] && echo 1 || echo 0) trunc 0 \\n "
		done
		want_lines=${want_lines% \\n }
		got_lines=$(get s3_msgs)
		check 3 "vsockseq sent ${#sizes[@]} messages ($seq_sizes; e = MSG_EOR) and the receiver got each whole, with MSG_EOR where sent (exit $(get s3_send_rc)/$(get s3_recv_rc)): $got_lines" \
			eval '[[ $(get s3_send_rc) == 0 && $(get s3_recv_rc) == 0 && $got_lines == "$want_lines" && $(get s3_recv_sha256) == "$seq_sha" ]]'
		capture_checks 3 s3
		j=$(pfacts s3)
		check 3 "s3: one SEQPACKET connection, CID 1 > 1:5003, real op sequence: $(conn "$j" 5003 .ops | cut -c1-120)" \
			eval '[[ $(jf "$j" ".conns | length") == 1 && $(conn "$j" 5003 ".types | join(\",\")") == SEQPACKET && $(conn "$j" 5003 .seq_ok) == true && $(conn "$j" 5003 .client_cid) == 1 ]]'
		got_msgs=$(conn "$j" 5003 '.messages_c2s | tojson')
		check 3 "s3: message boundaries in the capture: [len, EOM, EOR] per message $got_msgs (want $want_msgs)" \
			eq "$got_msgs" "$want_msgs"
		local big
		big=$(largest_frame "$bootdir/artefacts/s3.pcap")
		check 3 "s3: the largest frame (${big:-?} bytes, a 64 KiB SEQPACKET message) fits the monitor's MTU ($(grep -o ' mtu [0-9]*' <<<"$(get s6_link)"))" \
			eval 'isnum "$big" && ((big > 65536)) && mtu=$(sed -n "s/.* mtu \([0-9]*\) .*/\1/p" <<<"$(get s6_link)") && isnum "$mtu" && ((big <= mtu))'
		check 3 "s3: payload reassembled from the capture equals what was sent ($(conn "$j" 5003 .bytes_c2s) of $seq_total bytes)" \
			eval '[[ $(conn "$j" 5003 .sha256_c2s) == "$seq_sha" && $(conn "$j" 5003 .bytes_s2c) == 0 ]]'
	fi

	# --- 4: filters (port and op here; CIDs in the virtio boot)
	# shellcheck disable=SC2034
	s4a_sha=$(head -c 65536 "$out/file.bin" | sha_of)
	# shellcheck disable=SC2034
	s4b_sha=$(tail -c 98304 "$out/file.bin" | sha_of)
	check 4 "two conversations at the same time on ports 5041 (socat) and 5042 (ncat), received intact" \
		eval '[[ $(get s4a_sha256) == "$s4a_sha" && $(get s4b_sha256) == "$s4b_sha" ]]'
	j=$(pfacts s4ref)
	check 4 "they overlapped in time: frames $(conn "$j" 5041 '"\(.first_frame)-\(.last_frame)"') and $(conn "$j" 5042 '"\(.first_frame)-\(.last_frame)"') of the unfiltered capture" \
		eval '(( $(conn "$j" 5041 .first_frame) < $(conn "$j" 5042 .last_frame) && $(conn "$j" 5042 .first_frame) < $(conn "$j" 5041 .last_frame) ))'
	capture_checks 4 s4ref
	local f
	for f in "s4port --port 5041" "s4op --op connect" "s4combo --port 5042 --op payload"; do
		read -r n opts <<<"$f"
		local r
		# shellcheck disable=SC2086
		r=$("$VM_DIR/vsock-pcap" filter "$bootdir/artefacts/s4ref.pcap" "$bootdir/artefacts/$n.pcap" $opts 2>&1)
		check 4 "capture $opts holds exactly the matching frames of the unfiltered capture: $r (exit $(get "${n}_rc"), '$(get "${n}_stats")')" \
			eval '[[ $r == match:* && $(get ${n}_rc) == 0 && $(stat_drops "$(get ${n}_stats)") == 0 ]]'
	done

	# --- 8: as upstream
	j=$(pfacts s8)
	local tds
	tds=$(get s8_tcpdump_err)
	check 8 "ip link add type vsockmon made vsockmon0 ('$(get s8_monitors)' besides top's), ip link set up worked" \
		eval '[[ $(get s8_add_rc) == 0 && " $(get s8_monitors)" == *" vsockmon0 "* && $(get s8_up_rc) == 0 ]] &&
			[[ $(sed "s/$(get s9_top_ifname) //" <<<"$(get s8_monitors)") == "vsockmon0 " ]]'
	check 8 "tcpdump -i vsockmon0 captured the conversation, 0 dropped: $(tail -c 160 <<<"${tds// \\n / | }")" \
		eval '[[ $(get s8_tcpdump_rc) == 0 ]] && has "$tds" " 0 packets dropped by kernel"'
	check 8 "s8.pcap: tshark and tcpdump read link-type VSOCK, agree, all VIRTIO ($(jf "$j" .frames) frames = rx_packets $(get s8_rx_packets))" \
		eval '[[ $(jf "$j" .tcpdump_linktype) == VSOCK && $(jf "$j" .decoders_agree) == true && $(jf "$j" .non_virtio) == 0 && $(jf "$j" .frames) == $(get s8_rx_packets) ]] && has "$tds" "^$(jf "$j" .frames) packets captured| $(jf "$j" .frames) packets captured"'
	check 8 "s8.pcap: the conversation to 1:5008 is whole: $(conn "$j" 5008 .ops | cut -c1-100)" \
		eval '[[ $(conn "$j" 5008 .seq_ok) == true && $(conn "$j" 5008 .sha256_c2s) == "$s4a_sha" && $(get s8_sha256) == "$s4a_sha" ]]'
	# tcpdump -i any: the module counts sockets bound to no device where the
	# build probe found dev_nit_active(); the kernel says whether it exists
	local any_rx nit probes has_probe=0 has_nit=0 anyj
	any_rx=$(get s8_any_rx_delta) nit=$(get s8_nit_syms) probes=$(probed "$cur_kernel")
	[[ " $probes " != *" dev_nit_active "* ]] || has_probe=1
	[[ -z $nit ]] || has_nit=1
	if [[ -z $probes ]]; then
		skip 8 "the build probe for dev_nit_active agrees with the kernel" "no probe results for this module ($out/$cur_kernel/module/probes)"
	else
		check 8 "the build probe found dev_nit_active exactly where the kernel has it (kernel: '${nit% }', probed: $( ((has_probe)) && echo yes || echo no))" \
			eval '[[ $(get s8_ifindex) =~ ^[0-9]+$ && $has_nit == "$has_probe" ]]'
	fi
	if ((has_nit || has_probe)); then
		sll2_to_vsock "$bootdir/artefacts/s8any.pcap" "$bootdir/artefacts/s8any-vsockmon0.pcap" "$(get s8_ifindex)" 2>/dev/null ||
			rm -f "$bootdir/artefacts/s8any-vsockmon0.pcap"
		anyj=$(pfacts s8any-vsockmon0)
		check 8 "tcpdump -i any reads an idle monitor: the module taps for it on $(get kernel) (rx_packets +$any_rx)" \
			eval '[[ $any_rx =~ ^[0-9]+$ ]] && ((any_rx > 0))'
		check 8 "tcpdump -i any (exit $(get s8_any_rc)) saw the conversation to 1:5019 on vsockmon0 byte-exact: $(conn "$anyj" 5019 '"\(.bytes_c2s) bytes, sha256 \(.sha256_c2s[0:16])..."') of $(jf "$anyj" '.frames // .error') frames" \
			eval '[[ $(get s8_any_rc) == 0 && $(conn "$anyj" 5019 .seq_ok) == true && $(conn "$anyj" 5019 .sha256_c2s) == "$s4a_sha" && $(get s8any_sha256) == "$s4a_sha" ]]'
	else
		check 8 "tcpdump -i any does not wake an idle monitor on a kernel without dev_nit_active, as documented (rx_packets +$any_rx)" \
			eq "$any_rx" 0
	fi
	check 8 "ip link del vsockmon0 (rc $(get s8_del_rc)) leaves no monitor but top's ('$(get s8_monitors_after)')" \
		eval '[[ $(get s8_del_rc) == 0 && $(get s8_monitors_after) != *vsockmon0* && $(sed "s/$(get s9_top_ifname) //" <<<"$(get s8_monitors_after)") == "" ]]'

	# --- 6: override and identity
	local vj
	vj=$(get s6_version_json_out)
	check 6 "both modules present: in-tree $(get s6_intree_file | sed 's|.*/kernel/|kernel/|'), ours $(get s6_modinfo_path | sed 's|.*/updates/|updates/|'); none loaded before" \
		eval '[[ $(get s6_intree_file) == /lib/modules/$rel/kernel/drivers/net/vsockmon.ko* && $(get s6_modinfo_path) == /lib/modules/$rel/updates/dkms/vsockmon.ko ]] && has "$(get s6_loaded_before)" "No such file"'
	check 6 "modprobe vsockmon loaded ours: version '$(get s6_sys_version)', srcversion $(get s6_sys_srcversion) = the DKMS build's" \
		eval '[[ $(get s6_modprobe_rc) == 0 && $(get s6_sys_version) == "$version" && $(get s6_sys_srcversion) == "$srcversion" ]]'
	check 6 "vsockmon-ctl version: $(get s6_version_out | sed 's/ \\n / | /')" \
		eval '[[ $(get s6_version_rc) == 0 ]] && has "$(get s6_version_out)" "^vsockmon-ctl $(re "$version") .*module: vsockmon loaded, version $(re "$version"), dkms, $(re "/lib/modules/$rel/updates/dkms/vsockmon.ko")"'
	check 6 "vsockmon-ctl version --json: module $(jq -c '.module | {state, version, origin, file_matches_loaded}' <<<"$vj" 2>/dev/null)" \
		eval '[[ $(jq -r "[.tool, .module.state, .module.version, .module.origin, .module.file_matches_loaded] | join(\",\")" <<<"$vj") == "$version,loaded,$version,dkms,true" ]]'
	local mtus
	mtus=$(grep -oE '(^| )(min|max)?mtu [0-9]+' <<<"$(get s6_link)" | paste -sd' ')
	check 6 "a monitor's MTU and max MTU are the largest frame a transport builds, 32 + 44 + 65536 = $max_frame (ip -d link: $mtus)" \
		eval 'has "$(get s6_link)" " mtu $max_frame " && has "$(get s6_link)" " maxmtu $max_frame( |$)"'
	check 6 "ethtool -i on a monitor: driver vsockmon, version $version ($(get s6_ethtool_out | sed 's/ \\n / | /g' | cut -c1-60))" \
		eval '[[ $(get s6_up_rc) == 0 && $(get s6_down_rc) == 0 && -z $(get s6_monitors_after) ]] &&
			has "$(get s6_ethtool_out)" "(^| )driver: vsockmon( |$)" && has "$(get s6_ethtool_out)" "(^| )version: ${version//./\\.}( |$)"'

	# --- 7: lifecycle
	check 7 "normal end (-c 3): monitor present while capturing, exit $(get s7_count_rc), gone after" \
		eval '[[ $(get s7_count_present) == 1 && $(get s7_count_rc) == 0 && $(get s7_count_gone) == 1 ]] && has "$(get s7_count_err)" "(^| )3 frames captured"'
	check 7 "normal end (--duration 1): exit $(get s7_duration_rc), no monitor left ('$(get s7_duration_monitors)')" \
		eval '[[ $(get s7_duration_rc) == 0 && -z $(get s7_duration_monitors) ]]'
	check 7 "SIGINT: monitor present, exit $(get s7_INT_rc), gone after" \
		eval '[[ $(get s7_INT_present) == 1 && $(get s7_INT_rc) == 0 && $(get s7_INT_gone) == 1 ]]'
	check 7 "SIGTERM: monitor present, exit $(get s7_TERM_rc), gone after" \
		eval '[[ $(get s7_TERM_present) == 1 && $(get s7_TERM_rc) == 0 && $(get s7_TERM_gone) == 1 ]]'
	j=$(pfacts s7peers)
	check 7 "peers SIGKILLed mid-conversation: the capture lives on (alive $(get s7_peers_alive)), saw the reset ($(conn "$j" 5075 .ops | tail -c 40)), exits 0 and its monitor is gone" \
		eval '[[ $(get s7_peers_alive) == 1 && $(get s7peers_rc) == 0 && $(get s7peers_gone) == 1 ]] && has "$(conn "$j" 5075 .ops)" "RST"'
	check 7 "down of a missing name: exit $(get s7_down_missing_rc), '$(get s7_down_missing_out)'" \
		eval '[[ $(get s7_down_missing_rc) == 1 ]] && has "$(get s7_down_missing_out)" "nosuch0"'
	check 7 "down of a veth: exit $(get s7_down_veth_rc), refused: '$(get s7_down_veth_out)'" \
		eval '[[ $(get s7_down_veth_rc) == 1 ]] && has "$(get s7_down_veth_out)" "not a vsockmon device"'
	check 7 "... and they changed nothing: links '$(get s7_links_after)', list --json unchanged" \
		eval '[[ $(get s7_up_rc) == 0 && -n $(get s7_list_before_out) && $(get s7_list_before_out) == "$(get s7_list_after_out)" && $(get s7_links_before) == "$(get s7_links_after)" && $(get s7_links_after) == *vt0* && $(get s7_links_after) == *vsockmon0* ]]'
	check 7 "a SIGKILLed capture leaves its monitor (left $(get s7_kill_left)); list marks it stale; doctor warns" \
		eval '[[ $(get s7_kill_left) == 1 ]] && has "$(get s7_kill_list_out)" "stale" && has "$(get s7_kill_doctor_out)" "WARN .*stale temporary monitor"'
	local live_r dead_r
	live_r=$(jq -r --arg n "vsmcap$(get s7_kill_pid)" '.[] | select(.name == $n) | .readers' <<<"$(get s7_kill_json_live)" 2>/dev/null)
	dead_r=$(jq -r --arg n "vsmcap$(get s7_kill_pid)" '.[] | select(.name == $n) | .readers' <<<"$(get s7_kill_json)" 2>/dev/null)
	check 7 "list --json counts the capture as a reader of its monitor (${live_r:-?}), the stale monitor has none (${dead_r:-?}): it costs nothing" \
		eval '[[ $live_r =~ ^[0-9]+$ && $live_r -ge 1 && $dead_r == 0 ]]'
	check 7 "the next capture reclaims it (capture exit $(get s7_reclaim_capture_rc), reclaimed $(get s7_reclaimed_by_capture))" \
		eval '[[ $(get s7_reclaim_capture_rc) == 0 && $(get s7_reclaimed_by_capture) == 1 ]]'
	check 7 "down --stale reclaims another (exit $(get s7_down_stale_rc), reclaimed $(get s7_reclaimed_by_down)); no monitor left ('$(get s7_monitors_end)')" \
		eval '[[ $(get s7_kill2_left) == 1 && $(get s7_down_stale_rc) == 0 && $(get s7_reclaimed_by_down) == 1 && -z $(get s7_monitors_end) ]]'

	local fast='' fast_ok=1 i fr rx
	for i in 1 2 3; do
		fr=$(stat_frames "$(get "s7_fast${i}_stats")") rx=$(get "s7_fast${i}_rx")
		fast+="${fr:-?}/${rx:-?} "
		[[ $(get "s7_fast${i}_rc") == 0 ]] && isnum "$fr" && isnum "$rx" && ((rx > 0 && fr == rx)) || fast_ok=0
	done
	check 7 "SIGINT right after a short conversation: the capture keeps every frame its monitor counted (captured/counted: ${fast% })" \
		eq "$fast_ok" 1
	[[ $fast_ok == 1 ]] || note "vsockmon-ctl does not drain libpcap's last TPACKET_V3 block on SIGINT; the loss is not counted as a drop"

	check 7 "after all that, our module unloads: rmmod vsockmon rc $(get ours_rmmod_rc) $(get ours_rmmod_out)" \
		eq "$(get ours_rmmod_rc)" 0

	# --- 5: security
	check 5 "setup: uid $(get s5_plain_uid) outside, uid $(get s5_user_inner_uid) in its user+net namespace, where it may add a veth (rc $(get s5_user_control_rc))" \
		eval '[[ $(get s5_plain_uid) == 1000 && $(get s5_user_inner_uid) == 0 && $(get s5_user_control_rc) == 0 ]]'
	check 5 "unprivileged 'ip link add type vsockmon' refused: $(get s5_user_ip_add_out)" \
		eval '[[ $(get s5_user_ip_add_rc) != 0 ]] && has "$(get s5_user_ip_add_out)" "CAP_NET_ADMIN"'
	check 5 "unprivileged 'vsockmon-ctl up' refused, exit $(get s5_user_ctl_up_rc): $(get s5_user_ctl_up_out | cut -c1-160)" \
		eval '[[ $(get s5_user_ctl_up_rc) == 1 ]] && has "$(get s5_user_ctl_up_out)" "Operation not permitted|CAP_NET_ADMIN"'
	check 5 "unprivileged 'vsockmon-ctl capture' refused, exit $(get s5_user_ctl_capture_rc): $(get s5_user_ctl_capture_out | cut -c1-120)" \
		eval '[[ $(get s5_user_ctl_capture_rc) == 1 ]] && has "$(get s5_user_ctl_capture_out)" "Operation not permitted|CAP_NET_ADMIN"'
	check 5 "no monitor was created, in its namespace ('$(get s5_user_monitors)') or the initial one ('$(get s5_monitors_after)')" \
		eval 'grep -q "^s5_user_monitors=" "$results" && [[ -z $(get s5_user_monitors) && -z $(get s5_monitors_after) && $(get s5_root_down_rc) == 0 ]]'
	check 5 "the kernel logged the refusal: $(get s5_klog | sed 's/ \\n .*//' | cut -c1-120)" \
		has "$(get s5_klog)" "refused a monitor to uid 1000"
	check 5 "the user cannot open a monitor from its namespace: $(get s5_user_read_mon_out)" \
		eval '[[ $(get s5_user_read_mon_rc) == 1 ]] && has "$(get s5_user_read_mon_out)" "No such device"'
	check 5 "an unprivileged AF_PACKET reader on every device of its namespace saw nothing of root's conversation: $(get s5_user_any_out)" \
		eval '[[ $(get s5_user_ready) == 1 && $(get s5_user_any_rc) == 0 && $(get s5_user_rc) == 0 && $(get s5_user_any_out) == "packets 0 bytes 0 matches 0" ]]'
	check 5 "... while root's tcpdump on vsockmon0 read the secret payload ($(get s5_root_saw_secret) times)" \
		eval '[[ $(get s5_root_up_rc) == 0 && $(get s5_sha256) == $(printf %s "$secret" | sha_of) ]] && isnum "$(get s5_root_saw_secret)" && (($(get s5_root_saw_secret) >= 1))'
	check 5 "uid 1000 without a namespace may not read the monitor: tcpdump exit $(get s5_plain_tcpdump_rc), AF_PACKET socket exit $(get s5_plain_pktread_rc), vsockmon-ctl capture -i exit $(get s5_plain_ctl_rc), up exit $(get s5_plain_ctl_up_rc)" \
		eval '[[ $(get s5_plain_tcpdump_rc) != 0 && $(get s5_plain_pktread_rc) == 1 && $(get s5_plain_ctl_rc) == 1 && $(get s5_plain_ctl_up_rc) == 1 ]] &&
			has "$(get s5_plain_tcpdump_out)" "ermission|not permitted" && has "$(get s5_plain_pktread_out)" "not permitted"'
	# the contrast: the kernel's own module, same user, same steps
	local csaw
	csaw=$(sed -n 's/.* matches \([0-9]*\)$/\1/p' <<<"$(get c_user_read_out)")
	echo "# contrast, the in-tree vsockmon of $rel (insmod rc $(get c_insmod_rc), version file: $(get c_version | cut -c1-40)):"
	echo "#   uid 1000 in unshare -Urn: ip link add vsockmon0 type vsockmon rc $(get c_user_ip_add_rc) $(get c_user_ip_add_out | cut -c1-60), its AF_PACKET reader: $(get c_user_read_out) $(get c_user_read_err | sed 's/ \\n / /g' | cut -c1-80)"
	check 5 "contrast: the in-tree module lets the same user create a monitor and read root's payload (the hole ours closes): rc $(get c_user_ip_add_rc), ${csaw:-?} reads" \
		eval '[[ $(get c_insmod_rc) == 0 && $(get c_user_ip_add_rc) == 0 && $(get c_user_ready) == 1 ]] && isnum "$csaw" && ((csaw >= 1))'

	# --- 15: the audit log
	local pid
	pid=$(get s15_reader_pid)
	check 15 "a monitor brought up and read by nobody taps nothing (rx_packets $(get s15_idle_rx) after a conversation) and logs nothing: '$(get s15_up_klog | cut -c1-120)'" \
		eval '[[ $(get s15_idle_rx) == 0 && $(get s15idle_sha256) == $(get s15read_sha256) && -n $(get s15idle_sha256) ]] &&
			grep -q "^s15_up_klog=" "$results" && [[ -z $(get s15_up_klog) ]]'
	check 15 "a reader going promiscuous is logged with its name and pid ($pid): $(get s15_read_klog | grep -o 'started tapping[^\\]*' | cut -c1-120)" \
		eval 'isnum "$pid" && has "$(get s15_read_klog)" "vsma0: started tapping all vsock traffic \(uid 0 pid $pid comm pktread\)" &&
			(($(matches "$(get s15_read_out)") >= 1))'
	check 15 "the poll logs the tap's removal once the reader is gone: $(get s15_read_klog | grep -o 'stopped tapping[^\\]*' | cut -c1-80)" \
		has "$(get s15_read_klog)" "vsma0: stopped tapping all vsock traffic \(reader poll\)"
	check 15 "ip link set down with no reader logs nothing: '$(get s15_down_klog | cut -c1-120)'" \
		eval 'grep -q "^s15_down_klog=" "$results" && [[ -z $(get s15_down_klog) ]]'
	judge_wireshark # 17, in wireshark-judge.sh

	klog_checks "$bootdir/artefacts/dmesg-ours.txt"
}

judge_virtio() {
	bootdir=$1 bootname=virtio
	use_results "$bootdir/results.txt"
	local peer j doc r f n opts
	peer=$(tail -n 1 "$bootdir/../virtio-host/peer.out" 2>/dev/null)
	pget() { sed -n "s/.*\(^\| \)$1=\([^ ]*\).*/\2/p" <<<"$peer"; }
	check klog "virtio boot: the guest ran the scenario to its end (run-vm exit $virtio_rc)" \
		eval '[[ $virtio_rc == 0 && $(get end) == 1 ]]'
	check 2 "the guest has a virtio vsock device (id 19: $(get virtio_devices)) and its transport loaded (rc $(get modprobe_virtio_transport_rc))" \
		eval '[[ $(get modprobe_virtio_transport_rc) == 0 && " $(get virtio_devices) " == *" 0x0013 "* ]]'
	check 2 "guest -> host: socat in the guest sent the file to CID 2 port 5021; the host's copy (through vhost-device-vsock) equals it" \
		eval '[[ $(get to_host_rc) == 0 && $(pget recv_sha256) == "$file_sha" && $(pget recv_bytes) == "$file_size" ]]'
	check 2 "host -> guest: the host sent the file to CID 3 port 5022; the guest's copy equals it ($(get from_host_bytes) bytes)" \
		eval '[[ $(get from_host_rc) == 0 && $(get from_host_sha256) == "$file_sha" && $(pget sent_sha256) == "$file_sha" ]]'
	[[ -z $(pget error) ]] || note "host peer: $peer"
	capture_checks 2 s2
	j=$(pfacts s2)
	check 2 "s2: the two virtio conversations and the loopback one, no stray frame ($(jf "$j" '.conns | length') connections, $(jf "$j" .strays) strays)" \
		eval '[[ $(jf "$j" ".conns | length") == 3 && $(jf "$j" .strays) == 0 ]]'
	conn_checks 2 s2 5021 3 2 "$file_sha" "$file_size" "guest->host"
	conn_checks 2 s2 5022 2 3 "$file_sha" "$file_size" "host->guest"

	# --- 4: CID filters, virtio and loopback traffic at the same time
	check 4 "loopback conversation (CID 1, port 5023) at the same time as the virtio ones: frames $(conn "$j" 5023 '"\(.first_frame)-\(.last_frame)"') vs $(conn "$j" 5021 '"\(.first_frame)-\(.last_frame)"'), $(conn "$j" 5022 '"\(.first_frame)-\(.last_frame)"')" \
		eval '[[ $(get loop_sha256) == $(head -c 131072 "$out/file.bin" | sha_of) && $(conn "$j" 5023 .client_cid) == 1 ]] &&
			(( $(conn "$j" 5023 .first_frame) < $(conn "$j" 5022 .last_frame) && $(conn "$j" 5021 .first_frame) < $(conn "$j" 5023 .last_frame) ))'
	for f in "s4cid --cid 3" "s4dst --dst-cid 2" "s4src --src-cid 1"; do
		read -r n opts <<<"$f"
		# shellcheck disable=SC2086
		r=$("$VM_DIR/vsock-pcap" filter "$bootdir/artefacts/s2.pcap" "$bootdir/artefacts/$n.pcap" $opts 2>&1)
		check 4 "capture $opts holds exactly the matching frames of the unfiltered capture: $r (exit $(get "${n}_rc"), '$(get "${n}_stats")')" \
			eval '[[ $r == match:* && $(get ${n}_rc) == 0 && $(stat_drops "$(get ${n}_stats)") == 0 ]]'
	done

	check 2 "after the virtio captures, our module unloads: rmmod vsockmon rc $(get rmmod_rc) $(get rmmod_out)" \
		eq "$(get rmmod_rc)" 0
	doc=$(get s9_doctor_out)
	check 9 "doctor in the virtio guest (exit $(get s9_doctor_rc)): virtio transport tapped" \
		eval '[[ $(get s9_doctor_rc) == 0 ]] && has "$doc" "OK +transport virtio \(guest\) \(vmw_vsock_virtio_transport\) loaded; its traffic is visible"'
	klog_checks "$bootdir/artefacts/dmesg-ours.txt"
}

print_table() {
	local s k line
	echo "#"
	line=$(printf '# %-28s' "scenario")
	for k in "${kernels[@]}"; do line+=$(printf ' %-8s' "$k"); done
	echo "$line"
	for s in "${scenario_rows[@]}"; do
		line=$(printf '# %-28s' "$([[ $s =~ ^[0-9]+$ ]] && echo "$s ")${scenario_name[$s]}")
		for k in "${kernels[@]}"; do line+=$(printf ' %-8s' "${verdict[$k,$s]:--}"); done
		echo "$line"
	done
	for k in "${kernels[@]}"; do
		[[ -f $out/$k/params ]] || continue
		echo "# time $k: $(sed -n 's/^timings=//p' "$out/$k/params" | sed 's/\\//g'), $(sed -n 's/^boot_s=//p' "$out/$k/params") s"
	done
}

# The self-test: deliberately broken modules must make scenario 1 fail.
broken_selftest() {
	local v rel kdir src sout rc=0 f1 sp=0 sf=0
	kdir=$("$VM_DIR/fetch-kernel" --series 6.1 --suite bookworm) || die "fetch-kernel 6.1 failed"
	rel=$(<"$kdir/release")
	need_cmds make:make gcc:gcc "linux-headers-$rel:/lib/modules/$rel/build/Makefile"
	build_tools
	head -c $((1048576 + 4099)) /dev/urandom >"$out/file.bin"
	seq_sizes="100 5000e 70000 1 65536e" secret="vsockmon-e2e-selftest" top_interval=10
	file_sha=$(sha256sum <"$out/file.bin" | cut -d' ' -f1)
	file_size=$(stat -c %s "$out/file.bin")
	for v in queue xmit; do
		sout=$out/broken-$v
		rm -rf "$sout"
		mkdir -p "$sout/src/src"
		src=$sout/src
		# a copy of the module sources, patched there: src/module is never touched
		cp -r "$REPO_ROOT/dkms.conf" "$REPO_ROOT/include" "$src/"
		cp -r "$REPO_ROOT/src/module" "$src/src/"
		make -s -C "$src/src/module" clean >/dev/null 2>&1 || true
		"$VM_DIR/broken/make-broken" "$v" "$src/src/module" || die "make-broken $v failed"
		make -s -C "$src/src/module" KVER="$rel" >"$sout/build.log" 2>&1 || die "building the broken ($v) module failed: $(tail -n 5 "$sout/build.log")"
		mkdir -p "$sout/module"
		cp "$src/src/module/vsockmon.ko" "$sout/module/"
		"$VM_DIR/make-initramfs" --kernel "$kdir" --module "$sout/module/vsockmon.ko" --module-dir updates/dkms \
			--file "$ctl:/usr/sbin/vsockmon-ctl" --file "$out/tools/vsockseq:/usr/bin/vsockseq" --file "$out/tools/pktread:/usr/bin/pktread" \
			--file "$VM_DIR/scenarios/e2e-lib.sh:/usr/lib/e2e-lib.sh" --out "$sout/initramfs.img" 2>"$sout/initramfs.log" ||
			die "make-initramfs failed"
		log "booting 6.1 with the broken ($v) module"
		main_rc=0
		"$VM_DIR/run-vm" --kernel "$kdir" --initrd "$sout/initramfs.img" \
			--scenario "$VM_DIR/scenarios/e2e-main.sh" --out "$sout/main" --timeout 600 \
			--add "$out/file.bin:/e2e/file.bin" --env FILE=/e2e/file.bin --env "SEQ_SIZES=$seq_sizes" \
			--env "SECRET=$secret" --env "TOP_INTERVAL=$top_interval" "${verbose[@]}" 2>/dev/null || main_rc=$?
		cur_kernel="6.1-broken-$v" ko=$sout/module/vsockmon.ko srcversion=$(modinfo -F srcversion "$ko")
		echo "# ---- 6.1 with the module broken on purpose ($v): $("$VM_DIR/broken/make-broken" --describe "$v")"
		set +e
		f1=$( { judge_main "$sout/main"; } | tee "$sout/judge.txt" | grep -c '^not ok - \[[^ ]* s1\]' || true)
		grep -E '^(not ok|ok) - \[[^ ]* s1\]' "$sout/judge.txt" | sed 's/^/#   /'
		if ((f1 > 0)); then
			echo "ok - broken module ($v): scenario 1 FAILED as it must ($f1 of its checks failed)"
			sp=$((sp + 1))
		else
			echo "not ok - broken module ($v): scenario 1 passed: the suite cannot see this breakage"
			sf=$((sf + 1))
			rc=1
		fi
		set -e
	done
	echo "$sp passed, $sf failed"
	return "$rc"
}
