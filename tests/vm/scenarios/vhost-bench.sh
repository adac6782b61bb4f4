# Outer half of `tests/vm/vhost/run --bench`: this Debian guest is the
# hypervisor host (vhost_vsock, our module); its nested QEMU runs the
# microVM guest of vhost-bench-inner.sh. ROUNDS rounds, round-robin, of
# every configuration x direction: BULK bytes host -> guest (socat to CID 3
# port 6000) and guest -> host (socat reads CID 3 port 6001). Configurations:
# none (no monitor), idle (vsockmon-ctl up, nobody reading), tcpdump
# (tcpdump -w on vsockmon0), capture (vsockmon-ctl capture -w, a temporary
# monitor). Facts: one line per run "run_N=CONF DIR SECONDS BYTES", the
# capture tools' statistics; the host tabulates.
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
# shellcheck source=e2e-lib.sh
. /lib/e2e-lib.sh
# shellcheck source=vhost-lib.sh
. /lib/vhost-lib.sh
BULK=${BULK:-16777216}
ROUNDS=${ROUNDS:-5}
INNER_MEM=${INNER_MEM:-256}
INNER_TIMEOUT=${INNER_TIMEOUT:-1200}
# progress on the console (run-vm --verbose shows it; guest/init's markers
# come only after the scenario, so nothing tears)
say() { echo "vhost-bench: [$(up)] $*" >/dev/console; }
fact kernel "$(uname -r)"
run_fact modprobe_vhost modprobe vhost_vsock
run_fact modprobe_vsockmon modprobe vsockmon
fact modinfo_filename "$(modinfo -F filename vsockmon 2>&1)"
head -c "$BULK" /dev/zero >/tmp/bulk
start_inner
say "inner QEMU started (pid $qp)"
wait_for "$INNER_TIMEOUT" grep -q '@@VMTEST@@ START' /tmp/inner.console
fact inner_started "$?"
fact inner_boot_s "$(since "$t_q")"
say "inner guest at init"
# the inner guest's servers: retry the first connection until they listen
n=0
until timeout 60 socat -u OPEN:/dev/null VSOCK-CONNECT:3:6000 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -lt 120 ] || break
	sleep 1
done
fact inner_ready_s "$(since "$t_q")"
say "inner servers ready after $n tries"

# one_run CONF DIR: one transfer, timed
one_run() {
	_t=$(up)
	case $2 in
	h2g) timeout 600 socat -u OPEN:/tmp/bulk VSOCK-CONNECT:3:6000 2>>/tmp/xfer.err; _rc=$?; _b=$BULK ;;
	g2h) timeout 600 socat -u VSOCK-CONNECT:3:6001 CREATE:/tmp/in 2>>/tmp/xfer.err; _rc=$?; _b=$(wc -c </tmp/in) ;;
	esac
	_s=$(since "$_t")
	i=$((i + 1))
	fact "run_$i" "$1 $2 $_s $_b $_rc"
	say "run $i: $1 $2 $_s s $_b bytes rc $_rc"
}
i=0
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	r=$((r + 1))
	for conf in none idle tcpdump capture; do
		case $conf in
		idle) vsockmon-ctl up >/dev/null 2>&1 ;;
		tcpdump)
			vsockmon-ctl up >/dev/null 2>&1
			tcpdump -Z root -i vsockmon0 -w /tmp/td.pcap 2>/tmp/td.err &
			tp=$!
			wait_for 30 grep -q 'listening on' /tmp/td.err ;;
		capture)
			vsockmon-ctl capture -w /tmp/cap.pcap 2>/tmp/cap.err &
			cp_=$!
			wait_for 30 grep -q 'capturing on' /tmp/cap.err ;;
		esac
		for dir in h2g g2h; do
			one_run "$conf" "$dir"
		done
		case $conf in
		idle) vsockmon-ctl down vsockmon0 >/dev/null 2>&1 ;;
		tcpdump)
			sleep 1
			kill -INT "$tp"
			wait "$tp"
			fact "stats_${r}_tcpdump" "$(tr '\n' ' ' </tmp/td.err)"
			vsockmon-ctl down vsockmon0 >/dev/null 2>&1 ;;
		capture)
			sleep 1.5
			kill -INT "$cp_"
			wait "$cp_"
			fact "stats_${r}_capture" "$(tail -n 1 /tmp/cap.err)" ;;
		esac
		rm -f /tmp/td.pcap /tmp/cap.pcap
	done
done
fact xfer_err "$(cat /tmp/xfer.err 2>/dev/null)"
socat -u OPEN:/dev/null VSOCK-CONNECT:3:6002 2>/dev/null
wait_for 120 sh -c "! kill -0 $qp"
wait "$qp"
fact inner_qemu_rc "$?"
fact monitors_after "$(monitors)"
dmesg >"$ARTEFACTS/dmesg-ours.txt"
fact end 1
