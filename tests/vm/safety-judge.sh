# shellcheck shell=bash
# The host half of the e2e suite's safety boot (scenarios/e2e-safety.sh,
# issue 11): scenarios 10-14. Sourced by e2e after e2e-judge.sh, whose
# check/skip/get helpers it uses. Scenario 16 (issue 23): only the initial
# network namespace has monitors.

scenario_rows=(build 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 klog)
scenario_name+=(
	[10]="modprobe rule" [11]="foreign namespaces" [12]="no upper device"
	[13]="promisc vs poll" [14]="vsock netns" [16]="initial netns only"
)

# matches OUT: M of pktread's "packets N bytes B matches M", or nothing
matches() { sed -n 's/.*matches \([0-9]\+\).*/\1/p' <<<"$1"; }
refused_userns='may only be created in a network namespace of the initial user namespace'
refused_netns='may only be created in the initial network namespace \(module parameter insecure_allow_netns=1 allows others\)'
# got FACT: the guest reported FACT (possibly empty)
got() { grep -q "^$1=" "$results"; }

# refused_nothing_loaded NAME WHAT: uid 1000's try NAME loaded no vsockmon
refused_nothing_loaded() {
	# shellcheck disable=SC2034 # checks are eval'd strings
	local n=$1 what=$2
	check 10 "$what: uid 1000's 'unshare -Urn ip link add type vsockmon' failed ($(get "${n}_add" | cut -c1-80)), loaded no vsockmon ($(get "${n}_loaded")) and read nothing ($(get "${n}_read"))" \
		eval '[[ $(get ${n}_add_rc) != 0 && $(get ${n}_loaded) == none && $(get ${n}_read) == "no monitor" ]]'
}

