# Guest half of tests/vm/stress (loopback transport). Facts only; the host
# judges (stress-judge.sh). In this order:
#   1 CYCLES create/up(/promisc)/down/delete cycles in one process
#     (nlnewlink --cycles), with vsockmon-ctl up/down cycles and ip link
#     add/up promisc/down/del cycles on other names at the same time, while
#     bulk transfers of BULK loop and a capture reads another monitor; then
#     no monitor is left and the module unloads
#   5 a SIGKILLed capture's stale monitor is reclaimed by the next capture
#   2 MONITORS monitors, each with its own reader (vsockmon-ctl capture, every
#     4th tcpdump -p), all reading the same workload (WA over socat, WB over
#     ncat); 3 rmmod is refused while they exist, before and during reading
#   3 ip link del of the monitor under a running capture (given and temporary)
#   4 hostile rtnetlink requests, each must be refused and change nothing
# then the last rmmod and, on a kmemleak kernel, a scan.
# Env: CYCLES, MONITORS, BULK, WA, WB.
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
# shellcheck source=e2e-lib.sh
. /lib/e2e-lib.sh
CYCLES=${CYCLES:-1000}
MONITORS=${MONITORS:-64}
fact kernel "$(uname -r)"
run_fact modprobe_loopback modprobe vsock_loopback
modprobe vsock_diag 2>/dev/null # for ss --vsock
run_fact modprobe_vsockmon modprobe vsockmon
fact modinfo_path "$(modinfo -n vsockmon 2>&1)"
fact sys_version "$(cat /sys/module/vsockmon/version 2>&1)"
fact bulk_sha256 "$(sha256sum <"$BULK" | cut -d' ' -f1)"
up_s() { cut -d' ' -f1 /proc/uptime; }
names() { ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' '; }

# --- 1: cycles under load
log "scenario 1: $CYCLES cycles"
run_fact s1_cap_up vsockmon-ctl up stcap0
# snapshot length 128: headers only, the capture stays small; it stays in
# the guest (/tmp), only its counts come out
start_capture s1cap -i stcap0 -s 128
rm -f /tmp/s1.stop
(
	i=0
	while [ ! -e /tmp/s1.stop ]; do
		i=$((i + 1))
		xfer "s1x$i" socat $((20000 + i)) "$BULK"
		rm -f "/tmp/s1x$i.recv"
	done
	fact s1x_count "$i"
) >/tmp/s1x.facts 2>&1 &
xp=$!
# one transfer is done and the next under way before the cycles start
wait_for 60 test -s /tmp/s1x.facts
t0=$(up_s)
# CYCLES cycles in one process (nlnewlink: the requests ip and vsockmon-ctl
# send, without an exec per step, which costs more than the kernel's work
# under TCG); meanwhile, until it is done, vsockmon-ctl up/down cycles and
# ip link cycles with a tap (promisc) on other names
nlnewlink --cycles "$CYCLES" stress0 vsockmon >/tmp/s1nl.out 2>&1 &
np=$!
(
	i=0 fail=0
	while kill -0 "$np" 2>/dev/null || [ "$i" -lt 10 ]; do
		i=$((i + 1))
		vsockmon-ctl up stress1 >/dev/null 2>>/tmp/s1c.err || fail=$((fail + 1))
		vsockmon-ctl down stress1 >/dev/null 2>>/tmp/s1c.err || fail=$((fail + 1))
	done
	echo "$i $fail" >/tmp/s1ctl.out
) &
cp1=$!
(
	i=0 fail=0
	while kill -0 "$np" 2>/dev/null || [ "$i" -lt 10 ]; do
		i=$((i + 1))
		{ ip link add stress2 type vsockmon && ip link set stress2 up promisc on &&
			ip link set stress2 down && ip link del stress2; } 2>>/tmp/s1i.err ||
			fail=$((fail + 1))
	done
	echo "$i $fail" >/tmp/s1ip.out
) &
cp2=$!
wait "$np"
fact s1_nl_rc "$?"
t1=$(up_s)
wait "$cp1" "$cp2"
t2=$(up_s)
fact s1_nl_out "$(cat /tmp/s1nl.out)"
fact s1_nl_seconds "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
read -r n f </tmp/s1ctl.out
fact s1_ctl_cycles "$n"
fact s1_ctl_failures "$f"
read -r n f </tmp/s1ip.out
fact s1_ip_cycles "$n"
fact s1_ip_failures "$f"
fact s1_seconds "$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')"
fact s1_cycle_err "$(cat /tmp/s1c.err /tmp/s1i.err 2>/dev/null | sort | uniq -c | head -n 5)"
touch /tmp/s1.stop
wait "$xp"
cat /tmp/s1x.facts
fact s1_bulk_seconds "$(awk -v a="$t0" -v b="$(up_s)" 'BEGIN { printf "%.1f", b - a }')"
stop_captures s1cap
# frames in the file, counted by reading it back (into /dev/null: printing
# them is slow under TCG)
mv "$ARTEFACTS/s1cap.pcap" /tmp/s1cap.pcap
fact s1cap_file "$(vsockmon-ctl capture -r /tmp/s1cap.pcap -w /dev/null 2>&1 | tail -n 1)"
rm -f /tmp/s1cap.pcap
run_fact s1_cap_down vsockmon-ctl down stcap0
fact s1_monitors_after "$(monitors)"
fact s1_refcnt "$(cat /sys/module/vsockmon/refcnt 2>&1)"
run_fact s1_rmmod rmmod vsockmon
fact s1_loaded_after "$(test -e /sys/module/vsockmon && echo 1 || echo 0)"
run_fact s1_modprobe modprobe vsockmon

