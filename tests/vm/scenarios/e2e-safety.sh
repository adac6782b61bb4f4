# Guest half of tests/vm/e2e, safety boot (issue 11): the ways around
# "safe by default", each tried against our module and, where the weakness
# is the in-tree driver's, against that one as contrast. Facts only; the
# host judges (safety-judge.sh).
#   s10  the package's modprobe rule: no DKMS build (and an upgrade window)
#        means no vsockmon at all, never the in-tree driver
#   s11  monitors in a network namespace of another user namespace
#   s12  a monitor as a port or lower device (team, bond, bridge, vlan,
#        macvlan), and the promiscuity sequence that once hung RTNL
#   s13  a promiscuous reader that comes and goes misses no frame
#   s14  vsock network namespaces (Linux >= 7.0): a monitor is machine-wide
#   s16  root of a network namespace without a user namespace (a container
#        given NET_ADMIN): only the initial network namespace has monitors,
#        unless vsockmon is loaded with insecure_allow_netns=1
# Env: SECRET (a payload string). The package's files are in place:
# /lib/modprobe.d/vsockmon.conf and /usr/libexec/vsockmon/modprobe-vsockmon.
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
# shellcheck source=e2e-lib.sh
. /lib/e2e-lib.sh
rel=$(uname -r)
SECRET=${SECRET:-vsockmon-e2e-secret}
ours=/lib/modules/$rel/updates/dkms/vsockmon.ko
as_user() { setpriv --reuid 1000 --regid 1000 --clear-groups "$@"; }
loaded() { if [ -d /sys/module/vsockmon ]; then cat /sys/module/vsockmon/version 2>/dev/null || echo in-tree; else echo none; fi; }
fact kernel "$rel"
run_fact modprobe_loopback modprobe vsock_loopback
fact rule "$(grep '^install' /lib/modprobe.d/vsockmon.conf 2>&1)"
fact ours_file "$(ls "$ours" 2>&1)"
printf '%s' "$SECRET" >/tmp/secret.txt

# user_try NAME: uid 1000, in its own user and network namespace, tries to
# create a monitor and read root's traffic with it while root sends SECRET.
# No pause before the reader's stop: a monitor hands each frame to its
# readers before the peer gets it, so every frame of the conversation is
# queued once xfer returns, and pktread reads its queue when stopped.
user_try() {
	_n=$1
	cat >"/tmp/$_n.sh" <<'EOF'
. /lib/vmtest.sh
n=$1 secret=$2
ip link add vsmu0 type vsockmon >"/tmp/$n.add" 2>&1
echo "$?" >"/tmp/$n.add_rc"
if ip link set vsmu0 up 2>/dev/null; then
	pktread vsmu0 "$secret" >"/tmp/$n.out" 2>"/tmp/$n.err" &
	p=$!
	wait_for 20 grep -q listening "/tmp/$n.err"
	touch "/tmp/$n.ready"
	wait_for 60 test -e "/tmp/$n.done"
	kill -INT "$p"
	wait "$p"
else
	echo "no monitor" >"/tmp/$n.out"
	touch "/tmp/$n.ready"
fi
EOF
	rm -f "/tmp/$_n.ready" "/tmp/$_n.done" "/tmp/$_n.out"
	as_user unshare -Urn sh "/tmp/$_n.sh" "$_n" "$SECRET" &
	_up=$!
	wait_for 40 test -e "/tmp/$_n.ready"
	xfer "$_n" socat 5010 /tmp/secret.txt
	touch "/tmp/$_n.done"
	wait "$_up"
	fact "${_n}_add_rc" "$(cat "/tmp/$_n.add_rc" 2>&1)"
	fact "${_n}_add" "$(cat "/tmp/$_n.add" 2>&1)"
	fact "${_n}_read" "$(cat "/tmp/$_n.out" 2>&1)"
	fact "${_n}_loaded" "$(loaded)"
}

