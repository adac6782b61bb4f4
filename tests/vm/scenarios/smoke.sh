# Guest half of tests/vm/smoke (busybox sh, run as /scenario by guest/init).
# Reports facts (KEY=VALUE) and leaves smoke.pcap; the host judges them.
# Env: PAYLOAD (the string to send over vsock), PORT (default 1234).
. /lib/vmtest.sh
PORT=${PORT:-1234}
PAYLOAD=${PAYLOAD:-vsockmon-smoke-payload}
rel=$(uname -r)
fact kernel "$rel"

# exchange PORT PAYLOAD PREFIX: one socat conversation over CID 1, facts
# PREFIXlistener_ready, PREFIXconnect_tries, ..., PREFIXreceived
exchange() {
	socat -u "VSOCK-LISTEN:$1" CREATE:/tmp/received 2>/tmp/socat-listen.err &
	listen_pid=$!
	wait_for 10 sh -c "ss -H -l --vsock | grep -Eq ':$1([^0-9]|\$)'" && fact "$3listener_ready" 1 || fact "$3listener_ready" 0
	i=0
	while :; do
		printf '%s' "$2" | socat -u - "VSOCK-CONNECT:1:$1" 2>/tmp/socat-connect.err && break
		i=$((i + 1))
		[ "$i" -ge 5 ] && break
		sleep 0.5
	done
	fact "$3connect_tries" "$((i + 1))"
	fact "$3connect_err" "$(cat /tmp/socat-connect.err)"
	wait_for 10 sh -c "! kill -0 $listen_pid" || kill "$listen_pid" 2>/dev/null
	wait "$listen_pid"
	fact "$3listen_rc" "$?"
	fact "$3listen_err" "$(cat /tmp/socat-listen.err)"
	fact "$3received" "$(cat /tmp/received 2>&1)"
	rm -f /tmp/received
}
rx() { cat /sys/class/net/vsockmon0/statistics/rx_packets 2>&1; }
# taps WHAT: how often the kernel log says vsockmon0's tap was WHAT
# (registered, removed): the module's debug lines, dynamic debug on
taps() { dmesg | grep -c "vsockmon0: tap $1"; }
# tap_wait WHAT N FACT: wait (5 s at most) until there were more than N,
# fact FACT 1 or 0
tap_wait() {
	if wait_for 5 sh -c "[ \$(dmesg | grep -c 'vsockmon0: tap $1') -gt $2 ]"; then
		fact "$3" 1
	else
		fact "$3" 0
	fi
}

# --- (a) modprobe picks our module over the in-tree one
fact intree_module "$(ls /lib/modules/"$rel"/kernel/drivers/net/vsockmon.ko* 2>&1)"
fact modinfo_path "$(modinfo -n vsockmon 2>&1)"
run_fact modprobe_vsockmon modprobe vsockmon
fact sys_version "$(cat /sys/module/vsockmon/version 2>&1)"
fact sys_srcversion "$(cat /sys/module/vsockmon/srcversion 2>&1)"
# the module's debug lines ("tap registered", "tap removed") tell when its
# reader poll acted: the waits below wait for them
if [ -w /proc/dynamic_debug/control ]; then
	dyndbg=/proc/dynamic_debug/control
else
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	dyndbg=/sys/kernel/debug/dynamic_debug/control
fi
run_fact dyndbg sh -c "echo 'module vsockmon +p' >$dyndbg"

# --- (b) a real vsock exchange over the loopback transport, captured
run_fact modprobe_loopback modprobe vsock_loopback
modprobe vsock_diag 2>/dev/null # for ss --vsock
run_fact link_add ip link add vsockmon0 type vsockmon
run_fact link_up ip link set vsockmon0 up
fact link_type "$(cat /sys/class/net/vsockmon0/type 2>&1)"

# --- (f) nobody reads the monitor: the transports must not build frames for
# it (rx_packets stays), until a reader binds, even one not promiscuous
exchange "$((PORT + 1))" "$PAYLOAD-idle" idle_
fact idle_rx "$(rx)"
n=$(taps registered)
tcpdump -Z root -p -i vsockmon0 --immediate-mode -U -w /tmp/nopromisc.pcap 2>/tmp/tcpdump-p.err &
tcpdump_pid=$!
wait_for 20 grep -q 'listening on' /tmp/tcpdump-p.err
# the module looks for readers every 100 ms: until it found this one
tap_wait registered "$n" nopromisc_tap_added
exchange "$((PORT + 2))" "$PAYLOAD-p" nopromisc_
wait_for 5 sh -c 'strings /tmp/nopromisc.pcap | grep -qF "$1"' - "$PAYLOAD-p" && fact nopromisc_in_pcap 1 || fact nopromisc_in_pcap 0
n=$(taps removed)
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid"
fact nopromisc_rx "$(rx)"
fact nopromisc_promiscuity "$(ip -d -o link show vsockmon0 | grep -o 'promiscuity [0-9]*')"
# the reader is gone: until the next poll removed the tap
tap_wait removed "$n" idle2_tap_removed
fact idle2_rx_before "$(rx)"
exchange "$((PORT + 3))" "$PAYLOAD-idle2" idle2_
fact idle2_rx_after "$(rx)"
fact rx_before "$(rx)"

