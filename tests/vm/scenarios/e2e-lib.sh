# Guest helpers shared by the e2e scenarios (dash; `. /lib/e2e-lib.sh` after
# /lib/vmtest.sh). They only report facts; tests/vm/e2e judges them.

# wait_listen PORT: a vsock listener on PORT exists (ss needs vsock_diag).
wait_listen() {
	wait_for 10 sh -c "ss -H -l --vsock 2>/dev/null | grep -Eq ':$1([^0-9]|\$)'"
}

# start_capture NAME ARGS...: `vsockmon-ctl capture -w $ARTEFACTS/NAME.pcap
# ARGS` in the background, on a temporary monitor; returns when it says it
# captures. Facts NAME_ready, NAME_ifname.
start_capture() {
	_n=$1
	shift
	vsockmon-ctl capture -w "$ARTEFACTS/$_n.pcap" "$@" 2>"/tmp/$_n.err" &
	eval "cap_pid_$_n=$!"
	if wait_for 30 grep -q 'capturing on' "/tmp/$_n.err"; then
		fact "${_n}_ready" 1
	else
		fact "${_n}_ready" 0
	fi
	fact "${_n}_ifname" "$(sed -n 's/.*capturing on \([^ ,]*\).*/\1/p' "/tmp/$_n.err")"
}

# stop_captures NAME...: give the frames in flight time to reach the tool
# (libpcap's TPACKET_V3 ring hands a block over after its 100 ms timeout),
# read each monitor's packet counter, stop each capture with SIGINT.
# Facts NAME_rx_packets (the device's count before the stop), NAME_rc,
# NAME_stats (the tool's last stderr line), NAME_err, NAME_gone (1 when the
# temporary monitor was removed).
stop_captures() {
	sleep 1.5
	for _n in "$@"; do
		eval "_p=\$cap_pid_$_n"
		_if=$(sed -n 's/.*capturing on \([^ ,]*\).*/\1/p' "/tmp/$_n.err")
		fact "${_n}_rx_packets" "$(cat "/sys/class/net/$_if/statistics/rx_packets" 2>&1)"
		kill -INT "$_p" 2>/dev/null
	done
	for _n in "$@"; do
		eval "_p=\$cap_pid_$_n"
		wait "$_p"
		fact "${_n}_rc" "$?"
		fact "${_n}_stats" "$(tail -n 1 "/tmp/$_n.err")"
		fact "${_n}_err" "$(cat "/tmp/$_n.err")"
		_if=$(sed -n 's/.*capturing on \([^ ,]*\).*/\1/p' "/tmp/$_n.err")
		if [ -n "$_if" ] && ! ip link show "$_if" >/dev/null 2>&1; then
			fact "${_n}_gone" 1
		else
			fact "${_n}_gone" 0
		fi
	done
}

# host_transfers FILE TO_HOST_PORT FROM_HOST_PORT: the two conversations
# with the host through vhost-device-vsock (tests/vm/vsock-host-peer on the
# other end): the guest sends FILE to CID 2 port TO_HOST_PORT, and the host,
# once it has that copy, sends FILE to the guest's listener on
# FROM_HOST_PORT. Facts to_host_rc, to_host_err, from_host_rc,
# from_host_err, from_host_sha256, from_host_bytes.
host_transfers() {
	socat -u "VSOCK-LISTEN:$3" CREATE:/tmp/from-host 2>/tmp/from-host.err &
	_lp=$!
	wait_listen "$3"
	timeout 120 socat -u "OPEN:$1" "VSOCK-CONNECT:2:$2" 2>/tmp/to-host.err
	fact to_host_rc "$?"
	fact to_host_err "$(cat /tmp/to-host.err)"
	wait_for 120 sh -c "! kill -0 $_lp" || kill "$_lp" 2>/dev/null
	wait "$_lp"
	fact from_host_rc "$?"
	fact from_host_err "$(cat /tmp/from-host.err)"
	fact from_host_sha256 "$(sha256sum </tmp/from-host | cut -d' ' -f1)"
	fact from_host_bytes "$(wc -c </tmp/from-host)"
}

# slow_cat FILE: FILE in 4 KiB pieces, 0.1 s apart (a conversation that
# lasts, so that two of them overlap).
slow_cat() {
	_i=0
	_k=$((($(wc -c <"$1") + 4095) / 4096))
	while [ "$_i" -lt "$_k" ]; do
		dd if="$1" bs=4096 skip="$_i" count=1 2>/dev/null
		sleep 0.1
		_i=$((_i + 1))
	done
}