# --- s10: the modprobe rule
log "s10"
klog_mark s10
mv "$ours" /tmp/ours.ko && depmod
fact s10a_modinfo_path "$(modinfo -n vsockmon 2>&1)"
user_try s10a
run_fact s10a_doctor vsockmon-ctl doctor
run_fact s10a_modprobe modprobe vsockmon
fact s10a_loaded_after "$(loaded)"
# contrast: the same without the package's rule loads the in-tree driver
mv /lib/modprobe.d/vsockmon.conf /tmp/vsockmon.conf
user_try s10c
run_fact s10c_doctor vsockmon-ctl doctor
# the user's namespace, and with it its monitor, goes away asynchronously
wait_for 20 rmmod vsockmon
mv /tmp/vsockmon.conf /lib/modprobe.d/vsockmon.conf
# the build present: ours, autoloaded, refuses the user as before
mv /tmp/ours.ko "$ours" && depmod
user_try s10b
fact s10b_sys_version "$(cat /sys/module/vsockmon/version 2>&1)"
rmmod vsockmon 2>/dev/null
run_fact s10b_modprobe modprobe vsockmon
fact s10b_loaded_after "$(loaded)"
rmmod vsockmon
# an upgrade window: dh_dkms removed the old module, the new one is not built yet
mv "$ours" /tmp/ours.ko && depmod
user_try s10u
run_fact s10u_modprobe modprobe vsockmon
fact s10u_loaded_after "$(loaded)"
mv /tmp/ours.ko "$ours" && depmod
fact s10_klog "$(klog_since s10 | grep 'vsockmon: ')"

# --- s11: namespaces of another user namespace
log "s11"
klog_mark s11
run_fact s11_modprobe modprobe vsockmon
cat >/tmp/ctr.sh <<'EOF'
. /lib/vmtest.sh
secret=$1
echo "$$" >/tmp/ctr.pid
wait_for 300 test -e /tmp/ctr.read
if ip link set vsmb0 up 2>/tmp/ctr.uperr; then
	pktread vsmb0 "$secret" >/tmp/ctr.out 2>/tmp/ctr.err &
	p=$!
	wait_for 20 grep -q listening /tmp/ctr.err
	touch /tmp/ctr.ready
	wait_for 60 test -e /tmp/ctr.done
	kill -INT "$p"
	wait "$p"
else
	echo "no monitor" >/tmp/ctr.out
	touch /tmp/ctr.ready
fi
EOF
# ctr_start: a "container" of uid 1000; sets cpid
ctr_start() {
	rm -f /tmp/ctr.pid /tmp/ctr.read /tmp/ctr.ready /tmp/ctr.done /tmp/ctr.out
	as_user unshare -Urn sh /tmp/ctr.sh "$SECRET" &
	ctr_up=$!
	wait_for 20 test -s /tmp/ctr.pid
	cpid=$(cat /tmp/ctr.pid)
}
# ctr_read NAME: the container tries to read vsmb0 while root sends SECRET
ctr_read() {
	touch /tmp/ctr.read
	wait_for 40 test -e /tmp/ctr.ready
	xfer "$1" socat 5011 /tmp/secret.txt
	touch /tmp/ctr.done
	wait "$ctr_up"
	fact "$1_read" "$(cat /tmp/ctr.out 2>&1)"
}
ctr_start
fact s11_cpid "$cpid"
run_fact s11_netns_pid ip link add vsmb0 netns "$cpid" type vsockmon
mkdir -p /run/netns && touch /run/netns/ctr && mount --bind "/proc/$cpid/ns/net" /run/netns/ctr
run_fact s11_netns_fd ip link add vsmb1 netns ctr type vsockmon
run_fact s11_nsid_set ip netns set ctr 7
run_fact s11_target_nsid nlnewlink --target-netnsid 7 vsmb2 vsockmon
run_fact s11_link_nsid ip link add vsmb3 link-netnsid 7 type vsockmon
run_fact s11_nsenter_ip nsenter -t "$cpid" -n ip link add vsmb4 type vsockmon
run_fact s11_nsenter_ctl nsenter -t "$cpid" -n vsockmon-ctl up vsmb5
# the confused deputy: uid 1000's own rtnetlink socket, written by root
setpriv --reuid 1000 --regid 1000 --clear-groups unshare -Urn nlnewlink --hold >/tmp/hold.out &
wait_for 20 grep -q '^pid ' /tmp/hold.out
hpid=$(awk '{ print $2 }' /tmp/hold.out)
run_fact s11_deputy nlnewlink --sock-from "$hpid:$(awk '{ print $4 }' /tmp/hold.out)" vsmb6 vsockmon -
fact s11_deputy_ns_monitors "$(nsenter -t "$hpid" -n ip -o link show type vsockmon 2>&1)"
kill "$hpid"
fact s11_ctr_monitors "$(nsenter -t "$cpid" -n ip -o link show type vsockmon 2>&1)"
fact s11_init_monitors "$(monitors)"
ip link del vsmb3 2>/dev/null
ctr_read s11
fact s11_klog "$(klog_since s11 | grep 'vsockmon: ')"
umount /run/netns/ctr 2>/dev/null; rm -f /run/netns/ctr

