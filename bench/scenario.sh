# Guest half of bench/run (dash, run as /scenario by tests/vm/guest/init).
#
# Loopback transport, both ends of every workload in this guest. Rounds of
# (in-tree module: configurations 1 2 3) then (our module: 1 4 5 6 7), each
# configuration running the bulk then the rr workload, REPEATS rounds; the
# modules are swapped with rmmod/insmod inside the round, so each phase has
# its own configuration-1 baseline measured minutes apart at most.
# One "run=..." fact per run (KEY=VALUE words, the pump's line included);
# captures go to $ARTEFACTS as zstd files for the host to decode.
# Env: REPEATS BULK_BYTES WRITE_SIZE RR_COUNT RR_SIZE RR_CPU PORT NOMATCH_PORT UPDOWN_N
. /lib/vmtest.sh
rel=$(uname -r)
fact kernel "$rel"
fact nproc "$(nproc)"
fact mem_kb "$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
fact clk_tck "$(getconf CLK_TCK 2>/dev/null || echo 100)"
fact tcpdump_version "$(tcpdump --version 2>&1 | head -n 1)"
fact ctl_version "$(vsockmon-ctl --version 2>&1 | head -n 1)"

modprobe vsock_loopback || { fact error "modprobe vsock_loopback failed"; exit 1; }
intree=$(find /lib/modules/"$rel"/kernel/drivers/net -name 'vsockmon.ko*' | head -n 1)
fact intree_module "${intree#/lib/modules/"$rel"/}"
fact ours_module "$(modinfo -n vsockmon 2>&1)"

# rx MONITOR: frames the monitor was handed (0 without a monitor)
rx() {
	if [ -n "$1" ]; then cat "/sys/class/net/$1/statistics/rx_packets" 2>/dev/null || echo 0
	else echo 0
	fi
}

load_intree() {
	insmod "$intree" || { fact error "insmod $intree failed"; exit 1; }
	fact intree_version "$(cat /sys/module/vsockmon/srcversion 2>&1)"
}
load_ours() {
	modprobe vsockmon || { fact error "modprobe vsockmon failed"; exit 1; }
	fact ours_version "$(cat /sys/module/vsockmon/version 2>&1) $(cat /sys/module/vsockmon/srcversion 2>&1)"
}
unload() {
	rmmod vsockmon || { fact error "rmmod vsockmon failed: $(ip -o link show type vsockmon)"; exit 1; }
}

# mark B|E NAME: tell bench/cpuwatch on the host to read QEMU's CPU time.
# E comes after the captures' wait, so their work on the last frames
# counts; the idle time in between costs next to nothing.
mark() { echo "@@BENCH@@ $1 $2" >/dev/console; }

