// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `doctor`: OK/WARN/FAIL lines about what a capture depends on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "ctl.h"
#include "cmds.h"
#include "kmod.h"
#include "modsit.h"
#include "monitor.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

struct tally { int warn, fail; };

static void line(struct tally *t, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line(struct tally *t, const char *level, const char *fmt, ...)
{
	va_list ap;

	if (!strcmp(level, "WARN"))
		t->warn++;
	else if (!strcmp(level, "FAIL"))
		t->fail++;
	fprintf(OUT, "%-4s  ", level);
	va_start(ap, fmt);
	vfprintf(OUT, fmt, ap);
	va_end(ap);
	fputc('\n', OUT);
}

static bool loaded(const char *mod, struct module_facts *mf)
{
	return kmod_module_facts(mod, mf) == 0 &&
	       (mf->state == MOD_LOADED || mf->state == MOD_BUILTIN);
}

static void check_core(struct tally *t)
{
	struct module_facts mf;
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = errno;	/* libkmod below may change errno */

	if (fd >= 0) {
		close(fd);
		line(t, "OK", "vsock core: AF_VSOCK sockets available%s",
		     loaded("vsock", &mf) ? "" : " (vsock module state unknown)");
	} else if (loaded("vsock", &mf)) {
		line(t, "OK", "vsock core: vsock loaded (socket: %s)", strerror(err));
	} else {
		line(t, "FAIL", "vsock core: not present (socket(AF_VSOCK): %s); "
		     "modprobe vsock or use a kernel with CONFIG_VSOCKETS",
		     strerror(err));
	}
}

static void check_transports(struct tally *t)
{
	static const struct {
		const char *mod, *what;
		bool feeds_tap;
	} tr[] = {
		{ "vmw_vsock_virtio_transport", "virtio (guest)", true },
		{ "vhost_vsock", "vhost (host)", true },
		{ "vsock_loopback", "loopback", true },
		{ "hv_sock", "Hyper-V", false },
		{ "vmw_vsock_vmci_transport", "VMCI (VMware)", false },
	};
	struct module_facts mf;
	int feeding = 0;
	size_t i;

	for (i = 0; i < sizeof(tr) / sizeof(tr[0]); i++) {
		if (!loaded(tr[i].mod, &mf))
			continue;
		if (tr[i].feeds_tap) {
			feeding++;
			line(t, "OK", "transport %s (%s) loaded; its traffic is visible",
			     tr[i].what, tr[i].mod);
			if (!strcmp(tr[i].mod, "vhost_vsock") &&
			    modsit_split_tap_bug(kernel_release()))
				line(t, "WARN", "kernel %s: vhost hands the tap frames "
				     "longer than their header for packets it "
				     "splits (fixed in 6.12.90, 6.18.32, 7.0.9); "
				     "capture and top cut them, tcpdump and "
				     "Wireshark on a monitor see them as they are",
				     kernel_release());
		} else {
			line(t, "WARN", "transport %s (%s) loaded; it never feeds the "
			     "monitor tap, so its traffic is invisible", tr[i].what,
			     tr[i].mod);
		}
	}
	if (!feeding)
		line(t, "WARN", "no monitored transport loaded (virtio, vhost, "
		     "loopback); 'modprobe vsock_loopback' to test locally");
}

static enum modsit check_module(struct tally *t, struct module_facts *mf)
{
	struct modsit_facts sf;
	const char *level;
	char msg[1024];
	enum modsit m;

	kmod_module_facts("vsockmon", mf);
	modsit_gather("/", kernel_release(), &sf);
	m = modsit_classify(&sf);
	level = modsit_explain(m, &sf, kernel_release(), VSOCKMON_VERSION, msg,
			       sizeof(msg));
	line(t, level, "%s", msg);
	if (m == MODSIT_OURS_LOADED && mf->path[0] && !mf->file_matches_loaded)
		line(t, "WARN", "loaded vsockmon differs from %s (rebuilt or "
		     "upgraded since loading?); 'vsockmon-ctl down --all; "
		     "modprobe -r vsockmon' reloads it", mf->path);
	return m;
}

static void check_headers(struct tally *t)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/lib/modules/%s/build/Makefile",
		 kernel_release());
	if (stat(path, &st) == 0)
		line(t, "OK", "kernel headers for %s installed", kernel_release());
	else
		line(t, "WARN", "no kernel headers for %s (%s): DKMS cannot "
		     "build vsockmon; install linux-headers-%s", kernel_release(),
		     path, kernel_release());
}

/* 1, 0, or -1 when unknown (no EFI). */
static int secure_boot(void)
{
	static const char var[] = "/sys/firmware/efi/efivars/"
		"SecureBoot-8be4df61-93ca-11d2-aa0d-e7e4cc1a5f5e";
	unsigned char buf[5];
	FILE *f;
	size_t n;

	if (access("/sys/firmware/efi", F_OK))
		return -1;
	f = fopen(var, "rbe");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == 5 && buf[4] == 1;	/* 4 bytes of attributes, then value */
}

