# Guest half of tests/vm/e2e, main boot (loopback transport): scenarios
# 1 (capture of real socat/ncat transfers), 3 (SEQPACKET), 4 (filters),
# 5 (security, and the in-tree module as contrast at the very end),
# 6 (override and identity), 7 (lifecycle), 8 (ip + tcpdump as upstream),
# 9 (top, doctor), 15 (the audit log). Facts only; the host judges.
# Env: FILE (random file, >= 1 MiB), SEQ_SIZES (SEQPACKET message sizes,
# "e" = MSG_EOR), SECRET (a payload string), TOP_INTERVAL (seconds: the
# longest scenario 1 may take; top is stopped at its end).
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
# shellcheck source=e2e-lib.sh
. /lib/e2e-lib.sh
rel=$(uname -r)
FILE=${FILE:-/e2e/file.bin}
SEQ_SIZES=${SEQ_SIZES:-100 5000e 70000 1 65536e}
SECRET=${SECRET:-vsockmon-e2e-secret}
TOP_INTERVAL=${TOP_INTERVAL:-600}
fact kernel "$rel"
fact file_sha256 "$(sha256sum <"$FILE" | cut -d' ' -f1)"
run_fact modprobe_loopback modprobe vsock_loopback
modprobe vsock_diag 2>/dev/null # for ss --vsock
modprobe veth

# --- 6: override and identity, before anything loaded vsockmon
log "scenario 6"
fact s6_intree_file "$(ls /lib/modules/"$rel"/kernel/drivers/net/vsockmon.ko* 2>&1)"
fact s6_modinfo_path "$(modinfo -n vsockmon 2>&1)"
fact s6_loaded_before "$(cat /sys/module/vsockmon/version 2>&1)"
run_fact s6_modprobe modprobe vsockmon
fact s6_sys_version "$(cat /sys/module/vsockmon/version 2>&1)"
fact s6_sys_srcversion "$(cat /sys/module/vsockmon/srcversion 2>&1)"
run_fact s6_version vsockmon-ctl version
run_fact s6_version_json vsockmon-ctl version --json
run_fact s6_up vsockmon-ctl up vsockmon0
run_fact s6_ethtool ethtool -i vsockmon0
fact s6_link "$(ip -d link show vsockmon0 2>&1)"
run_fact s6_down vsockmon-ctl down vsockmon0
fact s6_monitors_after "$(monitors)"

# --- 15: the kernel log says when all vsock traffic became readable and
# who made it so; nothing while a monitor is merely up. First, while the
# rate limit of those lines has nothing to hold back.
log "scenario 15"
ip link add vsma0 type vsockmon
klog_mark s15up
ip link set vsma0 up
printf 'audit %s\n' "$SECRET" >/tmp/s15.txt
# a conversation while vsma0 is up and read by nobody: no tap, no line
xfer s15idle socat 5015 /tmp/s15.txt
fact s15_idle_rx "$(cat /sys/class/net/vsma0/statistics/rx_packets 2>&1)"
fact s15_up_klog "$(klog_since s15up | grep 'vsma0')"
klog_mark s15read
pktread --promisc vsma0 "$SECRET" >/tmp/s15.out 2>/tmp/s15.err &
rp=$!
fact s15_reader_pid "$rp"
wait_for 20 grep -q listening /tmp/s15.err
xfer s15read socat 5015 /tmp/s15.txt
kill -INT "$rp"
wait "$rp"
fact s15_read_out "$(cat /tmp/s15.out /tmp/s15.err)"
# the poll removes the tap once the reader is gone
wait_for 20 sh -c "dmesg | grep -q 'vsma0: stopped tapping'"
fact s15_read_klog "$(klog_since s15read | grep 'vsma0')"
klog_mark s15down
ip link set vsma0 down
ip link del vsma0
fact s15_down_klog "$(klog_since s15down | grep 'vsma0')"

# --- 9 (top) and 1: two real conversations over CID 1, captured. top's one
# interval spans scenario 1 exactly: it reads before scenario 1 starts (its
# ring mapped: the socket in its maps) and is stopped (SIGINT: --once
# prints the interval so far) once scenario 1 is over; TOP_INTERVAL only
# bounds it
log "scenario 1 and top"
vsockmon-ctl top --once --json --interval "$TOP_INTERVAL" >/tmp/top.json 2>/tmp/top.err &
top_pid=$!
if wait_for 30 sh -c "ip -d link show vsmcap$top_pid 2>/dev/null | grep -q 'promiscuity [1-9]' &&
		grep -q 'socket:\[' /proc/$top_pid/maps"; then
	fact s9_top_ready 1
