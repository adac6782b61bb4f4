# Guest half of tests/vm/hybrid: real peers for the host's hybrid vsock
# checks (vhost-device-vsock on the host, the guest's virtio transport,
# guest CID 3). The guest needs no module of ours and captures nothing: the
# capture runs on the host (vsockmon-ctl capture --uds). Services, all socat:
#   SINK_PORT     reads a line "N\n", then N bytes, answers "SHA256 N\n"
#                 and closes
#   SOURCE_PORT   sends $G2H_FILE, then closes
# (vhost-device-vsock has no half-close: a host's shutdown(SHUT_WR) reaches
# the guest as a full SHUTDOWN, its writes then fail with EPIPE; so the
# sink is told the length instead of waiting for the end, and the source
# closes both ways after sending: socat -t 0.5)
#   CTL_PORT      one control connection, opened by the host before any
#                 capture (so no capture may touch it): lines "send P"
#                 (connect to CID 2 port P, i.e. the host's UDS_P listener,
#                 and send $G2H_FILE; answers "sent P RC"), "quit"
#   PUMP_PORT     (only when set: bench/hybrid) bench/hybrid-pump's server
# Facts only; the host judges.
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
G2H_FILE=${G2H_FILE:-/hybrid/g2h.bin}
SINK_PORT=${SINK_PORT:-5001}
SOURCE_PORT=${SOURCE_PORT:-5002}
CTL_PORT=${CTL_PORT:-5000}
fact kernel "$(uname -r)"
run_fact modprobe_virtio_pci modprobe virtio_pci
run_fact modprobe_virtio_transport modprobe vmw_vsock_virtio_transport
modprobe vsock_diag 2>/dev/null
fact virtio_devices "$(cat /sys/bus/virtio/devices/*/device 2>&1 | tr '\n' ' ')"
fact g2h_sha256 "$(sha256sum <"$G2H_FILE" | cut -d' ' -f1)"

cat >/tmp/sink <<'EOF'
#!/bin/sh
f=$(mktemp /tmp/sink.XXXXXX)
read -r n
head -c "$n" >"$f"
echo "$(sha256sum <"$f" | cut -d' ' -f1) $(wc -c <"$f" | tr -d ' ')"
rm -f "$f"
EOF
cat >/tmp/ctl <<EOF
#!/bin/sh
echo ready
while read -r cmd arg; do
	case \$cmd in
	send)
		socat -u OPEN:$G2H_FILE VSOCK-CONNECT:2:\$arg </dev/null >/dev/null 2>>/tmp/ctl.err
		echo "sent \$arg \$?" ;;
	quit) : >/tmp/ctl.quit; echo bye; exit 0 ;;
	*) echo "unknown \$cmd" ;;
	esac
done
EOF
chmod +x /tmp/sink /tmp/ctl

socat -t 2 "VSOCK-LISTEN:$SINK_PORT,fork,reuseaddr" EXEC:/tmp/sink 2>>/tmp/sink.err &
sink_pid=$!
socat -t 0.5 "VSOCK-LISTEN:$SOURCE_PORT,fork,reuseaddr" "EXEC:cat $G2H_FILE" 2>>/tmp/source.err &
source_pid=$!
# bench/hybrid: its workload server (bench/hybrid-pump serve-vsock)
if [ -n "${PUMP_PORT:-}" ]; then
	hybrid-pump serve-vsock "$PUMP_PORT" 2>>/tmp/pump.err &
fi
listening() { ss --vsock -l 2>/dev/null | grep ":$1 " >/dev/null; }
wait_for 20 listening "$SINK_PORT" && wait_for 20 listening "$SOURCE_PORT"
fact services_rc $?
# (the host retries its first CONNECT until the guest listens anyway)
log "services up; waiting for the host's control connection"
# the host ends the run with "quit" (or closes); run-vm's timeout bounds it
socat -t 5 "VSOCK-LISTEN:$CTL_PORT,reuseaddr" EXEC:/tmp/ctl 2>/tmp/ctl.socat.err
fact ctl_rc $?
fact ctl_quit "$([ -e /tmp/ctl.quit ] && echo yes || echo no)"
log "control connection ended"
kill "$sink_pid" "$source_pid" 2>/dev/null
for f in /tmp/pump.err /tmp/sink.err /tmp/source.err /tmp/ctl.err /tmp/ctl.socat.err; do
	[ -s "$f" ] && artefact "$f"
done
fact end 1
