# shellcheck shell=bash
# The host half of tests/vm/stress: its checks, judged from the facts the
# guest reported (results.txt) and the captures it brought out. Built on
# e2e-judge.sh's helpers (check, skip, get, pfacts, conn, ...). Sourced by
# stress, which sets out, version, cycles, monitors.

. "$VM_DIR/e2e-judge.sh"
# shellcheck disable=SC2034 # read by e2e-judge.sh's print_table
scenario_rows=(build 1 2 3 4 5 klog)
# shellcheck disable=SC2034
scenario_name=(
	[build]="module" [1]="cycles under load" [2]="many monitors, readers"
	[3]="rmmod, del under capture" [4]="hostile rtnetlink" [5]="stale monitor reclaimed"
	[klog]="kernel log clean"
)

# What no boot of ours may print (KASAN, lockdep, kmemleak: debug kernels).
bad_klog='WARNING:|BUG:|Oops|general protection fault|refcount|list_add corruption|list_del corruption|KASAN|possible circular locking|inconsistent lock state|BUG: sleeping function|kmemleak: .*suspected memory leak|blocked for more than|UBSAN'

# pcap_compare REF PCAP...: per capture "NAME frames N dirs D same 0|1 first
# difference", its frames compared with REF's in each direction (two
# monitors may interleave the directions differently). Decoded with
# pcap-vsock (stdlib Python): 64 captures would take long through tshark.
pcap_compare() {
	python3 - "$VM_DIR/pcap-vsock" "$@" <<'EOF'
import hashlib, importlib.machinery, importlib.util, os, sys
loader = importlib.machinery.SourceFileLoader("pcap_vsock", sys.argv[1])
spec = importlib.util.spec_from_loader("pcap_vsock", loader)
pv = importlib.util.module_from_spec(spec)
loader.exec_module(pv)

def dirs(path):
    d, n = {}, 0
    with open(path, "rb") as fh:
        it = pv.frames(fh.read())
        next(it)
        for n, fr in enumerate(it, 1):
            f = pv.describe(n, fr)
            k = (f.get("src_cid"), f.get("src_port"), f.get("dst_cid"), f.get("dst_port"))
            d.setdefault(k, []).append((f.get("op"), f.get("vop"), f.get("flags"),
                                        hashlib.sha256(fr[32:]).hexdigest()))
    return n, d

ref_n, ref = dirs(sys.argv[2])
for p in sys.argv[3:]:
    name = os.path.basename(p)[:-5]
    try:
        n, d = dirs(p)
    except (OSError, ValueError) as e:
        print(name, "frames ? dirs 0 same 0", e)
        continue
    diff = ""
    for k in sorted(set(ref) | set(d), key=str):
        a, b = ref.get(k, []), d.get(k, [])
        if a != b:
            i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            diff = "%s:%s>%s:%s differs at its frame %d (reference %d, here %d)" % (k + (i + 1, len(a), len(b)))
            break
    print(name, "frames", n, "dirs", len(d), "same", 0 if diff else 1, diff)
EOF
}

stress_judge_kernel() {
	local label=$1 kout=$out/$1
	# shellcheck disable=SC2034 # set by params, some only used in eval'd checks
	local rel='' ko='' build_err='' vm_rc='' srcversion='' timings='' boot_s='' fallback=''
	load_kernel_params "$label" || return 0
	if [[ $label == given ]]; then
		check build "module given (--module), for $rel: $(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" \
			eval '[[ -n $ko && $(modinfo -F vermagic "$ko" 2>/dev/null) == "$rel "* ]]'
	else
		check build "vsockmon $version built by DKMS in a chroot of the kernel's distribution for $rel${build_err:+: $build_err}" \
			eval '[[ -n $ko && -z $build_err ]]'
	fi
	if [[ -z $ko ]]; then
		for s in 1 2 3 4 5; do skip "$s" "all checks" "no module for $rel"; done
		return
	fi
	bootdir=$kout/vm bootname=stress
	use_results "$bootdir/results.txt"
	judge_s1
	judge_s5
	judge_s2
	judge_s3
	judge_s4
	judge_klog
}