judge_safety() {
	bootdir=$1 bootname=safety
	use_results "$bootdir/results.txt"
	# shellcheck disable=SC2034 # checks are eval'd strings
	local p m
	check klog "safety boot: the guest ran the scenario to its end (run-vm exit $safety_rc)" \
		eval '[[ $safety_rc == 0 && $(get end) == 1 ]]'

	# --- 10: the package's modprobe rule
	check 10 "the package's rule is in place: $(get rule)" \
		has "$(get rule)" '^install vsockmon /usr/libexec/vsockmon/modprobe-vsockmon'
	check 10 "no DKMS build: modprobe would pick the in-tree driver ($(get s10a_modinfo_path))" \
		has "$(get s10a_modinfo_path)" '/kernel/drivers/net/vsockmon\.ko'
	refused_nothing_loaded s10a "no DKMS build"
	check 10 "no DKMS build: root's 'modprobe vsockmon' refuses with the reason (rc $(get s10a_modprobe_rc): $(get s10a_modprobe_out | cut -c1-120)...)" \
		eval '[[ $(get s10a_modprobe_rc) != 0 && $(get s10a_loaded_after) == none ]] &&
			has "$(get s10a_modprobe_out)" "refusing the kernel.s own driver .*install linux-headers-"'
	check 10 "no DKMS build: doctor says so and names the rule that refuses the in-tree driver: $(grep -o 'vsockmon for this kernel is not built[^;]*' <<<"$(get s10a_doctor_out)")" \
		has "$(get s10a_doctor_out)" "FAIL +vsockmon for this kernel is not built: install linux-headers-$(re "$rel") .*refused by .*/modprobe.d/vsockmon.conf"
	check 10 "contrast, the rule removed: the same user loads the in-tree driver ($(get s10c_loaded)) and reads root's traffic ($(get s10c_read))" \
		eval '[[ $(get s10c_add_rc) == 0 && $(get s10c_loaded) == in-tree && $(matches "$(get s10c_read)") -ge 1 ]]'
	check 10 "contrast: doctor warns that the in-tree driver is loaded: $(grep -o 'the in-tree vsockmon driver is loaded[^;]*' <<<"$(get s10c_doctor_out)")" \
		has "$(get s10c_doctor_out)" "WARN +the in-tree vsockmon driver is loaded"
	check 10 "DKMS build present: the user's request autoloads ours ($(get s10b_loaded)), which refuses it: $(get s10b_add | cut -c1-100)" \
		eval '[[ $(get s10b_add_rc) != 0 && $(get s10b_loaded) == "$version" && $(get s10b_read) == "no monitor" ]] &&
			has "$(get s10b_add)" "needs CAP_NET_ADMIN in the initial user namespace"'
	check 10 "DKMS build present: root's 'modprobe vsockmon' loads ours (rc $(get s10b_modprobe_rc), version $(get s10b_loaded_after))" \
		eval '[[ $(get s10b_modprobe_rc) == 0 && $(get s10b_loaded_after) == "$version" ]]'
	refused_nothing_loaded s10u "upgrade window (old module removed, new one not built)"
	check 10 "upgrade window: root's modprobe refuses too (rc $(get s10u_modprobe_rc), loaded $(get s10u_loaded_after))" \
		eval '[[ $(get s10u_modprobe_rc) != 0 && $(get s10u_loaded_after) == none ]]'
	check 10 "the refusals are in the kernel log: $(get s10_klog | grep -o "refusing the kernel's own driver [^:]*" | sed -n 1p)" \
		has "$(get s10_klog)" "vsockmon: refusing the kernel.s own driver"

	# --- 11: namespaces owned by another user namespace
	for p in "netns_pid:ip link add vsmb0 netns PID type vsockmon" \
		"netns_fd:ip link add vsmb1 netns NAME type vsockmon (IFLA_NET_NS_FD)" \
		"target_nsid:RTM_NEWLINK with IFLA_TARGET_NETNSID" \
		"nsenter_ip:nsenter -t PID -n ip link add type vsockmon" \
		"nsenter_ctl:nsenter -t PID -n vsockmon-ctl up" \
		"deputy:root writing RTM_NEWLINK to uid 1000's own rtnetlink socket"; do
		m=${p%%:*}
		check 11 "root's $m ($(cut -d: -f2- <<<"$p")) refused with our message: $(get "s11_${m}_out" | cut -c1-90)" \
			eval '[[ $(get s11_${m}_rc) != 0 ]] && has "$(get s11_${m}_out)" "$refused_userns"'
	done
	# IFLA_LINK_NETNSID: kernels before 6.15 create the device in the link
	# namespace (the container's: we refuse), later ones in the target one
	check 11 "ip link add ... link-netnsid ID: refused with our reason, or the monitor landed in the initial namespace (rc $(get s11_link_nsid_rc): $(get s11_link_nsid_out | cut -c1-80); initial: '$(get s11_init_monitors)')" \
		eval 'got s11_link_nsid_rc && got s11_init_monitors &&
			{ [[ $(get s11_link_nsid_rc) != 0 ]] && has "$(get s11_link_nsid_out)" "$refused_userns" ||
			  [[ $(get s11_link_nsid_rc) == 0 && " $(get s11_init_monitors)" == *" vsmb3 "* ]]; }'
	check 11 "no monitor in the container's namespace ('$(get s11_ctr_monitors)') nor in the deputy's ('$(get s11_deputy_ns_monitors)')" \
		eval 'got s11_ctr_monitors && got s11_deputy_ns_monitors && [[ -z $(get s11_ctr_monitors) && -z $(get s11_deputy_ns_monitors) ]]'
	check 11 "the container read nothing ($(get s11_read)); the refusals are in the kernel log" \
		eval '[[ $(get s11_read) == "no monitor" ]] && has "$(get s11_klog)" "refused a monitor in a network namespace of another user namespace"'
	check 11 "contrast, in-tree driver: root's 'ip link add ... netns PID' works (rc $(get c11_netns_pid_rc)) and the container reads root's traffic ($(get c11_read))" \
		eval '[[ $(get c11_netns_pid_rc) == 0 && $(matches "$(get c11_read)") -ge 1 ]]'

	# --- 12: never under another device. Whose refusal it is: only team
	# reaches our notifier. bonding sets each port's MAC address first (a
	# monitor has none: EOPNOTSUPP, no text), vlan stops at our
	# NETIF_F_VLAN_CHALLENGED, bridge and macvlan take Ethernet devices
	# only (EINVAL, no text): there the kernel's reason is expected, and
	# never ours, which would mean the kernel let the monitor through.
	local ours_upper='cannot be a port or lower device' who reason
	for p in "team:team:our notifier:$ours_upper" \
		"bond:bonding:bonding (no MAC address to set):^RTNETLINK answers: Operation not supported" \
		"vlan:8021q:our NETIF_F_VLAN_CHALLENGED:VLANs not supported" \
		"bridge:bridge:the bridge (not Ethernet):^RTNETLINK answers: Invalid argument" \
		"macvlan:macvlan:macvlan (not Ethernet):^RTNETLINK answers: Invalid argument"; do
		IFS=: read -r m mod who reason <<<"$p"
		if [[ " $(get s12_uppers) " != *" $mod "* ]]; then
			skip 12 "$m" "the kernel has no $mod module"
			continue
		fi
		check 12 "a monitor under $m is refused by $who (rc $(get "s12_${m}_rc"): $(get "s12_${m}_out" | cut -c1-90))" \
			eval '[[ $(get s12_${m}_rc) != 0 ]] && has "$(get s12_${m}_out)" "$reason" &&
				{ [[ $m == team ]] || ! has "$(get s12_${m}_out)" "$ours_upper"; }'
	done
	check 12 "the monitor has no master (after team: '$(get s12_team_master)', at the end: '$(get s12_master)') and nothing on top ($(get s12_on_top))" \
		eval '[[ -z $(get s12_team_master) && -z $(get s12_master) && $(get s12_on_top) == 0 ]]'
	check 12 "team up, promisc on/off on team and monitor: done (rc $(get s12_promisc_seq_rc)), RTNL alive (rc $(get s12_rtnl_alive_rc))" \
		eval '[[ $(get s12_promisc_seq_rc) == 0 && $(get s12_rtnl_alive_rc) == 0 ]]'
	check 12 "no WARNING, BUG or sleep in atomic context: $(get s12_klog | grep -E 'WARNING|BUG|sleeping' | cut -c1-100)" \
		eval '! has "$(get s12_klog)" "WARNING|BUG|sleeping function"'

	# --- 13: a promiscuous reader that comes and goes misses no frame
	check 13 "promiscflip (60 rounds x 20 messages, 0-150 ms apart): $(get s13_flip_out)" \
		eval '[[ $(get s13_flip_rc) == 0 ]] && has "$(get s13_flip_out)" "messages 1200 missed 0"'

	# --- 14: vsock network namespaces (Linux >= 7.0)
	if [[ $(get s14_supported) == 0 ]]; then
		skip 14 "vsock network namespaces" "$rel has no net.vsock.child_ns_mode (Linux < 7.0)"
	elif [[ $(get s14_supported) != 1 ]]; then
		check 14 "the guest reported whether vsock network namespaces exist (s14_supported '$(get s14_supported)')" false
	else
		check 14 "uid 1000's namespace is in vsock 'local' mode ($(get s14_child_mode)) and its loopback works (send rc $(get s14_send_rc), received '$(get s14_recv)')" \
			eval '[[ $(get s14_child_mode) == local && $(get s14_send_rc) == 0 && $(get s14_recv) == "$secret-ns" ]]'
		check 14 "a monitor in the initial namespace sees that namespace's loopback traffic: $(get s14_root_read)" \
			eval '[[ $(matches "$(get s14_root_read)") -ge 1 ]]'
		check 14 "doctor says a monitor sees every namespace: $(grep -o 'vsock network namespaces[^)]*' <<<"$(get s14_doctor_out)")" \
			has "$(get s14_doctor_out)" "OK +vsock network namespaces: .*a monitor still sees the vsock traffic of every namespace"
		check 14 "inside it no monitor can be made, and our module says why (rc $(get s14_add_rc): $(get s14_add | cut -c1-100))" \
			eval '[[ $(get s14_add_rc) != 0 ]] && has "$(get s14_add)" "needs CAP_NET_ADMIN in the initial user namespace"'
	fi

	# --- 16: the initial network namespace only (root, no user namespace)
	check 16 "setup: ip netns add s16 (rc $(get s16_netns_add_rc)); insecure_allow_netns is off by default ('$(get s16_param)')" \
		eval '[[ $(get s16_netns_add_rc) == 0 && $(get s16_param) == N ]]'
	for p in "unshare_ip:unshare -n ip link add type vsockmon" \
		"unshare_ctl:unshare -n vsockmon-ctl up" \
		"netns_ip:ip netns exec s16 ip link add type vsockmon" \
		"netns_ctl:ip netns exec s16 vsockmon-ctl up" \
		"netns_name:ip link add ... netns s16 type vsockmon, from the initial namespace"; do
		m=${p%%:*}
		check 16 "root's $(cut -d: -f2- <<<"$p") refused with our reason: $(get "s16_${m}_out" | cut -c1-140)" \
			eval '[[ $(get s16_${m}_rc) != 0 ]] && has "$(get s16_${m}_out)" "$refused_netns"'
	done
	check 16 "no monitor in s16 ('$(get s16_ns_monitors)'); in the initial namespace creation is unchanged (rc $(get s16_init_rc)) and moving one to s16 stays refused (rc $(get s16_move_rc))" \
		eval 'got s16_ns_monitors && [[ -z $(get s16_ns_monitors) && $(get s16_init_rc) == 0 && $(get s16_move_rc) != 0 && " $(get s16_init_monitors)" == *" vsmx5 "* ]]'
	check 16 "doctor in s16 says why: $(grep -o 'network namespace: not the initial one[^\\]*' <<<"$(get s16_doctor_out)" | cut -c1-100)" \
		has "$(get s16_doctor_out)" "WARN +network namespace: not the initial one; our module creates monitors only in the initial network namespace \(module parameter insecure_allow_netns=1 allows others\)"
	check 16 "the kernel log names the refused process: $(get s16_klog | grep -o 'refused a monitor in a network namespace other[^\\]*' | sed -n 1p | cut -c1-140)" \
		has "$(get s16_klog)" "refused a monitor in a network namespace other than the initial one to uid 0 pid [0-9]+ comm (ip|vsockmon-ctl) \(insecure_allow_netns is off\)"
	check 16 "modprobe vsockmon insecure_allow_netns=1 through the package's rule (rc $(get s16p_modprobe_rc), parameter '$(get s16p_param)')" \
		eval '[[ $(get s16p_rmmod_rc) == 0 && $(get s16p_modprobe_rc) == 0 && $(get s16p_param) == Y ]]'
	check 16 "with it, root of a child namespace creates monitors (unshare ip/ctl rc $(get s16p_unshare_ip_rc)/$(get s16p_unshare_ctl_rc), ip netns exec ip/ctl rc $(get s16p_netns_ip_rc)/$(get s16p_netns_ctl_rc), netns s16 rc $(get s16p_netns_name_rc); in s16: '$(get s16p_ns_monitors)')" \
		eval '[[ $(get s16p_unshare_ip_rc) == 0 && $(get s16p_unshare_ctl_rc) == 0 && $(get s16p_netns_ip_rc) == 0 && $(get s16p_netns_ctl_rc) == 0 && $(get s16p_netns_name_rc) == 0 && $(get s16p_ns_monitors) == "vsmx2 vsmx3 vsmx4 " ]]'
	check 16 "with it, moving a monitor stays refused (rc $(get s16p_move_rc)), creation in the initial namespace works (rc $(get s16p_init_rc)), doctor warns: $(grep -o 'loaded with insecure_allow_netns=1[^;]*' <<<"$(get s16p_doctor_out)" | cut -c1-80)" \
		eval '[[ $(get s16p_move_rc) != 0 && $(get s16p_init_rc) == 0 ]] && has "$(get s16p_doctor_out)" "WARN +vsockmon loaded with insecure_allow_netns=1"'
	check 16 "the default is back (modprobe rc $(get s16_modprobe_again_rc), insecure_allow_netns '$(get s16_param_again)'), nothing left in s16 ('$(get s16p_monitors_left)')" \
		eval 'got s16p_monitors_left && [[ $(get s16_modprobe_again_rc) == 0 && $(get s16_param_again) == N && -z $(get s16p_monitors_left) ]]'
	check 16 "contrast, in-tree driver: root of s16 creates a monitor there (rc $(get c16_netns_ip_rc), in s16: '$(get c16_ns_monitors)')" \
		eval '[[ $(get c16_netns_ip_rc) == 0 && $(get c16_ns_monitors) == "vsmx2 " ]]'

	check klog "safety boot: no monitor left ('$(get ours_monitors_left)'), module unloads (rc $(get ours_rmmod_rc))" \
		eval '[[ -z $(get ours_monitors_left) && $(get ours_rmmod_rc) == 0 ]]'
	check klog "safety boot: kernel log has no WARNING, BUG or Oops" \
		eval '[[ -s $bootdir/artefacts/dmesg-ours.txt ]] && ! grep -Eq "WARNING:|BUG:|Oops|general protection fault|Call Trace" "$bootdir/artefacts/dmesg-ours.txt"'
}
