# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Shared by the vhost scenarios (vhost.sh, vhost-bench.sh), run on the outer
# host: the clock they time with, and the nested QEMU with its microVM guest.
# Env: INNER_KERNEL, INNER_INITRD, INNER_MEM, INNER_TIMEOUT, QEMU_MODULE_DIR.

up() { cut -d' ' -f1 /proc/uptime; }
# seconds since uptime $1
since() { awk -v a="$1" -v b="$(up)" 'BEGIN { printf "%.2f", b - a }'; }

# start_inner: the inner guest under QEMU -M microvm with a vhost-vsock
# device (guest CID 3), its console in /tmp/inner.console; sets t_q (its
# start) and qp (QEMU's pid)
start_inner() {
	t_q=$(up)
	QEMU_MODULE_DIR=${QEMU_MODULE_DIR:-} timeout -s KILL "$INNER_TIMEOUT" \
		qemu-system-x86_64 -M microvm,acpi=off -accel tcg -cpu max -smp 1 -m "$INNER_MEM" \
		-nographic -no-reboot -nic none -kernel "$INNER_KERNEL" -initrd "$INNER_INITRD" \
		-append "console=ttyS0 quiet panic=-1 reboot=t vmtest_timeout=$((INNER_TIMEOUT - 30))" \
		-device vhost-vsock-device,guest-cid=3 </dev/null >/tmp/inner.console 2>&1 &
	qp=$!
}