file_frames() { sed -n 's/^\([0-9]\+\) frames\? captured, .*/\1/p' <<<"$1"; } # vsockmon-ctl capture -r

judge_s1() {
	# shellcheck disable=SC2034 # checks are eval'd strings
	local bulk_sha n ok=0 bad='' i fr drops rx st
	bulk_sha=$(sha_of <"$out/bulk.bin")
	check 1 "modprobe vsockmon loaded ours: version '$(get sys_version)' from $(get modinfo_path | sed 's|.*/lib/modules/[^/]*/||')" \
		eval '[[ $(get modprobe_vsockmon_rc) == 0 && $(get sys_version) == "$version" && $(get modinfo_path) == */updates/dkms/vsockmon.ko ]]'
	check 1 "$(get s1_nl_out | cut -d' ' -f2) of $cycles cycles of create, up (every other one promiscuous: tap added), down, delete in $(get s1_nl_seconds) s ($(get s1_nl_out | cut -c1-200))" \
		eval '[[ $(get s1_nl_rc) == 0 && $(get s1_nl_out) == "cycles $cycles failures 0" ]]'
	check 1 "meanwhile $(get s1_ctl_cycles) cycles of vsockmon-ctl up + down (create, up, down, delete), $(get s1_ctl_failures) failed" \
		eval 'isnum "$(get s1_ctl_cycles)" && (($(get s1_ctl_cycles) >= 10)) && [[ $(get s1_ctl_failures) == 0 ]]'
	check 1 "meanwhile $(get s1_ip_cycles) cycles of ip link add, set up promisc on (tap added), set down, del, $(get s1_ip_failures) failed; $(get s1_seconds) s for all cycles" \
		eval 'isnum "$(get s1_ip_cycles)" && (($(get s1_ip_cycles) >= 10)) && [[ $(get s1_ip_failures) == 0 ]]'
	[[ -z $(get s1_cycle_err) ]] || note "cycle errors: $(get s1_cycle_err | cut -c1-300)"
	n=$(get s1x_count)
	isnum "$n" || n=0
	for ((i = 1; i <= n; i++)); do
		if [[ $(get "s1x${i}_send_rc") == 0 && $(get "s1x${i}_sha256") == "$bulk_sha" ]]; then
			ok=$((ok + 1))
		else
			bad+=" #$i ($(get "s1x${i}_bytes") bytes, send rc $(get "s1x${i}_send_rc"))"
		fi
	done
	check 1 "bulk transfers over loopback during the cycles ($(get s1_bulk_seconds) s): $ok of $n arrived intact ($(stat -c %s "$out/bulk.bin") bytes each, sha256 compared)${bad:+; bad:$bad}" \
		eval '((n >= 2 && ok == n))'
	st=$(get s1cap_stats)
	# shellcheck disable=SC2034 # checks are eval'd strings
	fr=$(stat_frames "$st") drops=$(stat_drops "$st") rx=$(get s1cap_rx_packets)
	check 1 "a capture on another monitor ran through it all (ready $(get s1cap_ready), exit $(get s1cap_rc)): '$st', $(file_frames "$(get s1cap_file)") frames in its file, rx_packets $rx" \
		eval '[[ $(get s1cap_ready) == 1 && $(get s1cap_rc) == 0 ]] && isnum "$fr" && isnum "$drops" && isnum "$rx" &&
			((fr > 0 && fr + drops == rx)) && [[ $(file_frames "$(get s1cap_file)") == "$fr" ]]'
	check 1 "no monitor left after the cycles ('$(get s1_monitors_after)'), module refcount $(get s1_refcnt)" \
		eval '[[ $(get s1_cap_down_rc) == 0 && -z $(get s1_monitors_after) && $(get s1_refcnt) == 0 ]]'
	check 1 "then rmmod vsockmon unloads it (rc $(get s1_rmmod_rc) $(get s1_rmmod_out)), and modprobe loads it again" \
		eval '[[ $(get s1_rmmod_rc) == 0 && $(get s1_loaded_after) == 0 && $(get s1_modprobe_rc) == 0 ]]'
}