# --- 5: a SIGKILLed capture leaves its temporary monitor; the next reclaims it
log "scenario 5"
killed_capture s5kill
fact s5_pid "$kp"
fact s5_left "$(ip link show "vsmcap$kp" >/dev/null 2>&1 && echo 1 || echo 0)"
run_fact s5_next vsockmon-ctl capture --duration 1 -w /tmp/s5next.pcap
fact s5_reclaimed "$(ip link show "vsmcap$kp" >/dev/null 2>&1 && echo 0 || echo 1)"
fact s5_monitors_after "$(monitors)"

# --- 2 and 3: many monitors, one reader each; rmmod while they exist
log "scenario 2: $MONITORS monitors"
# a monitor that is down (no tap, which would hold the module itself)
run_fact s3_dn_add ip link add dn0 type vsockmon
fact s3_refcnt_down "$(cat /sys/module/vsockmon/refcnt 2>&1)"
run_fact s3_rmmod_down rmmod vsockmon
fact s3_dn_after "$(ip link show dn0 >/dev/null 2>&1 && echo 1 || echo 0)"
ip link del dn0 2>/dev/null
modprobe vsockmon # again, if that rmmod went through
# the module's debug lines ("tap registered") say when its reader poll
# found a reader
run_fact s2_dyndbg dyndbg_on
i=0 fail=0
while [ "$i" -lt "$MONITORS" ]; do
	vsockmon-ctl up "m$i" >/dev/null 2>>/tmp/s2up.err || fail=$((fail + 1))
	i=$((i + 1))
done
fact s2_up_failures "$fail"
fact s2_up_err "$(head -n 3 /tmp/s2up.err 2>/dev/null)"
fact s2_monitors "$(monitors | wc -w)"
fact s2_refcnt_idle "$(cat /sys/module/vsockmon/refcnt 2>&1)"
run_fact s3_rmmod_idle rmmod vsockmon
fact s3_monitors_after_idle "$(monitors | wc -w)"
# all readers start at once; facts are written with echo and read, not
# fact and cat: 64 readers make hundreds of execs, slow under TCG.
# Each reader's ring holds the whole workload, so that "dropped nothing"
# does not depend on the scheduler: libpcap's TPACKET_V3 ring is made of
# 256 KiB blocks, and each block is handed over (retired) after the read
# timeout with as little as one frame in it; a reader that gets no CPU for
# a while (64 of them on 2 vCPUs under TCG) can own every block of a 1 MiB
# ring (4 blocks) and the kernel drops. S2_RING_MIB MiB = 4 blocks per MiB,
# more than the workload's frames (the judge checks).
S2_RING_MIB=8
fact s2_ring_mib "$S2_RING_MIB"
i=0 td=''
while [ "$i" -lt "$MONITORS" ]; do
	if [ $((i % 4)) = 3 ]; then
		# not promiscuous: the monitor finds this reader by polling
		tcpdump -Z root -p -i "m$i" -U -B $((S2_RING_MIB * 1024)) -w "$ARTEFACTS/s2_$i.pcap" 2>"/tmp/s2_$i.err" &
		td="$td $i"
	else
		vsockmon-ctl capture -i "m$i" -B "$S2_RING_MIB" -w "$ARTEFACTS/s2_$i.pcap" 2>"/tmp/s2_$i.err" &
	fi
	eval "rd_pid_$i=$!"
	i=$((i + 1))