static void check_secure_boot(struct tally *t, const struct module_facts *mf)
{
	int sb = secure_boot();

	if (sb < 0) {
		line(t, "OK", "Secure Boot: not an EFI boot, module signing not enforced "
		     "by firmware");
		return;
	}
	if (!sb) {
		line(t, "OK", "Secure Boot: disabled");
		return;
	}
	if (!mf->path[0] || mf->state == MOD_BUILTIN)
		line(t, "OK", "Secure Boot: enabled");
	else if (mf->has_signature)
		line(t, "OK", "Secure Boot: enabled; vsockmon is signed%s%s",
		     mf->signer[0] ? " by " : "", mf->signer);
	else
		line(t, "FAIL", "Secure Boot: enabled but %s is unsigned; the kernel "
		     "will refuse it: enroll the DKMS signing key (mokutil --import "
		     "/var/lib/dkms/mok.pub) and rebuild", mf->path);
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* PARAM of our module: 1 set, 0 not set, -1 not there (module not ours or not loaded) */
static int module_param_set(const char *param)
{
	char path[128], v[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/vsockmon/parameters/%s", param);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(v, sizeof(v), f))
		v[0] = '\0';
	fclose(f);
	return v[0] == 'Y' || v[0] == '1';
}

static bool other_ns(const char *ns)
{
	char self_path[64], init_path[64];
	struct stat self, init;

	snprintf(self_path, sizeof(self_path), "/proc/self/ns/%s", ns);
	snprintf(init_path, sizeof(init_path), "/proc/1/ns/%s", ns);
	return stat(self_path, &self) == 0 && stat(init_path, &init) == 0 &&
	       (self.st_ino != init.st_ino || self.st_dev != init.st_dev);
}

/*
 * A monitor shows the whole machine's vsock traffic to whoever holds
 * CAP_NET_RAW over its network namespace: ours allows the initial one only,
 * unless the administrator loaded it with one of the insecure_ parameters.
 */
static void check_namespaces(struct tally *t)
{
	int userns = module_param_set("insecure_allow_userns");
	int netns = module_param_set("insecure_allow_netns");

	if (userns > 0)
		line(t, "WARN", "vsockmon loaded with insecure_allow_userns=1: any "
		     "user can create a monitor in its own namespaces and read all "
		     "vsock traffic");
	else if (netns > 0)
		line(t, "WARN", "vsockmon loaded with insecure_allow_netns=1: "
		     "monitors may be created in any network namespace of the "
		     "initial user namespace, and whoever has CAP_NET_RAW there "
		     "(a container given NET_ADMIN) reads all vsock traffic");
	if (other_ns("user"))
		line(t, "WARN", "privileges: running in a non-initial user namespace; "
		     "our module refuses to create monitors here");
	else if (other_ns("net") && netns == 0 && userns == 0)
		line(t, "WARN", "network namespace: not the initial one; our module "
		     "creates monitors only in the initial network namespace "
		     "(module parameter insecure_allow_netns=1 allows others)");
}

static void check_privileges(struct tally *t)
{
	bool admin = has_cap(CAP_NET_ADMIN), raw = has_cap(CAP_NET_RAW);

	check_namespaces(t);
	if (admin && raw)
		line(t, "OK", "privileges: CAP_NET_ADMIN and CAP_NET_RAW");
	else
		line(t, "WARN", "privileges: missing %s%s%s; up/down/capture need root",
		     admin ? "" : "CAP_NET_ADMIN", !admin && !raw ? " and " : "",
		     raw ? "" : "CAP_NET_RAW");
}

static void check_monitors(struct tally *t)
{
	struct link_info *v = NULL;
	struct rtnl_err e;
	struct rtnl *r;
	size_t n, i, stale = 0;

	if (rtnl_open(&r))
		return;
	if (mon_list(r, &v, &n, &e) == 0) {
		for (i = 0; i < n; i++)
			if (tmpmon_is_stale(&v[i], &proc_probe_real))
				stale++;
		if (stale)
			line(t, "WARN", "%zu stale temporary monitor(s) left by a killed "
			     "capture; 'vsockmon-ctl down --stale' removes them", stale);
		else
			line(t, "OK", "%zu monitor(s) in this network namespace", n);
		free(v);
	}
	rtnl_close(r);
}

/*
 * Linux 7.0 made vhost and loopback vsock per network namespace, but the
 * kernel's tap list stayed global: say so where vsock is namespaced.
 */
static void check_vsock_netns(struct tally *t)
{
	char mode[32] = "";
	FILE *f = fopen("/proc/sys/net/vsock/ns_mode", "re");

	if (!f)
		return;
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = '\0';
	fclose(f);
	mode[strcspn(mode, "\n")] = '\0';
	line(t, "OK", "vsock network namespaces: this one is in '%s' mode; a "
	     "monitor still sees the vsock traffic of every namespace (the "
	     "kernel's tap list is global)", mode[0] ? mode : "?");
}

int run_doctor(const struct doctor_opts *o)
{
	struct tally t = { 0, 0 };
	struct module_facts mf;

	(void)o;
	check_core(&t);
	check_vsock_netns(&t);
	check_transports(&t);
	/* headers matter only where DKMS can add a module */
	switch (check_module(&t, &mf)) {
	case MODSIT_NO_MODULES:
	case MODSIT_OURS_BUILTIN:
	case MODSIT_INTREE_BUILTIN:
		break;
	default:
		check_headers(&t);
	}
	check_secure_boot(&t, &mf);
	check_privileges(&t);
	check_monitors(&t);
	fprintf(OUT, "%d warning(s), %d failure(s)\n", t.warn, t.fail);
	return t.fail ? EXIT_FAIL : EXIT_OK;
}