judge_s5() {
	local pid
	pid=$(get s5_pid)
	check 5 "after the cycles, a SIGKILLed capture leaves vsmcap$pid (left $(get s5_left)); the next capture (exit $(get s5_next_rc)) reclaims it: '$(get s5_next_out | sed 's/ \\n / | /g' | cut -c1-150)'" \
		eval '[[ $(get s5_left) == 1 && $(get s5_next_rc) == 0 && $(get s5_reclaimed) == 1 && -z $(get s5_monitors_after) ]] &&
			has "$(get s5_next_out)" "removed stale temporary monitor vsmcap$pid"'
}

judge_s2() {
	# shellcheck disable=SC2034 # checks are eval'd strings
	local j i a_sha b_sha cmp line fr same diff rx ok_rd bad_same='' bad_rx='' bad_rd='' n_same=0 n_rx=0 n_rd=0 td ref_frames
	# shellcheck disable=SC2034 # checks are eval'd strings
	a_sha=$(sha_of <"$out/a.bin") b_sha=$(sha_of <"$out/b.bin")
	check 2 "$(get s2_monitors) of $monitors monitors up at once ($(get s2_up_failures) failures: $(get s2_up_err | cut -c1-100)), $(get s2_readers_ready) readers ready, $(get s2_taps_registered) taps registered (kernel log, dynamic debug rc $(get s2_dyndbg_rc))" \
		eval '[[ $(get s2_monitors) == "$monitors" && $(get s2_up_failures) == 0 && $(get s2_readers_ready) == "$monitors" && $(get s2_taps_registered) == "$monitors" ]]'
	check 2 "the workload arrived intact: socat $(get s2a_bytes) bytes to 1:7001, ncat $(get s2b_bytes) bytes to 1:7002" \
		eval '[[ $(get s2a_sha256) == "$a_sha" && $(get s2b_sha256) == "$b_sha" ]]'
	# the reference: reader 0, decoded by tshark and tcpdump, against the files
	j=$(pfacts s2_0)
	ref_frames=$(jf "$j" .frames)
	check 2 "reference capture (m0): tshark and tcpdump agree on $ref_frames frames, exactly the two conversations ($(jf "$j" '.conns | length') connections, $(jf "$j" .strays) strays)" \
		eval '[[ $(jf "$j" .decoders_agree) == true && $(jf "$j" ".conns | length") == 2 && $(jf "$j" .strays) == 0 && $(jf "$j" .non_virtio) == 0 ]]'
	check 2 "reference capture: payload per direction equals what was sent (7001: $(conn "$j" 7001 .bytes_c2s)/$(conn "$j" 7001 .bytes_s2c), 7002: $(conn "$j" 7002 .bytes_c2s)/$(conn "$j" 7002 .bytes_s2c) bytes), real op sequences" \
		eval '[[ $(conn "$j" 7001 .sha256_c2s) == "$a_sha" && $(conn "$j" 7001 .bytes_s2c) == 0 && $(conn "$j" 7002 .sha256_c2s) == "$b_sha" && $(conn "$j" 7002 .bytes_s2c) == 0 &&
			$(conn "$j" 7001 .seq_ok) == true && $(conn "$j" 7002 .seq_ok) == true ]]'
	# every capture against another one: m1... against the reference m0,
	# and m0 against m1 (never a capture against itself)
	local pcaps=()
	for ((i = 1; i < monitors; i++)); do pcaps+=("s2_$i.pcap"); done
	cmp=$(cd "$bootdir/artefacts" && {
		((monitors < 2)) || pcap_compare s2_1.pcap s2_0.pcap
		pcap_compare s2_0.pcap "${pcaps[@]}"
	} 2>&1)
	for ((i = 0; i < monitors; i++)); do
		line=$(grep "^s2_$i " <<<"$cmp")
		read -r _ _ fr _ _ _ same diff <<<"$line"
		rx=$(get "s2_${i}_rx_packets")
		if [[ $same == 1 ]]; then n_same=$((n_same + 1)); else bad_same+=" m$i(${diff:-no capture})"; fi
		if [[ -n $fr && $fr == "$rx" && $fr == "$ref_frames" ]]; then n_rx=$((n_rx + 1)); else bad_rx+=" m$i($fr/$rx)"; fi
		if [[ " $(get s2_tcpdump_readers) " == *" $i "* ]]; then
			[[ $(get "s2_${i}_rc") == 0 ]] && has "$(get "s2_${i}_err")" " 0 packets dropped by kernel" && ok_rd=1 || ok_rd=0
		else
			[[ $(get "s2_${i}_rc") == 0 && $(stat_drops "$(get "s2_${i}_stats")") == 0 ]] &&
				has "$(get "s2_${i}_err")" "capturing on m$i," && ok_rd=1 || ok_rd=0
		fi
		if ((ok_rd)); then n_rd=$((n_rd + 1)); else bad_rd+=" m$i"; fi
	done
	td=$(wc -w <<<"$(get s2_tcpdump_readers)")
	# libpcap's TPACKET_V3 blocks are 256 KiB and can each be handed over
	# with one frame: a ring of more blocks than frames cannot drop
	ring_mib=$(get s2_ring_mib) ring_blocks=0
	! isnum "$ring_mib" || ring_blocks=$((ring_mib * 4))
	check 2 "each reader's ring (${ring_mib:-?} MiB: $ring_blocks blocks of 256 KiB) holds the whole workload ($ref_frames frames), so a reader the scheduler starves drops nothing" \
		eval 'isnum "$ref_frames" && ((ref_frames < ring_blocks))'
	check 2 "every reader ($((monitors - td)) vsockmon-ctl capture, $td tcpdump -p) ran, exited 0 on SIGINT and dropped nothing: $n_rd of $monitors${bad_rd:+; not:$bad_rd}" \
		eval '((n_rd == monitors))'
	check 2 "every capture holds the reference's frames, in the reference's order in each direction (payload hashed; m0 against m1, the others against m0): $n_same of $monitors${bad_same:+; not:$(cut -c1-300 <<<"$bad_same")}" \
		eval '((monitors >= 2 && n_same == monitors))'
	check 2 "every capture's frame count = its monitor's rx_packets (read once the conversations closed and the tcpdump files caught up: $(get s2_settled)) = the reference's $ref_frames: $n_rx of $monitors${bad_rx:+; not:$(cut -c1-200 <<<"$bad_rx")}" \
		eval '((n_rx == monitors)) && isnum "$ref_frames" && ((ref_frames > 0))'
	check 2 "vsockmon-ctl down --all removed them (exit $(get s2_down_all_rc)), none left ('$(get s2_monitors_after)')" \
		eval '[[ $(get s2_down_all_rc) == 0 && -z $(get s2_monitors_after) ]]'
}