else
	fact s9_top_ready 0
fi
fact s9_top_ifname "vsmcap$top_pid"
start_capture s1
fact s1_monitors_during "$(monitors)"
xfer s1_socat socat 5001 "$FILE"
xfer s1_ncat ncat 5002 "$FILE"
stop_captures s1
fact s1_monitors_after "$(monitors)"
kill -INT "$top_pid"
wait_for 20 sh -c "! kill -0 $top_pid" || kill -KILL "$top_pid"
wait "$top_pid"
fact s9_top_rc "$?"
fact s9_top_json "$(cat /tmp/top.json)"
fact s9_top_err "$(cat /tmp/top.err)"

# --- 3: SEQPACKET over loopback
log "scenario 3"
start_capture s3
vsockseq recv 5003 "$(echo "$SEQ_SIZES" | wc -w)" /tmp/s3.recv >/tmp/s3.msgs 2>/tmp/s3.rerr &
rp=$!
wait_for 10 sh -c "grep -q listening /tmp/s3.rerr || ! kill -0 $rp"
if kill -0 "$rp" 2>/dev/null; then
	# shellcheck disable=SC2086 # sizes are words
	timeout 60 vsockseq send 1 5003 "$FILE" $SEQ_SIZES 2>/tmp/s3.serr
	fact s3_send_rc "$?"
	wait_for 30 sh -c "! kill -0 $rp" || kill "$rp" 2>/dev/null
fi
wait "$rp"
fact s3_recv_rc "$?"
fact s3_err "$(cat /tmp/s3.rerr /tmp/s3.serr 2>/dev/null)"
fact s3_msgs "$(cat /tmp/s3.msgs)"
fact s3_recv_sha256 "$(sha256sum </tmp/s3.recv | cut -d' ' -f1)"
stop_captures s3

# --- 8: as upstream: ip link add type vsockmon, tcpdump -i vsockmon0
log "scenario 8"
head -c 65536 "$FILE" >/tmp/s4a
tail -c 98304 "$FILE" >/tmp/s4b
run_fact s8_add ip link add type vsockmon
fact s8_monitors "$(monitors)"
run_fact s8_up ip link set vsockmon0 up
run_fact s8_dyndbg dyndbg_on
# tcpdump as people run it: without --immediate-mode libpcap hands frames
# over in blocks, after at most its 1 s timeout: before SIGINT, until the
# conversation closed and tcpdump's file holds what the monitor counted
tcpdump -Z root -i vsockmon0 -U -w "$ARTEFACTS/s8.pcap" 2>/tmp/s8.err &
tp=$!
wait_for 20 grep -q 'listening on' /tmp/s8.err
xfer s8 socat 5008 /tmp/s4a
wait_for 20 eval 'closed 5008 && [ "$(file_frames "$ARTEFACTS/s8.pcap")" = "$(cat /sys/class/net/vsockmon0/statistics/rx_packets)" ]'
fact s8_rx_packets "$(cat /sys/class/net/vsockmon0/statistics/rx_packets 2>&1)"
n=$(taps vsockmon0 removed)
kill -INT "$tp"
wait "$tp"
fact s8_tcpdump_rc "$?"
fact s8_tcpdump_err "$(cat /tmp/s8.err)"
# its reader gone, vsockmon0 is idle (once the poll removed the tap); a
# socket bound to no device reads it too: the module counts it where the
# kernel has dev_nit_active(), and registers the tap within the poll's
# 100 ms (without the helper the wait runs out: nothing to wait for)
wait_for 5 eval '[ "$(taps vsockmon0 removed)" -gt "$n" ]'
rx0=$(cat /sys/class/net/vsockmon0/statistics/rx_packets)
n=$(taps vsockmon0 registered)
fact s8_ifindex "$(cat /sys/class/net/vsockmon0/ifindex)"
# does the kernel export the helper that sees sockets bound to no device?
fact s8_nit_syms "$(grep -oE ' dev_nit_active(_rcu)?$' /proc/kallsyms | sort -u | tr -d ' ' | tr '\n' ' ')"
tcpdump -Z root -i any -y LINUX_SLL2 -U -w "$ARTEFACTS/s8any.pcap" 2>/tmp/s8any.err &
tp=$!
wait_for 20 grep -q 'listening on' /tmp/s8any.err
wait_for 5 eval '[ "$(taps vsockmon0 registered)" -gt "$n" ]'
xfer s8any socat 5019 /tmp/s4a
rx_any=$(($(cat /sys/class/net/vsockmon0/statistics/rx_packets) - rx0))
fact s8_any_rx_delta "$rx_any"
# tcpdump -U writes a frame once libpcap's ring hands it over (its 1 s
# block timeout) and drops what the ring still holds when it is stopped:
# wait until the file holds every frame the monitor passed on (a payload's
# worth of bytes was not enough: the closing frames came a block later)
# (one line per frame that starts with its time stamp; -Z root: as root,
# tcpdump would switch to a user "tcpdump" that this guest does not have,
# and read nothing)
wait_for 10 sh -c '[ "$(tcpdump -Z root -r "$1" 2>/dev/null | grep -c "^[0-9]")" -ge "$2" ]' sh \
	"$ARTEFACTS/s8any.pcap" "$rx_any"
