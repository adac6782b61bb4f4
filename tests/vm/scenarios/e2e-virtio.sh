# Guest half of tests/vm/e2e, virtio boot: the guest's virtio transport
# with vhost-device-vsock as the host backend (guest CID 3, host CID 2).
# Scenario 2 (guest->host and host->guest transfers, captured in the
# guest), the --cid filters of scenario 4 (virtio and loopback traffic at
# the same time) and doctor's virtio line (9). Facts only; the host judges.
# Env: FILE (random file), TO_HOST_PORT (the host listens there, through
# vhost-device-vsock), FROM_HOST_PORT (the guest listens; the host sends
# FILE once it has received the guest's copy), LOOP_PORT (loopback).
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
# shellcheck source=e2e-lib.sh
. /lib/e2e-lib.sh
FILE=${FILE:-/e2e/file.bin}
TO_HOST_PORT=${TO_HOST_PORT:-5021}
FROM_HOST_PORT=${FROM_HOST_PORT:-5022}
LOOP_PORT=${LOOP_PORT:-5023}
fact kernel "$(uname -r)"
run_fact modprobe_virtio_pci modprobe virtio_pci
run_fact modprobe_virtio_transport modprobe vmw_vsock_virtio_transport
run_fact modprobe_loopback modprobe vsock_loopback
modprobe vsock_diag 2>/dev/null
run_fact modprobe_vsockmon modprobe vsockmon
fact sys_version "$(cat /sys/module/vsockmon/version 2>&1)"
# the virtio device is there and the transport bound to it
fact virtio_devices "$(cat /sys/bus/virtio/devices/*/device 2>&1 | tr '\n' ' ')"

log "scenario 2"
start_capture s2
start_capture s4cid --cid 3
start_capture s4dst --dst-cid 2
start_capture s4src --src-cid 1
# unrelated loopback traffic at the same time, for the --cid filters: it
# starts first and lasts (128 KiB, 4 KiB every 0.1 s)
head -c 131072 "$FILE" >/tmp/loop.txt
xfer loop socat "$LOOP_PORT" /tmp/loop.txt slow &
xp=$!
wait_for 20 test -s /tmp/loop.recv
host_transfers "$FILE" "$TO_HOST_PORT" "$FROM_HOST_PORT"
wait "$xp"
stop_captures s2 s4cid s4dst s4src
fact monitors_after "$(monitors)"

log "scenario 9 doctor"
run_fact s9_doctor vsockmon-ctl doctor
dmesg >"$ARTEFACTS/dmesg-ours.txt"
fact tainted "$(cat /proc/sys/kernel/tainted)"
run_fact rmmod rmmod vsockmon
fact end 1