judge_s3() {
	# shellcheck disable=SC2034 # checks are eval'd strings
	local n what fr rx pk
	check 3 "a monitor that is down (no tap) holds the module: refcnt $(get s3_refcnt_down), rmmod refused (rc $(get s3_rmmod_down_rc)): '$(get s3_rmmod_down_out)', the monitor still there ($(get s3_dn_after))" \
		eval '[[ $(get s3_dn_add_rc) == 0 && $(get s3_refcnt_down) == 1 && $(get s3_rmmod_down_rc) != 0 && $(get s3_dn_after) == 1 ]] && has "$(get s3_rmmod_down_out)" "in use"'
	check 3 "each of the $(get s2_monitors) idle monitors holds a module reference: refcnt $(get s2_refcnt_idle) ($(get s2_refcnt_reading) while read)" \
		eq "$(get s2_refcnt_idle)" "$monitors"
	check 3 "rmmod with $monitors idle monitors refused (rc $(get s3_rmmod_idle_rc)): '$(get s3_rmmod_idle_out)'; $(get s3_monitors_after_idle) monitors still there" \
		eval '[[ $(get s3_rmmod_idle_rc) != 0 && $(get s3_monitors_after_idle) == "$monitors" ]] && has "$(get s3_rmmod_idle_out)" "in use"'
	check 3 "rmmod with $monitors monitors being read refused (rc $(get s3_rmmod_busy_rc)): '$(get s3_rmmod_busy_out)'; the readers read on (scenario 2's checks)" \
		eval '[[ $(get s3_rmmod_busy_rc) != 0 && $(get s2_monitors_after_readers) == "$monitors" ]] && has "$(get s3_rmmod_busy_out)" "in use" &&
			[[ ${verdict[$cur_kernel,2]:-} == pass ]]'
	for n in s3del s3tmp; do
		[[ $n == s3del ]] && what="a standing monitor (capture -i $(get s3del_ifname))" || what="its temporary monitor ($(get s3tmp_ifname))"
		fr=$(stat_frames "$(get "${n}_err" | sed 's/.* \\n //')") rx=$(get "${n}_rx_packets")
		check 3 "ip link del of $what under a running capture (del rc $(get "${n}_del_rc")): the capture ends (ended $(get "${n}_ended")) with exit $(get "${n}_rc") and says why: '$(get "${n}_err" | sed 's/ \\n / | /g' | cut -c1-200)'" \
			eval '[[ $(get ${n}_ready) == 1 && $(get ${n}_del_rc) == 0 && $(get ${n}_ended) == 1 && $(get ${n}_rc) == 1 ]] &&
				has "$(get ${n}_err)" "$(get ${n}_ifname): .*(deleted|disappeared|went away|removed)"'
		if [[ $n == s3del ]]; then
			check 3 "... and the frames captured before are in its file: $(jf "$(pfacts "$n")" .frames) frames = the tool's count ${fr:-?} = rx_packets once the conversation closed, before the del, $rx" \
				eval 'isnum "$rx" && ((rx > 0)) && [[ $(jf "$(pfacts $n)" .frames) == "$rx" && $fr == "$rx" && $(jf "$(pfacts $n)" .decoders_agree) == true ]]'
		else
			pk=$(sed -n 's/^packets \([0-9]*\) .*/\1/p' <<<"$(get s3tmp_pktread)")
			check 3 "... deleted while a conversation flowed: the file keeps the frames still in libpcap's ring: $(jf "$(pfacts "$n")" .frames) frames = the tool's count ${fr:-?} = what a plain AF_PACKET reader on it got (${pk:-?}) >= rx_packets just before the del $rx" \
				eval 'isnum "$rx" && isnum "$fr" && isnum "$pk" && ((rx > 0 && fr >= rx && fr == pk)) && [[ $(jf "$(pfacts $n)" .frames) == "$fr" && $(jf "$(pfacts $n)" .decoders_agree) == true ]]'
		fi
	done
	check 3 "no monitor left ('$(get s3_monitors_after)')" eval '[[ -z $(get s3_monitors_after) ]]'
}

