# SPDX-License-Identifier: GPL-2.0
#
# vsockmon: the vsock capture device as a DKMS module, and vsockmon-ctl.
# Run "make help" for the targets.

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
DESTDIR ?=
PREFIX ?= /usr
DKMS_SRC := $(DESTDIR)/usr/src/vsockmon-$(VERSION)
# The modprobe rule that keeps the kernel's own vsockmon from loading
# (vsockmon-dkms ships it; src/modprobe).
MODPROBEDIR ?= /lib/modprobe.d
LIBEXECDIR ?= $(PREFIX)/libexec
# Wireshark's global Lua plugin folder ("Global Lua Plugins" in tshark -G
# folders), the extcap folder's sibling: packages pass their distribution's
# (debian/rules, the spec), else the compiler's multiarch triplet decides
# as in src/ctl/Makefile.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
LUAPLUGINDIR ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))/wireshark/plugins
MANDIR ?= $(PREFIX)/share/man

# What DKMS needs to rebuild the module: nothing else is shipped in -dkms.
DKMS_FILES := dkms.conf COPYING include/uapi/linux/vsockmon.h \
	$(addprefix src/module/,Kbuild Makefile probe.sh compat.h vsockmon.c) \
	$(wildcard src/module/probes/*.c)

all: ctl module

help:
	@echo "make module [KVER=..] [KDIR=..]  build vsockmon.ko for a kernel"
	@echo "make ctl                         build src/ctl/vsockmon-ctl"
	@echo "make install [DESTDIR=..]        install the tool and the module for KVER"
	@echo "make dkms-install DESTDIR=..     install the DKMS source tree"
	@echo "make install-modprobe [DESTDIR=..]  the modprobe rule that refuses the in-tree vsockmon"
	@echo "make install-module-man [DESTDIR=..]  vsockmon(4), the module's man page"
	@echo "make dist                        vsockmon-$(VERSION).tar.gz (git HEAD, or an unpacked tarball's MANIFEST)"
	@echo "make demo                        boot Debian 6.1 in QEMU, capture a vsock conversation"
	@echo "make e2e                         end-to-end scenarios on Debian 5.10/6.1/6.12/7.2 in QEMU"
	@echo "make stress                      cycles, 64 monitors, rmmod, hostile rtnetlink on Debian 6.1/7.2 in QEMU"
	@echo "make unit                        fast tests: ABI, tool (seconds)"
	@echo "make fuzz                        libFuzzer on the tool's parsers, filter, decoder: fixed seed and count (the gate)"
	@echo "make fuzz-long                   open-ended fuzzing, random seed (FUZZ_SECONDS=600 each, FUZZ_SEED=..)"
	@echo "make style                       checkpatch on the module"
	@echo "make matrix                      DKMS builds for Debian kernels in chroots"
	@echo "make vm-smoke                    boot Debian 6.1 in QEMU with our module"
	@echo "make vm-hybrid                   hybrid vsock (capture --uds) with vhost-device-vsock and a 6.1 guest (~2 min)"
	@echo "make vm-extcap                   tshark in QEMU (Debian 6.1, 7.2): vsock in its interface list (~11 min)"
	@echo "make test-debug-kernel           our module on a KASAN/kmemleak/lockdep 6.1 kernel (QEMU)"
	@echo "make test-microvm                build (cached, ~25 min each cold) and boot the Firecracker-like microVM kernels"
	@echo "make microvm                     build (cached, a few min each cold) and boot the small microVM kernels"
	@echo "make vm-vhost                    the hypervisor host: vhost-vsock capture, nested QEMU (Debian 6.1, 7.2)"
	@echo "make bench                       vsock throughput with/without monitors, capture losses (QEMU, ~15 min)"
	@echo "make bench-vhost                 the same on the hypervisor host's vhost transport (nested QEMU, ~10 min)"
	@echo "make bench-hybrid                capture --uds: throughput and rr through the interposer vs direct"
	@echo "make deb                         .deb packages into dist/"
	@echo "make rpm                         .rpm packages into dist/ (from make dist)"
	@echo "make pkg                         build, lint, install, upgrade, purge the packages"
	@echo "make check                       all of the above, as CI runs it"

deps:
	@scripts/install-deps

module:
	$(MAKE) -C src/module KVER=$(KVER) KDIR=$(KDIR)

ctl:
	$(MAKE) -C src/ctl VERSION=$(VERSION)

install: install-ctl install-module

install-ctl: ctl
	$(MAKE) -C src/ctl install VERSION=$(VERSION) DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	install -D -m 0644 wireshark/vsockmon.lua $(DESTDIR)$(LUAPLUGINDIR)/vsockmon.lua

install-module: module install-module-man
	$(MAKE) -C src/module modules_install KVER=$(KVER) KDIR=$(KDIR) \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR))
	$(if $(DESTDIR),,depmod -a $(KVER))

# vsockmon(4), which vsockmon-dkms ships; .TH carries dkms.conf's version.
install-module-man:
	install -d $(DESTDIR)$(MANDIR)/man4
	sed 's/@VERSION@/$(VERSION)/' man/vsockmon.4 >$(DESTDIR)$(MANDIR)/man4/vsockmon.4
	chmod 644 $(DESTDIR)$(MANDIR)/man4/vsockmon.4

dkms-install:
	@for f in $(DKMS_FILES); do \
		install -D -m $$(test -x $$f && echo 755 || echo 644) \
			$$f $(DKMS_SRC)/$$f || exit 1; \
	done

install-modprobe:
	install -d $(DESTDIR)$(MODPROBEDIR) $(DESTDIR)$(LIBEXECDIR)/vsockmon
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|' src/modprobe/vsockmon.conf.in \
		>$(DESTDIR)$(MODPROBEDIR)/vsockmon.conf
	chmod 644 $(DESTDIR)$(MODPROBEDIR)/vsockmon.conf
	install -m 755 src/modprobe/modprobe-vsockmon $(DESTDIR)$(LIBEXECDIR)/vsockmon/

dist:
	@scripts/make-dist

unit:
	@tests/run abi unit

fuzz:
	@scripts/install-deps build fuzz
	@tests/run fuzz

# Not part of check: exploration whose findings become committed
# regress-* seeds that the gate (make fuzz) replays.
fuzz-long:
	@scripts/install-deps build fuzz
	@tests/fuzz/run --long --selftest

style:
	@tests/run style

matrix:
	@tests/run matrix

vm-smoke:
	@tests/run vm-smoke

vm-extcap:
	@tests/run vm-extcap

vm-hybrid:
	@tests/run hybrid

demo: deps
	@tests/vm/demo

e2e:
	@tests/run e2e

stress:
	@tests/run stress

# Not part of check: builds a debug kernel once (~25 min, cached), then
# boots it with smoke, e2e and stress (see tests/vm/README.md).
test-debug-kernel:
	@scripts/install-deps build test vm debugkernel
	@tests/vm/debug-kernel/run

# Not part of check: builds two Firecracker-like microVM guest kernels from
# Debian's 6.1 source once (~25 min each cold, cached under
# /var/cache/vsockmon), one with modules (DKMS) and one without (vsockmon
# built in), and boots both under QEMU -M microvm (tests/vm/microvm/run).
# make check (make microvm) does the same with the small kernels
# (microvm/small.fragment), which it builds and caches on first use.
test-microvm:
	@scripts/install-deps build test vm matrix pkg debugkernel
	@tests/vm/microvm/run

microvm:
	@tests/run microvm

# The hypervisor host (issue 13): Debian 6.1 and 7.2 as the host, vhost_vsock
# loaded, a nested QEMU with the small built-in microVM kernel as its guest
# (the microvm suite's; built and cached when missing). In make check: about
# 2-4 min a kernel warm.
vm-vhost:
	@tests/run vm-vhost

# Not part of check: measures, asserts nothing (bench/run --help).
bench:
	@scripts/install-deps build vm bench
	@bench/run

# Not part of check: bulk transfers over vhost-vsock through a nested QEMU
# (tests/vm/vhost/run --bench; the Firecracker-like built-in microVM kernel
# as the inner guest, built when not cached).
bench-vhost:
	@scripts/install-deps build vm bench
	@tests/vm/vhost/run --bench

# Not part of check: measures, asserts nothing (bench/hybrid --help).
bench-hybrid:
	@scripts/install-deps build vm bench
	@bench/hybrid

deb:
	@scripts/make-deb

rpm:
	@scripts/make-rpm

pkg:
	@tests/run pkg

check: deps
	@tests/run abi style unit fuzz matrix vm-smoke e2e stress microvm hybrid vm-vhost pkg

clean:
	$(MAKE) -C src/module clean
	-$(MAKE) -C src/ctl clean
	rm -rf vsockmon-*.tar.gz dist

.PHONY: all help deps module ctl install install-ctl install-module install-module-man \
	dkms-install install-modprobe dist demo fuzz-long e2e stress test-debug-kernel \
	test-microvm microvm vm-vhost bench bench-vhost bench-hybrid vm-hybrid unit fuzz style matrix vm-smoke vm-extcap deb rpm pkg check clean