# xfer NAME TOOL PORT FILE [slow]: a real vsock conversation over loopback
# (CID 1): a listener of TOOL (socat or ncat) on PORT writes what it
# receives to /tmp/NAME.recv while TOOL sends FILE to it (through slow_cat
# with "slow"). Facts NAME_send_rc, NAME_listen_rc, NAME_sha256 (of what the
# listener received), NAME_bytes, NAME_err.
xfer() {
	_n=$1 _tool=$2 _port=$3 _file=$4 _slow=${5:-}
	case $_tool in
	socat) socat -u "VSOCK-LISTEN:$_port" "CREATE:/tmp/$_n.recv" 2>"/tmp/$_n.lerr" & ;;
	ncat) ncat --vsock -l --recv-only "$_port" >"/tmp/$_n.recv" 2>"/tmp/$_n.lerr" & ;;
	esac
	_lp=$!
	wait_listen "$_port" || log "$_n: no listener on $_port"
	if [ -n "$_slow" ]; then
		case $_tool in
		socat) slow_cat "$_file" | timeout 120 socat -u - "VSOCK-CONNECT:1:$_port" 2>"/tmp/$_n.serr" ;;
		ncat) slow_cat "$_file" | timeout 120 ncat --vsock --send-only 1 "$_port" 2>"/tmp/$_n.serr" ;;
		esac
	else
		case $_tool in
		socat) timeout 120 socat -u "OPEN:$_file" "VSOCK-CONNECT:1:$_port" 2>"/tmp/$_n.serr" ;;
		ncat) timeout 120 ncat --vsock --send-only 1 "$_port" <"$_file" 2>"/tmp/$_n.serr" ;;
		esac
	fi
	fact "${_n}_send_rc" "$?"
	wait_for 60 sh -c "! kill -0 $_lp" || kill "$_lp" 2>/dev/null
	wait "$_lp"
	fact "${_n}_listen_rc" "$?"
	fact "${_n}_sha256" "$(sha256sum <"/tmp/$_n.recv" | cut -d' ' -f1)"
	fact "${_n}_bytes" "$(wc -c <"/tmp/$_n.recv")"
	fact "${_n}_err" "$(cat "/tmp/$_n.lerr" "/tmp/$_n.serr" 2>/dev/null)"
}

# killed_capture TAG: a capture SIGKILLed once it runs, which leaves its
# temporary monitor (vsmcap$kp) behind; its pid in $kp, `list --json` while
# it ran in $killed_list_live
killed_capture() {
	vsockmon-ctl capture -w "/tmp/$1.pcap" 2>"/tmp/$1.err" &
	kp=$!
	wait_for 30 grep -q 'capturing on' "/tmp/$1.err"
	# shellcheck disable=SC2034 # for the caller
	killed_list_live=$(vsockmon-ctl list --json 2>&1)
	kill -KILL "$kp"
	wait "$kp" 2>/dev/null
}

# monitors: the names of the vsockmon devices of this namespace, one line.
monitors() {
	ip -o link show type vsockmon 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' '
}

# closed PORT...: no vsock socket on these ports any more: their
# conversations are over, their last frames (the reset) tapped
closed() {
	! ss -H -a --vsock 2>/dev/null | grep -E ":($(echo "$@" | tr ' ' '|'))([^0-9]|\$)" >/dev/null
}

# file_frames PCAP: the frames in a capture file (empty while it has none)
file_frames() {
	vsockmon-ctl capture -r "$1" -w /dev/null 2>&1 | sed -n 's/^\([0-9]*\) frames\? captured.*/\1/p'
}

# dyndbg_on: the module's debug lines ("DEV: tap registered", "DEV: tap
# removed") in the kernel log, which say when its reader poll acted
dyndbg_on() {
	if [ ! -w /proc/dynamic_debug/control ]; then
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
		echo 'module vsockmon +p' >/sys/kernel/debug/dynamic_debug/control
	else
		echo 'module vsockmon +p' >/proc/dynamic_debug/control
	fi
}

# taps DEV WHAT: how often the kernel log says DEV's tap was WHAT
# (registered, removed); dyndbg_on first
taps() { dmesg | grep -c " $1: tap $2\$"; }

# klog_mark NAME: remember where the kernel log is, for klog_since.
klog_mark() { dmesg | wc -l >"/tmp/klog.$1"; }
# klog_since NAME: the kernel log lines after klog_mark NAME.
klog_since() { dmesg | tail -n +"$(($(cat "/tmp/klog.$1") + 1))"; }