judge_s4() {
	# shellcheck disable=SC2034 # checks are eval'd strings
	local before h desc want t out
	before=$(get s4_links_before)
	echo "# hostile requests (rc, what the tool printed), h1 is a standing monitor; links before: $before"
	for t in \
		"s4_addr|ip link add h0 address 00:11:22:33:44:55 type vsockmon (IFLA_ADDRESS)|link-layer address" \
		"s4_brd|ip link add h0 broadcast 00:11:22:33:44:55 type vsockmon (IFLA_BROADCAST)|link-layer address" \
		"s4_mtu_low|ip link add h0 mtu 31 type vsockmon (minimum 32)|mtu less than device minimum" \
		"s4_mtu_high|ip link add h0 mtu 65613 type vsockmon (maximum 65612)|mtu greater than device maximum" \
		"s4_set_mtu_low|ip link set h1 mtu 31|mtu less than device minimum" \
		"s4_set_mtu_high|ip link set h1 mtu 65613|mtu greater than device maximum" \
		"s4_data|nlnewlink h0 vsockmon 1 (IFLA_INFO_DATA with attribute 1)|IFLA_INFO_DATA" \
		"s4_data_empty|nlnewlink h0 vsockmon (empty IFLA_INFO_DATA)|IFLA_INFO_DATA" \
		"s4_data_unknown|nlnewlink h0 vsockmon 9 (IFLA_INFO_DATA with attribute 9)|IFLA_INFO_DATA|[Aa]ttribute" \
		"s4_netns|ip link set h1 netns PID (netns local)|netns local|netns is immutable"; do
		IFS='|' read -r h desc want <<<"$t"
		out=$(get "${h}_out")
		want="^Error: .*($want)"
		# the core refuses a netns move (netns_local); kernels before 2025
		# give no text with it, and the module has no say there
		[[ $h == s4_netns && $out == "RTNETLINK answers: Invalid argument" ]] &&
			want="^RTNETLINK answers: Invalid argument\$" desc+=", no extack text from this kernel's core"
		check 4 "refused: $desc: rc $(get "${h}_rc"), '$out'; nothing changed" \
			eval '[[ $(get ${h}_rc) != 0 && $(get ${h}_links) == "$before" ]] && has "$(get ${h}_h1)" " mtu 65612 " && has "$out" "$want"'
	done
	check 4 "... and h1 did not move to the other namespace (there: '$(get s4_netns_other)')" \
		eval '[[ -n $(get s4_netns_other) && " $(get s4_netns_other)" != *" h1 "* ]]'
	for t in "s4_user_addr|address" "s4_user_mtu|mtu 31" "s4_user_data|IFLA_INFO_DATA"; do
		IFS='|' read -r h desc <<<"$t"
		check 4 "uid 1000 in unshare -Urn, with $desc: the privilege refusal: rc $(get "${h}_rc"), '$(get "${h}_out" | cut -c1-140)'" \
			eval '[[ $(get ${h}_rc) != 0 ]] && has "$(get ${h}_out)" "^Error: .*CAP_NET_ADMIN in the initial user namespace"'
	done
	check 4 "... and no monitor in its namespace ('$(get s4_user_links)', script exit $(get s4_user_rc))" \
		eval '[[ $(get s4_user_rc) == 0 && $(get s4_user_links) == "lo " ]]'
	check 4 "controls, sane requests work: ip link add mtu 32 (rc $(get s4_ok_mtu_rc)), ip link set h1 mtu 1500 (rc $(get s4_ok_set_mtu_rc), now $(get s4_ok_set_mtu_value)), nlnewlink without IFLA_INFO_DATA ('$(get s4_ok_data_out)'), a veth moves to the other namespace ($(get s4_ok_netns_veth))" \
		eval '[[ $(get s4_ok_mtu_rc) == 0 && $(get s4_ok_mtu_del_rc) == 0 && $(get s4_ok_set_mtu_rc) == 0 && $(get s4_ok_set_mtu_value) == 1500 &&
			$(get s4_ok_data_out) == ok && $(get s4_ok_data_del_rc) == 0 && $(get s4_ok_netns_veth) == 1 && " $(get s4_ok_netns_other)" == *" sv1 "* ]]'
	check 4 "at the end no monitor is left ('$(get end_monitors)') and rmmod vsockmon unloads (rc $(get end_rmmod_rc) $(get end_rmmod_out))" \
		eval '[[ $(get end_down_all_rc) == 0 && -z $(get end_monitors) && $(get end_rmmod_rc) == 0 ]]'
}