# --immediate-mode: with libpcap's default TPACKET_V3 ring, frames wait in a
# block until its timeout (1 s) and a SIGINT before that loses them.
tcpdump -Z root -i vsockmon0 --immediate-mode -U -w "$ARTEFACTS/smoke.pcap" 2>/tmp/tcpdump.err &
tcpdump_pid=$!
wait_for 20 grep -q 'listening on' /tmp/tcpdump.err && fact tcpdump_ready 1 || fact tcpdump_ready 0

exchange "$PORT" "$PAYLOAD" ''

# let the frames reach the file: the payload, then the shutdown after it
wait_for 5 sh -c 'strings "$1" | grep -qF "$2"' - "$ARTEFACTS/smoke.pcap" "$PAYLOAD" && fact payload_in_pcap 1 || fact payload_in_pcap 0
# frames after the payload (the shutdown) may or may not be in the file:
# rx_after, read after tcpdump's end, counts all it could have had
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid"
fact tcpdump_rc "$?"
fact tcpdump_err "$(cat /tmp/tcpdump.err)"
fact rx_after "$(cat /sys/class/net/vsockmon0/statistics/rx_packets 2>&1)"

# --- (d) ethtool
run_fact ethtool ethtool -i vsockmon0

# --- a monitor stays in its network namespace; a veth moves (the control)
modprobe veth
unshare -n sleep 30 &
ns_pid=$!
if wait_for 5 sh -c "[ \"\$(readlink /proc/$ns_pid/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]"; then
	fact netns_ready 1
else
	fact netns_ready 0
fi
run_fact netns_move ip link set vsockmon0 netns "$ns_pid"
run_fact netns_still_here ip link show vsockmon0
ip link add smv0 type veth peer name smv1 && ip link set smv1 netns "$ns_pid" && fact netns_veth_moved 1 || fact netns_veth_moved 0
fact netns_other "$(nsenter -t "$ns_pid" -n ip -o link show 2>&1 | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | tr '\n' ' ')"
ip link del smv0 2>/dev/null
kill "$ns_pid" 2>/dev/null
wait "$ns_pid" 2>/dev/null

# --- monitor off, module out
run_fact link_down ip link set vsockmon0 down
run_fact link_del ip link del vsockmon0

# --- (c) an unprivileged user with its own user+net namespace (veth is
# loaded above: the control below must not depend on autoloading)
cat >/tmp/unpriv.sh <<'EOF'
. /lib/vmtest.sh
fact unpriv_outer_uid "$(id -u)"
exec unshare -Urn sh -c '
	. /lib/vmtest.sh
	fact unpriv_inner_uid "$(id -u)"
	run_fact unpriv_control ip link add vt0 type veth peer name vt1
	run_fact unpriv_add ip link add type vsockmon
	run_fact unpriv_add_named ip link add vsockmon7 type vsockmon
	# iproute2 prints only the extack message; busybox ip prints the errno
	run_fact unpriv_add_errno busybox ip link add vsockmon8 type vsockmon
	links=$(ip -o link show type vsockmon 2>&1)
	fact unpriv_links_rc "$?"
	fact unpriv_links "$links"
'
EOF
setpriv --reuid 1000 --regid 1000 --clear-groups sh /tmp/unpriv.sh 2>&1
fact unpriv_rc "$?"
links=$(ip -o link show type vsockmon 2>&1)
fact links_after_rc "$?"
fact links_after "$links"

# --- (g) a monitor pins the module, even when it is down
ip link add vsockmon1 type vsockmon
run_fact rmmod_busy rmmod vsockmon
run_fact busy_link_still ip link show vsockmon1
ip link del vsockmon1
run_fact rmmod rmmod vsockmon

# --- (h) tap_always=1: the in-tree behaviour, tapped with nobody reading
run_fact always_modprobe modprobe vsockmon tap_always=1
ip link add vsockmon0 type vsockmon && ip link set vsockmon0 up
exchange "$((PORT + 4))" "$PAYLOAD-always" always_
fact always_rx "$(rx)"
ip link del vsockmon0
run_fact always_rmmod rmmod vsockmon

# --- the documented opt-out restores the upstream behaviour
run_fact insecure_modprobe modprobe vsockmon insecure_allow_userns=1
setpriv --reuid 1000 --regid 1000 --clear-groups unshare -Urn sh -c '
	. /lib/vmtest.sh
	run_fact insecure_unpriv_add ip link add type vsockmon
'
run_fact insecure_rmmod rmmod vsockmon
fact tainted "$(cat /proc/sys/kernel/tainted)"
