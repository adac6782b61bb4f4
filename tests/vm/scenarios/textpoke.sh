# Not part of a suite: the reproducer of the "Oops: int3" of x86 text
# patching under QEMU's TCG with a thread per vCPU (see run-vm). A static
# key (kernel.sched_schedstats) is switched on and off TOGGLES times while
# both vCPUs schedule: each switch patches the scheduler's code on one vCPU
# while the other runs it.
#   run-vm --kernel K --initrd I --scenario tests/vm/scenarios/textpoke.sh \
#          --out O [--env TOGGLES=200]
#   VSOCKMON_VM_TCG_THREAD=multi run-vm ...  (QEMU 7.2: Debian 7.2 died in
#   10 boots of 10, 6.12 in 5 of 10; thread=single: 0 of 20)
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
busy() { while :; do /bin/true; done; }
busy &
b1=$!
busy &
b2=$!
i=0
while [ "$i" -lt "${TOGGLES:-200}" ]; do
	echo 1 >/proc/sys/kernel/sched_schedstats
	echo 0 >/proc/sys/kernel/sched_schedstats
	i=$((i + 1))
done
kill "$b1" "$b2"
fact toggles "$i"