kill -INT "$tp"
wait "$tp"
fact s8_any_rc "$?"
fact s8_any_err "$(cat /tmp/s8any.err)"
run_fact s8_del ip link del vsockmon0
fact s8_monitors_after "$(monitors)"

# --- 4: filters, with unrelated traffic at the same time
log "scenario 4"
start_capture s4ref
start_capture s4port --port 5041
start_capture s4op --op connect
start_capture s4combo --port 5042 --op payload
xfer s4a socat 5041 /tmp/s4a slow &
xa=$!
xfer s4b ncat 5042 /tmp/s4b slow
wait "$xa"
stop_captures s4ref s4port s4op s4combo

# --- 7: lifecycle of the temporary monitor
log "scenario 7"
xfer_small() { # PORT: a short conversation
	printf 'lifecycle %s\n' "$1" >/tmp/l.txt
	xfer "l$1" socat "$1" /tmp/l.txt >/dev/null
}
# (a) normal end: -c COUNT reached
vsockmon-ctl capture -c 3 -w /tmp/l-count.pcap 2>/tmp/l-count.err &
lp=$!
wait_for 30 grep -q 'capturing on' /tmp/l-count.err
lif=vsmcap$lp
fact s7_count_present "$(ip link show "$lif" >/dev/null 2>&1 && echo 1 || echo 0)"
xfer_small 5071
wait_for 20 sh -c "! kill -0 $lp" || kill -KILL "$lp"
wait "$lp"
fact s7_count_rc "$?"
fact s7_count_err "$(cat /tmp/l-count.err)"
fact s7_count_gone "$(ip link show "$lif" >/dev/null 2>&1 && echo 0 || echo 1)"
# (b) normal end: --duration
run_fact s7_duration vsockmon-ctl capture --duration 1 -w /tmp/l-dur.pcap
fact s7_duration_monitors "$(monitors)"
# (c, d) SIGINT, SIGTERM
for sig in INT TERM; do
	vsockmon-ctl capture -w /tmp/l-$sig.pcap 2>/tmp/l-$sig.err &
	lp=$!
	wait_for 30 grep -q 'capturing on' /tmp/l-$sig.err
	fact "s7_${sig}_present" "$(ip link show vsmcap$lp >/dev/null 2>&1 && echo 1 || echo 0)"
	kill -"$sig" "$lp"
	wait_for 20 sh -c "! kill -0 $lp" || kill -KILL "$lp"
	wait "$lp"
	fact "s7_${sig}_rc" "$?"
	fact "s7_${sig}_err" "$(cat /tmp/l-$sig.err)"
	fact "s7_${sig}_gone" "$(ip link show vsmcap$lp >/dev/null 2>&1 && echo 0 || echo 1)"
