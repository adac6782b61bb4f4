# Inner guest of tests/vm/vhost/run: the microVM kernel without modules
# (vsock and its virtio transport built in), booted by a QEMU that runs
# inside the outer Debian guest, whose vhost_vsock serves its
# vhost-vsock-device (guest CID 3). It sends FILE to the outer host (CID 2,
# TO_HOST_PORT), then receives the outer host's file on FROM_HOST_PORT.
# Facts only; the outer scenario passes them on and the host judges.
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
FILE=${FILE:-/inner/to-host.bin}
TO_HOST_PORT=${TO_HOST_PORT:-5021}
FROM_HOST_PORT=${FROM_HOST_PORT:-5022}
XFER_TIMEOUT=${XFER_TIMEOUT:-600}
fact kernel "$(uname -r)"
fact init_uptime "$(cut -d' ' -f1 /proc/uptime)"
fact proc_modules "$(if [ -e /proc/modules ]; then echo present; else echo absent; fi)"
fact virtio_devices "$(cat /sys/bus/virtio/devices/*/device 2>&1 | tr '\n' ' ')"
fact virtio_drivers "$(for d in /sys/bus/virtio/devices/*; do basename "$(readlink "$d/driver")"; done 2>&1 | tr '\n' ' ')"
# the listener for the host's file first, so it is there when the host asks
socat -u "VSOCK-LISTEN:$FROM_HOST_PORT" CREATE:/tmp/from-host 2>/tmp/from-host.err &
lp=$!
wait_for 10 sh -c "ss -H -l --vsock 2>/dev/null | grep -Eq ':$FROM_HOST_PORT([^0-9]|\$)'"
fact listen_ready "$?"
t0=$(cut -d' ' -f1 /proc/uptime)
timeout "$XFER_TIMEOUT" socat -u "OPEN:$FILE" "VSOCK-CONNECT:2:$TO_HOST_PORT" 2>/tmp/to-host.err
fact to_host_rc "$?"
fact to_host_err "$(cat /tmp/to-host.err)"
t1=$(cut -d' ' -f1 /proc/uptime)
wait_for "$XFER_TIMEOUT" sh -c "! kill -0 $lp" || kill "$lp" 2>/dev/null
wait "$lp"
fact from_host_rc "$?"
t2=$(cut -d' ' -f1 /proc/uptime)
fact from_host_err "$(cat /tmp/from-host.err)"
fact from_host_sha256 "$(sha256sum </tmp/from-host | cut -d' ' -f1)"
fact from_host_bytes "$(wc -c </tmp/from-host)"
fact to_host_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
fact from_host_s "$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')"
fact end 1