# --- s12: a monitor under another device
log "s12"
klog_mark s12
for m in team bonding bridge 8021q macvlan; do modprobe "$m" 2>/dev/null; done
fact s12_uppers "$(for m in team bonding bridge 8021q macvlan; do [ -d /sys/module/$m ] && printf '%s ' $m; done)"
ip link add vsmc0 type vsockmon
ip link add team0 type team 2>/dev/null
run_fact s12_team ip link set vsmc0 master team0
fact s12_team_master "$(ip -o -d link show vsmc0 | grep -o 'master [^ ]*')"
# the sequence that hung RTNL with the earlier module (team passes
# promiscuity to its ports under rcu_read_lock())
run_fact s12_promisc_seq timeout 30 sh -c 'ip link set team0 up && ip link set team0 promisc on &&
	ip link set team0 promisc off && ip link set vsmc0 up && ip link set vsmc0 promisc on &&
	ip link set vsmc0 promisc off && ip link set vsmc0 down'
run_fact s12_rtnl_alive timeout 10 ip link show vsmc0
ip link set vsmc0 nomaster 2>/dev/null
ip link add vbond0 type bond 2>/dev/null
ip link add br0 type bridge
run_fact s12_bond ip link set vsmc0 master vbond0
run_fact s12_bridge ip link set vsmc0 master br0
run_fact s12_vlan ip link add link vsmc0 name vsmc0.5 type vlan id 5
run_fact s12_macvlan ip link add link vsmc0 name mv0 type macvlan
fact s12_master "$(ip -o -d link show vsmc0 | grep -o 'master [^ ]*')"
fact s12_on_top "$(ip -o link show | grep -c '@vsmc0')"
ip link del team0 2>/dev/null; ip link del vbond0 2>/dev/null; ip link del br0; ip link del vsmc0
fact s12_klog "$(klog_since s12 | grep -E 'vsockmon|WARNING|BUG|sleeping function')"

# --- s13: promiscuity flips against the reader poll
log "s13"
ip link add vsmr0 type vsockmon && ip link set vsmr0 up
run_fact s13_flip promiscflip vsmr0 60 20 5013
ip link del vsmr0

# --- s14: vsock network namespaces
log "s14"
if [ -w /proc/sys/net/vsock/child_ns_mode ]; then
	fact s14_supported 1
	fact s14_init_mode "$(cat /proc/sys/net/vsock/ns_mode 2>&1)"
	ip link add vsmn0 type vsockmon && ip link set vsmn0 up
	pktread vsmn0 "$SECRET-ns" >/tmp/s14.out 2>/tmp/s14.err &
	rp=$!
	wait_for 20 grep -q listening /tmp/s14.err
	echo local >/proc/sys/net/vsock/child_ns_mode
	cat >/tmp/s14.sh <<'EOF'
. /lib/vmtest.sh
secret=$1
cat /proc/sys/net/vsock/ns_mode >/tmp/s14.mode 2>&1
socat -u VSOCK-LISTEN:5014 CREATE:/tmp/s14.recv 2>/tmp/s14.lerr &
l=$!
sleep 1
printf '%s' "$secret" | timeout 30 socat -u - VSOCK-CONNECT:1:5014 2>/tmp/s14.serr
echo "$?" >/tmp/s14.send_rc
wait "$l"
ip link add vsmn1 type vsockmon >/tmp/s14.add 2>&1
echo "$?" >/tmp/s14.add_rc
pktread any "$secret" >/tmp/s14.any 2>&1 &
p=$!
sleep 1
kill -INT "$p"
wait "$p"
EOF
	as_user unshare -Urn sh /tmp/s14.sh "$SECRET-ns"
	echo global >/proc/sys/net/vsock/child_ns_mode
	sleep 1
	kill -INT "$rp"
	wait "$rp"
	fact s14_child_mode "$(cat /tmp/s14.mode 2>&1)"
	fact s14_send_rc "$(cat /tmp/s14.send_rc 2>&1)"
	fact s14_recv "$(cat /tmp/s14.recv 2>&1)"
	fact s14_add_rc "$(cat /tmp/s14.add_rc 2>&1)"
	fact s14_add "$(cat /tmp/s14.add 2>&1)"
	fact s14_root_read "$(cat /tmp/s14.out 2>&1)"
	ip link del vsmn0