done
# (e) the peers vanish (SIGKILL) mid-conversation; the capture goes on
start_capture s7peers
socat -u VSOCK-LISTEN:5075 OPEN:/dev/null 2>/dev/null &
p1=$!
wait_listen 5075
(while :; do echo tick; sleep 0.2; done) | socat -u - VSOCK-CONNECT:1:5075 2>/dev/null &
p2=$!
sleep 1.5
kill -KILL "$p1" "$p2" 2>/dev/null
wait "$p1" "$p2" 2>/dev/null
sleep 0.5
eval "fact s7_peers_alive \"\$(kill -0 \$cap_pid_s7peers 2>/dev/null && echo 1 || echo 0)\""
stop_captures s7peers
# (f) down of a missing name, and of a device of another kind
run_fact s7_up vsockmon-ctl up vsockmon0
run_fact s7_veth ip link add vt0 type veth peer name vt1
fact s7_links_before "$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' ')"
run_fact s7_list_before vsockmon-ctl list --json
run_fact s7_down_missing vsockmon-ctl down nosuch0
run_fact s7_down_veth vsockmon-ctl down vt0
run_fact s7_list_after vsockmon-ctl list --json
fact s7_links_after "$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' ')"
run_fact s7_down vsockmon-ctl down vsockmon0
ip link del vt0 2>/dev/null
# (g) a SIGKILLed capture leaves a stale monitor: the next capture reclaims it
killed_capture l-kill
fact s7_kill_left "$(ip link show vsmcap$kp >/dev/null 2>&1 && echo 1 || echo 0)"
run_fact s7_kill_list vsockmon-ctl list
fact s7_kill_json_live "$killed_list_live"
fact s7_kill_json "$(vsockmon-ctl list --json 2>&1)"
fact s7_kill_pid "$kp"
run_fact s7_kill_doctor vsockmon-ctl doctor
run_fact s7_reclaim_capture vsockmon-ctl capture --duration 1 -w /tmp/l-reclaim.pcap
fact s7_reclaimed_by_capture "$(ip link show vsmcap$kp >/dev/null 2>&1 && echo 0 || echo 1)"
# ... or `down --stale` does
killed_capture l-kill2
fact s7_kill2_left "$(ip link show vsmcap$kp >/dev/null 2>&1 && echo 1 || echo 0)"
run_fact s7_down_stale vsockmon-ctl down --stale
fact s7_reclaimed_by_down "$(ip link show vsmcap$kp >/dev/null 2>&1 && echo 0 || echo 1)"
# (h) SIGINT right after a short conversation: the capture must keep every
# frame its monitor counted (libpcap may still hold the last block)
for i in 1 2 3; do
	vsockmon-ctl capture -w /tmp/l-fast$i.pcap 2>/tmp/l-fast$i.err &
	lp=$!
	wait_for 30 grep -q 'capturing on' /tmp/l-fast$i.err
	socat -u "VSOCK-LISTEN:508$i" OPEN:/dev/null &
	fp=$!
	wait_listen "508$i"
	printf 'lifecycle %s\n' "$i" | socat -u - "VSOCK-CONNECT:1:508$i"
	wait "$fp"
	fact "s7_fast${i}_rx" "$(cat /sys/class/net/vsmcap$lp/statistics/rx_packets 2>&1)"
	kill -INT "$lp"
	wait "$lp"
	fact "s7_fast${i}_rc" "$?"
	fact "s7_fast${i}_stats" "$(tail -n 1 /tmp/l-fast$i.err)"
done
fact s7_monitors_end "$(monitors)"