done
wait_for 120 sh -c "[ \$(grep -l -e 'capturing on' -e 'listening on' /tmp/s2_*.err | wc -l) -ge $MONITORS ]"
fact s2_readers_ready "$(grep -l -e 'capturing on' -e 'listening on' /tmp/s2_*.err | wc -l)"
# the tcpdump -p readers are found by the module's 100 ms poll: wait until
# every monitor's tap is registered (its debug line, dynamic debug on)
taps_registered() { dmesg | grep -oE ' m[0-9]+: tap registered' | sort -u | wc -l; }
wait_for 30 eval '[ "$(taps_registered)" -ge "$MONITORS" ]'
fact s2_taps_registered "$(taps_registered)"
fact s2_refcnt_reading "$(cat /sys/module/vsockmon/refcnt 2>&1)"
run_fact s3_rmmod_busy rmmod vsockmon
xfer s2a socat 7001 "$WA"
xfer s2b ncat 7002 "$WB"
# the counters are final once both conversations are closed. libpcap hands
# frames over in blocks: vsockmon-ctl waits for its last block when it
# stops, tcpdump (without --immediate-mode, its block after 1 s) does not:
# until each tcpdump's file holds what its monitor counted
s2_settled() {
	closed 7001 7002 || return 1
	for _i in $td; do
		read -r _rx <"/sys/class/net/m$_i/statistics/rx_packets"
		[ "$(file_frames "$ARTEFACTS/s2_$_i.pcap")" = "$_rx" ] || return 1
	done
}
if wait_for 30 s2_settled; then fact s2_settled 1; else fact s2_settled 0; fi
i=0
while [ "$i" -lt "$MONITORS" ]; do
	read -r rx <"/sys/class/net/m$i/statistics/rx_packets"
	echo "s2_${i}_rx_packets=$rx"
	eval "kill -INT \$rd_pid_$i"
	i=$((i + 1))
done
i=0
while [ "$i" -lt "$MONITORS" ]; do
	eval "wait \$rd_pid_$i"
	echo "s2_${i}_rc=$?"
	i=$((i + 1))
done
# each reader's stderr: all of it, its last line
awk '{ n = FILENAME; sub(/.*\/s2_/, "", n); sub(/\.err$/, "", n)
	e[n] = (n in e) ? e[n] " \\n " $0 : $0; l[n] = $0 }
	END { for (n in e) print "s2_" n "_err=" e[n] "\ns2_" n "_stats=" l[n] }' /tmp/s2_*.err
fact s2_tcpdump_readers "$td"
fact s2_monitors_after_readers "$(monitors | wc -w)"
run_fact s2_down_all vsockmon-ctl down --all
fact s2_monitors_after "$(monitors)"

# --- 3: the monitor deleted under a running capture
log "scenario 3: ip link del under a capture"
run_fact s3_del_up vsockmon-ctl up delme0
# (a) a standing monitor, deleted after a conversation: once it is closed
# its counter is final; the capture reads the ring's last block when its
# monitor goes
start_capture s3del -i delme0
xfer s3delx socat 7003 "$WA" >/dev/null
wait_for 10 closed 7003
fact s3del_rx_packets "$(cat /sys/class/net/delme0/statistics/rx_packets 2>&1)"
run_fact s3del_del ip link del delme0
# (b) a temporary monitor, deleted while a conversation flows (4 KiB every
# 0.1 s for 4 s): the last frames are still in libpcap's ring. A plain
# AF_PACKET reader (no ring) on the same monitor counts what both were given.
head -c 163840 "$BULK" >/tmp/s3slow
start_capture s3tmp
s3if=$(sed -n 's/.*capturing on \([^ ,]*\).*/\1/p' /tmp/s3tmp.err)
pktread "$s3if" x >/tmp/s3pk.out 2>/tmp/s3pk.err &
pk=$!
wait_for 10 grep -q listening /tmp/s3pk.err
socat -u VSOCK-LISTEN:7004 OPEN:/dev/null 2>/dev/null &
lp=$!
wait_listen 7004
slow_cat /tmp/s3slow | socat -u - VSOCK-CONNECT:1:7004 2>/dev/null &
sp=$!
# 40 pieces over 4 s: once 20 frames went, it still flows
wait_for 10 sh -c "[ \$(cat /sys/class/net/$s3if/statistics/rx_packets) -ge 20 ]"
fact s3tmp_rx_packets "$(cat "/sys/class/net/$s3if/statistics/rx_packets" 2>&1)"
run_fact s3tmp_del ip link del "$s3if"
for n in s3del s3tmp; do
	eval "_p=\$cap_pid_$n"
	if wait_for 10 sh -c "! kill -0 $_p"; then
		fact "${n}_ended" 1
	else
		fact "${n}_ended" 0
		kill -INT "$_p"
	fi
	wait "$_p"
	fact "${n}_rc" "$?"
	fact "${n}_err" "$(cat "/tmp/$n.err")"
