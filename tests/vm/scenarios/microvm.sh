# Guest half of tests/vm/microvm/run: a microVM guest kernel (QEMU -M microvm,
# virtio-mmio, no ACPI, no PCI) whose vsock device is served on the host by
# vhost-device-vsock. MODE=module: our module, built by DKMS for this kernel,
# is loaded; MODE=builtin: the kernel has no module support and vsockmon is
# built in (scripts/jury-rig). Then the same for both: a standing monitor
# (`vsockmon-ctl up`, list, doctor), two captures at once (a temporary
# monitor, and `-i` on the standing one) of a guest->host and a host->guest
# transfer. Facts only; the host judges.
# Env: MODE, FILE, TO_HOST_PORT (the host listens there), FROM_HOST_PORT
# (the guest listens; the host sends FILE once it has the guest's copy).
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
# shellcheck source=e2e-lib.sh
. /lib/e2e-lib.sh
FILE=${FILE:-/e2e/file.bin}
TO_HOST_PORT=${TO_HOST_PORT:-5021}
FROM_HOST_PORT=${FROM_HOST_PORT:-5022}
fact mode "$MODE"
fact kernel "$(uname -r)"
fact cmdline "$(cat /proc/cmdline)"
fact acpi "$(if [ -d /sys/firmware/acpi ]; then echo present; else echo absent; fi)"
fact pci "$(if [ -d /sys/bus/pci/devices ]; then echo present; else echo absent; fi)"
fact proc_modules "$(if [ -e /proc/modules ]; then echo present; else echo absent; fi)"
# the running kernel's own configuration (CONFIG_IKCONFIG_PROC)
zcat /proc/config.gz >/tmp/config 2>/tmp/config.err
fact config_read "$?"
fact config "$(grep -E '^(# )?CONFIG_(MODULES|VSOCKETS|VIRTIO_VSOCKETS|VSOCKETS_LOOPBACK|VIRTIO_MMIO|VIRTIO_MMIO_CMDLINE_DEVICES|ACPI|PCI|VHOST[A-Z_]*|VSOCKMON|VSOCKMON_OOT)[= ]' /tmp/config | tr '\n' ';')"
# the virtio-mmio device and the vsock transport bound to it
fact virtio_devices "$(cat /sys/bus/virtio/devices/*/device 2>&1 | tr '\n' ' ')"
fact virtio_drivers "$(for d in /sys/bus/virtio/devices/*; do basename "$(readlink "$d/driver")"; done 2>&1 | tr '\n' ' ')"
fact virtio_parents "$(for d in /sys/bus/virtio/devices/*; do basename "$(dirname "$(readlink -f "$d")")"; done 2>&1 | tr '\n' ' ')"
fact ko_files "$(find /lib/modules -name 'vsockmon.ko*' 2>/dev/null | tr '\n' ' ')"

if [ "$MODE" = module ]; then
	run_fact modprobe_vsockmon modprobe vsockmon
	fact modinfo_filename "$(modinfo -F filename vsockmon 2>&1)"
	fact lsmod "$(lsmod 2>&1 | grep vsockmon)"
else
	# nothing to load, and no way to load anything: init_module itself is
	# missing (ENOSYS), where a kernel with modules would reject the file
	run_fact modprobe_vsockmon modprobe vsockmon
	head -c 4096 /dev/zero >/tmp/zero.ko
	run_fact insmod_anything insmod /tmp/zero.ko
fi
fact sys_version "$(cat /sys/module/vsockmon/version 2>&1)"
fact sys_initstate "$(cat /sys/module/vsockmon/initstate 2>&1)"
fact sys_params "$(ls /sys/module/vsockmon/parameters 2>&1 | tr '\n' ' ')"

log "standing monitor"
run_fact up vsockmon-ctl up
run_fact list_up vsockmon-ctl list
run_fact doctor vsockmon-ctl doctor
fact monitors_up "$(monitors)"

log "transfers"
start_capture s2
start_capture s2up -i vsockmon0
t0=$(cut -d' ' -f1 /proc/uptime)
host_transfers "$FILE" "$TO_HOST_PORT" "$FROM_HOST_PORT"
fact transfers_s "$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')"
stop_captures s2 s2up
run_fact list_after vsockmon-ctl list
run_fact down vsockmon-ctl down vsockmon0
fact monitors_after "$(monitors)"
dmesg >"$ARTEFACTS/dmesg-ours.txt"
fact tainted "$(cat /proc/sys/kernel/tainted)"
if [ "$MODE" = module ]; then
	run_fact rmmod rmmod vsockmon
fi
fact end 1
