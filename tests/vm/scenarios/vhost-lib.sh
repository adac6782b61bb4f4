# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Shared by the vhost scenarios (vhost.sh, vhost-bench.sh), run on the outer
# host: the clock they time with, and the nested QEMU with its microVM guest.
# Env: INNER_KERNEL, INNER_INITRD, INNER_MEM, INNER_TIMEOUT, QEMU_MODULE_DIR,
# INNER_ACCEL (auto, kvm or tcg).

up() { cut -d' ' -f1 /proc/uptime; }
# seconds since uptime $1
since() { awk -v a="$1" -v b="$(up)" 'BEGIN { printf "%.2f", b - a }'; }

# inner_accel: what runs the inner guest. QEMU's TCG emulates AMD's SVM
# (with nested paging) for its guests, so the outer host can load kvm_amd
# and run the inner guest under KVM: the inner code is then translated once
# (by the outer QEMU), not twice, and the inner guest boots and moves its
# files in seconds instead of minutes. vhost_vsock serves a KVM guest as it
# serves a TCG one (it is how Firecracker and Kata run). INNER_ACCEL=auto
# (default) falls back to nested TCG when no /dev/kvm comes up; kvm or tcg
# insist. Prints the choice; fails when kvm is asked for and missing.
inner_accel() {
	case ${INNER_ACCEL:-auto} in
	tcg) echo tcg; return 0 ;;
	esac
	modprobe kvm_amd 2>/dev/null || modprobe kvm_intel 2>/dev/null
	if [ -c /dev/kvm ]; then
		echo kvm
	elif [ "${INNER_ACCEL:-auto}" = kvm ]; then
		return 1
	else
		echo tcg
	fi
}

# start_inner: the inner guest under QEMU -M microvm with a vhost-vsock
# device (guest CID 3), its console in /tmp/inner.console; sets t_q (its
# start), qp (QEMU's pid) and accel (inner_accel's choice; an empty one
# still starts QEMU, which then fails with its own message)
start_inner() {
	accel=$(inner_accel) || accel=''
	fact inner_accel "$accel"
	t_q=$(up)
	QEMU_MODULE_DIR=${QEMU_MODULE_DIR:-} timeout -s KILL "$INNER_TIMEOUT" \
		qemu-system-x86_64 -M microvm,acpi=off -accel "${accel:-kvm}" -cpu max -smp 1 -m "$INNER_MEM" \
		-nographic -no-reboot -nic none -kernel "$INNER_KERNEL" -initrd "$INNER_INITRD" \
		-append "console=ttyS0 quiet panic=-1 reboot=t vmtest_timeout=$((INNER_TIMEOUT - 30))" \
		-device vhost-vsock-device,guest-cid=3 </dev/null >/tmp/inner.console 2>&1 &
	qp=$!
}