else
	fact s14_supported 0
fi
run_fact s14_doctor vsockmon-ctl doctor

# --- s16: the initial network namespace only
log "s16"
klog_mark s16
# ns_try TAG: in a child network namespace of the initial user namespace,
# root tries ip, vsockmon-ctl and a request from the initial namespace
ns_try() {
	run_fact "${1}_unshare_ip" unshare -n ip link add vsmx0 type vsockmon
	run_fact "${1}_unshare_ctl" unshare -n vsockmon-ctl up vsmx1
	run_fact "${1}_netns_ip" ip netns exec s16 ip link add vsmx2 type vsockmon
	run_fact "${1}_netns_ctl" ip netns exec s16 vsockmon-ctl up vsmx3
	run_fact "${1}_netns_name" ip link add vsmx4 netns s16 type vsockmon
	fact "${1}_ns_monitors" "$(ip netns exec s16 ip -o link show type vsockmon 2>&1 | awk -F': ' '{ print $2 }' | sort | tr '\n' ' ')"
	run_fact "${1}_doctor" ip netns exec s16 vsockmon-ctl doctor
	run_fact "${1}_init" ip link add vsmx5 type vsockmon
	run_fact "${1}_move" ip link set vsmx5 netns s16
	fact "${1}_init_monitors" "$(monitors)"
	ip link del vsmx5 2>/dev/null
	for m in vsmx2 vsmx3 vsmx4; do ip netns exec s16 ip link del "$m" 2>/dev/null; done
}
run_fact s16_netns_add ip netns add s16
fact s16_param "$(cat /sys/module/vsockmon/parameters/insecure_allow_netns 2>&1)"
ns_try s16
fact s16_klog "$(klog_since s16 | grep 'vsockmon: ')"
# the administrator's decision, through the package's modprobe rule
# (namespaces, and the monitors in them, go away asynchronously)
wait_for 20 rmmod vsockmon
fact s16p_rmmod_rc "$?"
run_fact s16p_modprobe modprobe vsockmon insecure_allow_netns=1
fact s16p_param "$(cat /sys/module/vsockmon/parameters/insecure_allow_netns 2>&1)"
ns_try s16p
fact s16p_monitors_left "$(ip netns exec s16 ip -o link show type vsockmon 2>&1)"
wait_for 20 rmmod vsockmon
run_fact s16_modprobe_again modprobe vsockmon
fact s16_param_again "$(cat /sys/module/vsockmon/parameters/insecure_allow_netns 2>&1)"
# our part ends here; then the in-tree driver as the contrast of s11
dmesg >"$ARTEFACTS/dmesg-ours.txt"
fact ours_tainted "$(cat /proc/sys/kernel/tainted)"
fact ours_monitors_left "$(monitors)"
run_fact ours_rmmod rmmod vsockmon
log "s11 contrast"
intree=$(find /lib/modules/"$rel"/kernel/drivers/net -name "vsockmon.ko*" | sed -n 1p)
run_fact c11_insmod insmod "$intree"
ctr_start
run_fact c11_netns_pid ip link add vsmb0 netns "$cpid" type vsockmon
ctr_read c11
# contrast of s16: root of a child network namespace makes one
run_fact c16_netns_ip ip netns exec s16 ip link add vsmx2 type vsockmon
fact c16_ns_monitors "$(ip netns exec s16 ip -o link show type vsockmon 2>&1 | awk -F': ' '{ print $2 }' | sort | tr '\n' ' ')"
ip netns del s16 2>/dev/null
fact end 1
