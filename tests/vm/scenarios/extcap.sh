# Guest half of tests/vm/extcap (dash, run as /scenario by guest/init):
# vsock in tshark's interface list through the extcap, on the loopback
# transport. Reports facts and leaves the extcap's answers and the pcaps
# in $ARTEFACTS; the host judges them.
# Env: EXTCAP_DIR (the folder the host's tshark -G folders names), FILE
# (the file sent over vsock), DUR (tshark -a duration, seconds).
. /lib/vmtest.sh
DUR=${DUR:-5}
fact kernel "$(uname -r)"
export HOME=/root
mkdir -p "$HOME" "$EXTCAP_DIR"
# as the package does: a link to the tool, named vsockmon
ln -sfn /usr/sbin/vsockmon-ctl "$EXTCAP_DIR/vsockmon"
EXT=$EXTCAP_DIR/vsockmon

run_fact modprobe_vsockmon modprobe vsockmon
fact sys_version "$(cat /sys/module/vsockmon/version 2>&1)"
run_fact modprobe_loopback modprobe vsock_loopback
modprobe vsock_diag 2>/dev/null # for ss --vsock

# temporary monitors now (any capture's)
tmpmons() { ip -o link show type vsockmon 2>/dev/null | grep -c ': vsmcap'; }
no_tmpmons() { [ "$(tmpmons)" = 0 ]; }
# a temporary monitor (or MON) that a packet socket reads
reading() {
	vsockmon-ctl list --json 2>/dev/null | tr '{' '\n' |
		grep "\"name\":\"${1:-vsmcap}" | grep -q '"readers":[1-9]'
}

# --- the extcap's own answers, as Wireshark asks
call() { # call NAME ARGS...: stdout and stderr as artefacts, NAME_rc
	n=$1; shift
	"$EXT" "$@" >"$ARTEFACTS/$n.out" 2>"$ARTEFACTS/$n.err"
	fact "${n}_rc" "$?"
}
call interfaces --extcap-interfaces --extcap-version=4.0
run_fact up_vsmx vsockmon-ctl up vsmx
call interfaces_mon --extcap-interfaces --extcap-version=4.0
call dlts --extcap-dlts --extcap-interface vsock
call dlts_mon --extcap-dlts --extcap-interface vsock-vsmx
call config --extcap-config --extcap-interface vsock
call config_mon --extcap-config --extcap-interface vsock-vsmx
call filter_ok --extcap-capture-filter 'link[20:4] = 0x89130000' --extcap-interface vsock
call filter_bad --extcap-capture-filter 'port 1234' --extcap-interface vsock
call filter_bad_mon --extcap-capture-filter 'vsock and (' --extcap-interface vsock-vsmx
fact tmpmons_after_calls "$(tmpmons)"

t0=$(date +%s)
tshark -D >"$ARTEFACTS/tshark-D.out" 2>"$ARTEFACTS/tshark-D.err"
fact tshark_D_rc "$?"
fact tshark_D_s "$(($(date +%s) - t0))"

# exchange PORT PREFIX: FILE over CID 1 to PORT with socat; facts
# PREFIX_sha (what the listener received), PREFIX_send_rc
exchange() {
	socat -u "VSOCK-LISTEN:$1" CREATE:/tmp/recv.$1 2>/tmp/listen.$1.err &
	lp=$!
	wait_for 10 sh -c "ss -H -l --vsock | grep -Eq ':$1([^0-9]|\$)'"
	socat -u "OPEN:$FILE" "VSOCK-CONNECT:1:$1" 2>/tmp/send.$1.err
	fact "${2}_send_rc" "$?"
	wait_for 20 sh -c "! kill -0 $lp" || kill "$lp" 2>/dev/null
	wait "$lp"
	fact "${2}_sha" "$(sha256sum </tmp/recv.$1 | cut -d' ' -f1)"
	rm -f "/tmp/recv.$1"
}