judge_klog() {
	# shellcheck disable=SC2034 # checks are eval'd strings
	local d=$bootdir/artefacts/dmesg.txt hits k
	check klog "the guest ran the scenario to its end (run-vm exit $vm_rc)" \
		eval '[[ $vm_rc == 0 && $(get end) == 1 ]]'
	hits=$(grep -E "$bad_klog" "$d" 2>/dev/null | sed -n 1,3p | cut -c1-160 | paste -sd'|')
	check klog "kernel log of the whole boot ($(wc -l <"$d" 2>/dev/null || echo 0) lines) has no WARNING, BUG, Oops, refcount, list corruption, KASAN, lockdep, sleeping-function or kmemleak line${hits:+: $hits}" \
		eval '[[ -s $d ]] && [[ -z $hits ]]'
	if [[ $(get kmemleak) == 1 ]]; then
		k=$bootdir/artefacts/kmemleak-stress.txt
		check klog "kmemleak scan after the last rmmod: $(get kmemleak_objects) unreferenced objects$(grep -m1 -A12 'unreferenced object' "$k" 2>/dev/null | grep -E '^\s+\[<' | sed -n 1,4p | sed 's/.*\] //' | paste -sd' ' | sed 's/^/: /')" \
			eq "$(get kmemleak_objects)" 0
	else
		skip klog "kmemleak scan" "kernel $rel has no kmemleak"
	fi
}
