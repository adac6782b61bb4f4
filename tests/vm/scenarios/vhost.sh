# Guest half of tests/vm/vhost/run (issue 13): this Debian guest plays the
# hypervisor host. It loads vhost_vsock (/dev/vhost-vsock) and our module,
# captures with a standing monitor (`vsockmon-ctl up`, tcpdump -i vsockmon0)
# and a temporary one (`vsockmon-ctl capture -w --cid 3`), watches with
# `vsockmon-ctl top`, and runs a real QEMU (nested TCG) whose microVM guest
# has a vhost-vsock-device with guest-cid=3. socat on both sides: the inner
# guest sends its file to CID 2, then this host sends TO_GUEST to CID 3.
# Facts only (inner_* are the inner guest's); the host judges.
# Env: TO_GUEST (file), INNER_KERNEL, INNER_INITRD, INNER_MEM, INNER_TIMEOUT,
# TO_HOST_PORT, FROM_HOST_PORT, TOP_INTERVAL, QEMU_MODULE_DIR (where the
# host found QEMU's accel-tcg module; the initramfs has it at the same path)
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
# shellcheck source=e2e-lib.sh
. /lib/e2e-lib.sh
# shellcheck source=vhost-lib.sh
. /lib/vhost-lib.sh
TO_HOST_PORT=${TO_HOST_PORT:-5021}
FROM_HOST_PORT=${FROM_HOST_PORT:-5022}
INNER_MEM=${INNER_MEM:-256}
INNER_TIMEOUT=${INNER_TIMEOUT:-900}
TOP_INTERVAL=${TOP_INTERVAL:-2}
fact kernel "$(uname -r)"
fact outer_init_uptime "$(up)"
fact nproc "$(nproc)"
fact mem_kb "$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"

log "vhost_vsock and vsockmon"
fact dev_vhost_before "$(if [ -e /dev/vhost-vsock ]; then echo present; else echo absent; fi)"
run_fact modprobe_vhost modprobe vhost_vsock
fact dev_vhost "$(ls -l /dev/vhost-vsock 2>&1)"
run_fact modprobe_vsockmon modprobe vsockmon
fact modinfo_filename "$(modinfo -F filename vsockmon 2>&1)"
fact sys_version "$(cat /sys/module/vsockmon/version 2>&1)"
fact lsmod "$(lsmod 2>&1 | grep -E '^(vhost|vsock|vmw_vsock)' | awk '{ print $1 }' | sort | tr '\n' ' ')"

log "standing monitor, captures, top"
run_fact up vsockmon-ctl up
fact monitors_up "$(monitors)"
tcpdump -Z root -U -i vsockmon0 -w "$ARTEFACTS/td.pcap" 2>/tmp/td.err &
td=$!
wait_for 30 grep -q 'listening on' /tmp/td.err
fact td_ready "$?"
t_c=$(up)
start_capture c3 --cid 3
vsockmon-ctl top --json --interval "$TOP_INTERVAL" >/tmp/top.json 2>/tmp/top.err &
top_pid=$!
wait_for 30 sh -c "ip link show vsmcap$top_pid >/dev/null 2>&1"
fact top_ready "$?"
fact top_ifname "vsmcap$top_pid"
fact monitors_during "$(monitors)"

log "the inner guest"
socat -u "VSOCK-LISTEN:$TO_HOST_PORT" CREATE:/tmp/from-guest 2>/tmp/from-guest.err &
gl=$!
wait_listen "$TO_HOST_PORT"
fact host_listen_ready "$?"
start_inner
# the inner guest's init says START when it runs /scenario
if wait_for "$INNER_TIMEOUT" grep -q '@@VMTEST@@ START' /tmp/inner.console; then
	fact inner_started 1
	fact inner_boot_s "$(since "$t_q")"
else
	fact inner_started 0
fi
# guest -> host: the inner guest connects once its listener is up
wait_for "$INNER_TIMEOUT" sh -c "! kill -0 $gl" || kill "$gl" 2>/dev/null
wait "$gl"
fact from_guest_rc "$?"
fact from_guest_done_s "$(since "$t_q")"
fact from_guest_err "$(cat /tmp/from-guest.err)"
fact from_guest_sha256 "$(sha256sum </tmp/from-guest | cut -d' ' -f1)"
fact from_guest_bytes "$(wc -c </tmp/from-guest)"
# the connections while they exist (the vhost side's sockets)
fact ss_during "$(ss -a --vsock 2>&1)"
# host -> guest
t_s=$(up)
timeout "$INNER_TIMEOUT" socat -u "OPEN:$TO_GUEST" "VSOCK-CONNECT:3:$FROM_HOST_PORT" 2>/tmp/to-guest.err
fact to_guest_rc "$?"
fact to_guest_s "$(since "$t_s")"
fact to_guest_err "$(cat /tmp/to-guest.err)"
wait_for "$INNER_TIMEOUT" sh -c "! kill -0 $qp"
wait "$qp"
fact inner_qemu_rc "$?"
fact inner_total_s "$(since "$t_q")"
tr -d '\r' </tmp/inner.console >"$ARTEFACTS/inner-console.txt"
# the inner guest's facts, prefixed
sed -n '/^@@VMTEST@@ BEGIN results$/,/^@@VMTEST@@ END results$/p' "$ARTEFACTS/inner-console.txt" |
	sed '1d; $d' | sed 's/^/inner_/'
fact inner_exit "$(sed -n 's/^@@VMTEST@@ EXIT //p' "$ARTEFACTS/inner-console.txt")"

log "doctor, then stop everything"
run_fact doctor vsockmon-ctl doctor
kill -INT "$top_pid" 2>/dev/null
wait "$top_pid"
fact top_rc "$?"
cp /tmp/top.json "$ARTEFACTS/top.json"
fact top_err "$(cat /tmp/top.err)"
fact vsockmon0_rx_packets "$(cat /sys/class/net/vsockmon0/statistics/rx_packets 2>&1)"
stop_captures c3
fact c3_s "$(since "$t_c")"
kill -INT "$td" 2>/dev/null
wait "$td"
fact td_rc "$?"
fact td_err "$(cat /tmp/td.err)"
run_fact down vsockmon-ctl down vsockmon0
fact monitors_after "$(monitors)"
dmesg >"$ARTEFACTS/dmesg-ours.txt"
fact tainted "$(cat /proc/sys/kernel/tainted)"
run_fact rmmod rmmod vsockmon
fact end 1