# capture NAME IFACE MON "PORTS" TSHARK_ARGS...: tshark -i IFACE -a
# duration:DUR -w, and once monitor MON (vsmcap: the temporary one) is
# read, FILE to each of PORTS. Facts NAME_rc, NAME_err, NAME_reading_s,
# NAME_s, NAME_tmpmons_after; the pcap as NAME.pcap.
capture() {
	name=$1 iface=$2 mon=$3 ports=$4
	shift 4
	t0=$(date +%s)
	tshark -i "$iface" "$@" -a "duration:$DUR" -w "/tmp/$name.pcap" \
		>"/tmp/$name.out" 2>"/tmp/$name.err" &
	tp=$!
	if [ "$mon" = - ]; then	# nothing should ever read
		:
	elif wait_for 60 reading "$mon"; then
		fact "${name}_reading_s" "$(($(date +%s) - t0))"
		for p in $ports; do exchange "$p" "${name}_$p"; done
	else
		fact "${name}_reading_s" never
	fi
	wait "$tp"
	fact "${name}_rc" "$?"
	fact "${name}_s" "$(($(date +%s) - t0))"
	# tshark's own lines, and the extcap's as "Error by extcap pipe: ..."
	fact "${name}_err" "$(grep -v 'Running as user' "/tmp/$name.err")"
	wait_for 5 no_tmpmons
	fact "${name}_tmpmons_after" "$(tmpmons)"
	[ -f "/tmp/$name.pcap" ] && artefact "/tmp/$name.pcap"
}

# --- captures that end by -a duration
capture plain vsock vsmcap 5001
capture opts vsock vsmcap "5002 5003" -o extcap.vsock.port:5002 -o extcap.vsock.op:payload
capture mon vsock-vsmx vsmx 5004 -o extcap.vsock_vsmx.port:5004
fact vsmx_still_there "$(ip -o link show vsmx >/dev/null 2>&1 && echo 1 || echo 0)"

# --- a capture filter libpcap cannot compile for VSOCK: refused, nothing made
capture badfilter vsock - "" -f 'port 1234'

# stop STYLE: a capture with no end of its own, stopped by STYLE once its
# extcap reads its monitor. Facts STYLE_reading, _rc, _gone_s (until no
# temporary monitor is left), _tmpmons_after, _extcap_alive, _err.
stop() {
	name=$1
	tshark -i vsock -w "/tmp/$name.pcap" >/dev/null 2>"/tmp/$name.err" &
	tp=$!
	wait_for 60 sh -c 'pidof vsockmon' && wait_for 60 reading vsmcap
	fact "${name}_reading" "$(tmpmons)"
	ext_pid=$(pidof vsockmon)
	fact "${name}_extcaps" "$ext_pid"
	case $name in
	sigterm) kill -TERM "$tp" ;;
	sigint) kill -INT "$tp" ;;
	sigkill) kill -KILL "$tp" ;;
	extcap_sigkill) kill -KILL "$ext_pid" ;;
	esac
	t1=$(date +%s)
	wait "$tp"
	fact "${name}_rc" "$?"
	if wait_for 20 no_tmpmons; then
		fact "${name}_gone_s" "$(($(date +%s) - t1))"
	else
		fact "${name}_gone_s" never
	fi
	fact "${name}_tmpmons_after" "$(tmpmons)"
	fact "${name}_extcap_alive" "$(kill -0 "$ext_pid" 2>/dev/null && echo 1 || echo 0)"
	fact "${name}_err" "$(grep -v 'Running as user' "/tmp/$name.err")"
}
stop sigterm
stop sigint
# tshark killed: its dumpcap lives on (Wireshark's doing), reading the fifo,
# so the extcap rightly goes on; once dumpcap goes too, the extcap must
# notice the fifo's reader left and remove its monitor
stop sigkill
fact sigkill_dumpcap_alive "$(pidof dumpcap >/dev/null && echo 1 || echo 0)"
t1=$(date +%s)
kill -KILL $(pidof dumpcap) 2>/dev/null
if wait_for 20 no_tmpmons; then
	fact sigkill_gone_after_dumpcap_s "$(($(date +%s) - t1))"
else
	fact sigkill_gone_after_dumpcap_s never
fi
fact sigkill_extcap_alive_after_dumpcap "$(pidof vsockmon >/dev/null && echo 1 || echo 0)"
# the next step starts clean whatever happened
kill -KILL $(pidof vsockmon) $(pidof dumpcap) 2>/dev/null
# the extcap killed: the monitor stays (stale) until the next capture reaps it
stop extcap_sigkill
capture after_kill vsock vsmcap ""

# --- not root: listing works, capturing says what to do and makes nothing
run_fact user_interfaces /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups "$EXT" --extcap-interfaces
mkfifo /tmp/ufifo && chmod 666 /tmp/ufifo
# absolute: under busybox's timeout a bare "setpriv" is busybox's applet
run_fact user_capture timeout 20 /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups \
	"$EXT" --capture --extcap-interface vsock --fifo /tmp/ufifo
fact user_tmpmons_after "$(tmpmons)"
run_fact down_vsmx vsockmon-ctl down vsmx