done
fact s3del_ifname delme0
fact s3tmp_ifname "$s3if"
kill -INT "$pk"
wait "$pk"
fact s3tmp_pktread "$(cat /tmp/s3pk.out)"
wait "$lp" "$sp"
fact s3_monitors_after "$(monitors)"

# --- 4: hostile rtnetlink requests
log "scenario 4"
run_fact s4_h1_up vsockmon-ctl up h1
fact s4_links_before "$(names)"
# hostile NAME CMD...: run it, report what exists, then undo what it did so
# that each request is judged on its own
hostile() {
	_h=$1
	shift
	run_fact "$_h" "$@"
	fact "${_h}_links" "$(names)"
	fact "${_h}_h1" "$(ip -o link show h1 2>&1 | sed 's/\\//')"
	ip link del h0 2>/dev/null
	ip link set h1 mtu 65612 2>/dev/null
}
hostile s4_addr ip link add h0 address 00:11:22:33:44:55 type vsockmon
hostile s4_brd ip link add h0 broadcast 00:11:22:33:44:55 type vsockmon
hostile s4_mtu_low ip link add h0 mtu 31 type vsockmon
hostile s4_mtu_high ip link add h0 mtu 65613 type vsockmon
hostile s4_set_mtu_low ip link set h1 mtu 31
hostile s4_set_mtu_high ip link set h1 mtu 65613
hostile s4_data nlnewlink h0 vsockmon 1
hostile s4_data_empty nlnewlink h0 vsockmon
hostile s4_data_unknown nlnewlink h0 vsockmon 9
unshare -n sleep 60 &
nsp=$!
wait_for 10 sh -c "[ \"\$(readlink /proc/$nsp/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]"
hostile s4_netns ip link set h1 netns "$nsp"
fact s4_netns_other "$(nsenter -t "$nsp" -n ip -o link show 2>&1 | awk -F': ' '{ print $2 }' | tr '\n' ' ')"
# an unprivileged user in its own namespaces, with the same requests: the
# privilege refusal comes first (e2e scenario 5 covers the plain requests)
cat >/tmp/s4-user.sh <<'EOF'
. /lib/vmtest.sh
run_fact s4_user_addr ip link add u0 address 00:11:22:33:44:55 type vsockmon
run_fact s4_user_mtu ip link add u0 mtu 31 type vsockmon
run_fact s4_user_data nlnewlink u0 vsockmon 1
fact s4_user_links "$(ip -o link show | awk -F': ' '{ print $2 }' | tr '\n' ' ')"
EOF
setpriv --reuid 1000 --regid 1000 --clear-groups unshare -Urn sh /tmp/s4-user.sh
fact s4_user_rc "$?"
# the controls: the same tools, sane requests, work
run_fact s4_ok_mtu ip link add h0 mtu 32 type vsockmon
run_fact s4_ok_mtu_del ip link del h0
run_fact s4_ok_set_mtu ip link set h1 mtu 1500
fact s4_ok_set_mtu_value "$(cat /sys/class/net/h1/mtu 2>&1)"
run_fact s4_ok_data nlnewlink h0 vsockmon -
run_fact s4_ok_data_del ip link del h0
veth_ok=0
ip link add sv0 type veth peer name sv1 && ip link set sv1 netns "$nsp" && veth_ok=1
fact s4_ok_netns_veth "$veth_ok"
fact s4_ok_netns_other "$(nsenter -t "$nsp" -n ip -o link show 2>&1 | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | tr '\n' ' ')"
ip link del sv0 2>/dev/null
kill "$nsp"
wait "$nsp" 2>/dev/null

# --- the end: no monitor, the module unloads, kmemleak if the kernel has it
log "end"
run_fact end_down_all vsockmon-ctl down --all
fact end_monitors "$(monitors)"
run_fact end_rmmod rmmod vsockmon
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	# kmemleak reports no object younger than 5 s: a second scan after that
	sleep 5
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$ARTEFACTS/kmemleak-stress.txt" 2>&1
	fact kmemleak 1
	fact kmemleak_objects "$(grep -c 'unreferenced object' "$ARTEFACTS/kmemleak-stress.txt")"
else
	fact kmemleak 0
fi
fact tainted "$(cat /proc/sys/kernel/tainted)"
fact end 1