# --- 5: an unprivileged user
log "scenario 5"
cat >/tmp/s5-user.sh <<'EOF'
. /lib/vmtest.sh
. /lib/e2e-lib.sh
fact s5_user_inner_uid "$(id -u)"
run_fact s5_user_control ip link add vt0 type veth peer name vt1
run_fact s5_user_ip_add ip link add type vsockmon
run_fact s5_user_ctl_up vsockmon-ctl up
run_fact s5_user_ctl_capture vsockmon-ctl capture -c 1 --duration 3 -w /tmp/s5-user-ctl.pcap
fact s5_user_monitors "$(monitors)"
run_fact s5_user_read_mon timeout 5 pktread vsockmon0 "$SECRET"
# an AF_PACKET reader on every device of its namespace while root's traffic
# flows (tcpdump cannot drop privileges in here: setgroups is denied)
pktread any "$SECRET" >/tmp/s5-user-any.out 2>/tmp/s5-user-any.err &
tp=$!
wait_for 20 grep -q 'listening' /tmp/s5-user-any.err && touch /tmp/s5.ready
wait_for 60 test -e /tmp/s5.done
kill -INT "$tp"
wait "$tp"
fact s5_user_any_rc "$?"
fact s5_user_any_out "$(cat /tmp/s5-user-any.out)"
fact s5_user_any_err "$(cat /tmp/s5-user-any.err)"
EOF
rm -f /tmp/s5.ready /tmp/s5.done
run_fact s5_root_up vsockmon-ctl up vsockmon0
tcpdump -Z root -i vsockmon0 --immediate-mode -U -w /tmp/s5-root.pcap 2>/tmp/s5-root.err &
rtp=$!
wait_for 20 grep -q 'listening on' /tmp/s5-root.err
# without a namespace, uid 1000 may not read the monitor at all
fact s5_plain_uid "$(setpriv --reuid 1000 --regid 1000 --clear-groups id -u)"
run_fact s5_plain_tcpdump setpriv --reuid 1000 --regid 1000 --clear-groups timeout 10 tcpdump -i vsockmon0 -c 1
run_fact s5_plain_pktread setpriv --reuid 1000 --regid 1000 --clear-groups timeout 10 pktread vsockmon0 x
run_fact s5_plain_ctl setpriv --reuid 1000 --regid 1000 --clear-groups timeout 10 vsockmon-ctl capture -i vsockmon0 -c 1
run_fact s5_plain_ctl_up setpriv --reuid 1000 --regid 1000 --clear-groups vsockmon-ctl up vsockmon5
setpriv --reuid 1000 --regid 1000 --clear-groups unshare -Urn sh /tmp/s5-user.sh &
up=$!
wait_for 30 test -e /tmp/s5.ready
fact s5_user_ready "$(test -e /tmp/s5.ready && echo 1 || echo 0)"
printf '%s' "$SECRET" >/tmp/s5.txt
# queued for the user's reader, if at all, once xfer returns (no pause:
# the tap comes before the peer, pktread reads its queue when stopped)
xfer s5 socat 5005 /tmp/s5.txt
touch /tmp/s5.done
wait "$up"
fact s5_user_rc "$?"
kill -INT "$rtp"
wait "$rtp"
fact s5_root_saw_secret "$(strings /tmp/s5-root.pcap | grep -c "$SECRET")"
fact s5_root_tcpdump_err "$(cat /tmp/s5-root.err)"
run_fact s5_root_down vsockmon-ctl down vsockmon0
fact s5_monitors_after "$(monitors)"
fact s5_klog "$(dmesg | grep -i 'refused a monitor' | tail -n 3)"

# --- 17: HTTP and TLS for the Wireshark plugin (scenarios/e2e-wireshark.sh)
[ ! -f /lib/e2e-wireshark.sh ] || . /lib/e2e-wireshark.sh

# --- 9: doctor (loopback loaded, our module loaded)
log "scenario 9 doctor"
run_fact s9_doctor vsockmon-ctl doctor

# our part ends here: its kernel log, then the in-tree module as contrast
dmesg >"$ARTEFACTS/dmesg-ours.txt"
fact ours_tainted "$(cat /proc/sys/kernel/tainted)"
run_fact ours_rmmod rmmod vsockmon

# --- 5, contrast: the same user against the in-tree module
log "scenario 5 contrast"
intree=$(find /lib/modules/"$rel"/kernel/drivers/net -name "vsockmon.ko*" | head -n 1)
run_fact c_insmod insmod "$intree"
fact c_version "$(cat /sys/module/vsockmon/version 2>&1)"
cat >/tmp/c-user.sh <<'EOF'
. /lib/vmtest.sh
run_fact c_user_ip_add ip link add vsockmon0 type vsockmon
run_fact c_user_ip_up ip link set vsockmon0 up
pktread vsockmon0 "$SECRET" >/tmp/c-user.out 2>/tmp/c-user.err &
tp=$!
wait_for 20 grep -q 'listening' /tmp/c-user.err && touch /tmp/c.ready
wait_for 60 test -e /tmp/c.done
kill -INT "$tp"
wait "$tp"
fact c_user_read_rc "$?"
fact c_user_read_out "$(cat /tmp/c-user.out)"
fact c_user_read_err "$(cat /tmp/c-user.err)"
EOF
rm -f /tmp/c.ready /tmp/c.done
setpriv --reuid 1000 --regid 1000 --clear-groups unshare -Urn sh /tmp/c-user.sh &
up=$!
wait_for 30 test -e /tmp/c.ready
fact c_user_ready "$(test -e /tmp/c.ready && echo 1 || echo 0)"
xfer c socat 5009 /tmp/s5.txt
touch /tmp/c.done
wait "$up"
fact end 1