# run_one PHASE CFG WORKLOAD REP
run_one() {
	phase=$1 cfg=$2 wl=$3 rep=$4
	mon='' pid='' tool='' name="$phase-c$cfg-$wl-$rep"
	rm -f /tmp/cap.pcap /tmp/cap.err
	case $cfg in
	2|3) ip link add vsockmon0 type vsockmon && ip link set vsockmon0 up && mon=vsockmon0 ;;
	4|5) vsockmon-ctl up vsockmon0 >/dev/null && mon=vsockmon0 ;;
	esac
	case $cfg in
	3|5)
		tool=tcpdump
		tcpdump -Z root -i vsockmon0 -w /tmp/cap.pcap 2>/tmp/cap.err &
		pid=$!
		wait_for 30 grep -q 'listening on' /tmp/cap.err ;;
	6|7)
		tool=vsockmon-ctl
		if [ "$cfg" = 6 ]; then
			vsockmon-ctl capture -w /tmp/cap.pcap 2>/tmp/cap.err &
		else
			vsockmon-ctl capture --port "$NOMATCH_PORT" -w /tmp/cap.pcap 2>/tmp/cap.err &
		fi
		pid=$!
		wait_for 30 grep -q 'capturing on' /tmp/cap.err
		mon=$(sed -n 's/.*capturing on \([^ ,]*\).*/\1/p' /tmp/cap.err) ;;
	esac
	# a reader is seen at once when promiscuous (both tools are), else
	# within the module's 100 ms poll
	[ -n "$pid" ] && sleep 0.3
	rx0=$(rx "$mon")
	mark B "$name"
	if [ "$wl" = bulk ]; then
		out=$(vsockpump -p "$PORT" -b "$BULK_BYTES" -w "$WRITE_SIZE" bulk 2>&1)
	else
		out=$(vsockpump -p "$PORT" -n "$RR_COUNT" -s "$RR_SIZE" -a "$RR_CPU" rr 2>&1)
	fi
	prc=$?
	cap=''
	if [ -n "$pid" ]; then
		# tcpdump's TPACKET_V3 blocks are handed over after up to 1 s
		# (vsockmon-ctl's after 0.1 s, and it drains on a stop); the
		# shutdown frames after the pump's last read come too
		if [ "$tool" = tcpdump ]; then sleep 1.5; else sleep 0.5; fi
		mark E "$name"
		rx1=$(rx "$mon")
		cpu=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		kill -INT "$pid"
		wait "$pid"
		crc=$?
		if [ "$tool" = tcpdump ]; then
			# "1 packet", "2 packets"
			got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' /tmp/cap.err)
			drop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' /tmp/cap.err)
		else
			got=$(sed -n 's/^\([0-9]*\) frames\? captured.*/\1/p' /tmp/cap.err)
			drop=$(sed -n 's/.* \([0-9]*\) dropped by kernel.*/\1/p' /tmp/cap.err)
		fi
		if [ -s /tmp/cap.pcap ]; then
			zstd -q -1 -T2 --rm /tmp/cap.pcap -o "$ARTEFACTS/$name.pcap.zst" && cap=$name.pcap.zst
		fi
		cap="tool=$tool cap_rc=$crc cap_frames=${got:-?} cap_drop=${drop:-?} cpu_ticks=${cpu:-?} hwm_kb=${hwm:-?} pcap=${cap:-none}"
		[ "$crc" = 0 ] || cap="$cap cap_err=\"$(tail -n 3 /tmp/cap.err | tr '\n' ' ')\""
	else
		mark E "$name"
		rx1=$(rx "$mon")
	fi
	case $cfg in
	2|3) ip link del vsockmon0 ;;
	4|5) vsockmon-ctl down vsockmon0 >/dev/null ;;
	esac
	fact run "phase=$phase cfg=$cfg wl=$wl rep=$rep mon=${mon:-none} rx=$((rx1 - rx0)) pump_rc=$prc $cap $out"
	log "$name: $out"
}

log "bench: $REPEATS rounds, bulk $BULK_BYTES in $WRITE_SIZE writes, rr $RR_COUNT x $RR_SIZE B"
rep=1
while [ "$rep" -le "$REPEATS" ]; do
	load_intree
	for wl in bulk rr; do
		for cfg in 1 2 3; do run_one intree "$cfg" "$wl" "$rep"; done
	done
	unload
	load_ours
	for wl in bulk rr; do
		for cfg in 1 4 5 6 7; do run_one ours "$cfg" "$wl" "$rep"; done
	done
	unload
	rep=$((rep + 1))
done

# --- up and down: what a user waits for, exec included; ip for comparison,
# and a do-nothing command of each program, all interleaved in one loop
load_ours
fact updown "$(timecmd -n "$UPDOWN_N" vsockmon-ctl --version ::: vsockmon-ctl up vsmbench ::: \
	vsockmon-ctl down vsmbench ::: ip link show lo ::: ip link add vsmbench type vsockmon ::: \
	ip link set vsmbench up ::: ip link del vsmbench 2>&1 | tr '\n' ';')"
unload
fact end 1
