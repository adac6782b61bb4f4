// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `extcap`: vsock in Wireshark's and tshark's interface list. Wireshark
 * runs us once per question (interfaces, link types, configuration,
 * filter check) and once per capture, which goes through capture's own
 * pipeline into the fifo Wireshark reads. stderr is an error dialog in
 * Wireshark: nothing goes there unless something failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "ctl.h"
#include "cmds.h"
#include "extcap.h"
#include "filter.h"
#include "modsit.h"
#include "monitor.h"
#include "source.h"
#include "kmod.h"

#ifndef VSOCKMON_DOCDIR
#define VSOCKMON_DOCDIR "/usr/share/doc/vsockmon-ctl"
#endif

int extcap_monitor_of(const char *iface, const char **mon)
{
	size_t n = strlen(EXTCAP_IFACE);

	if (!iface || strncmp(iface, EXTCAP_IFACE, n))
		return -1;
	if (!iface[n]) {
		*mon = NULL;
		return 0;
	}
	if (iface[n] != '-' || !iface[n + 1])
		return -1;
	*mon = iface + n + 1;
	return 0;
}

/* Wireshark's fields end at '}': keep names and reasons from cutting them. */
static void field(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '{' || *s == '}' ? '_' : *s, f);
}

void extcap_print_interfaces(FILE *f, const char *unavailable,
			     const struct link_info *v, size_t n)
{
	size_t i;
	pid_t pid;

	fprintf(f, "extcap {version=%s}{help=file://%s/README.md}\n",
		VSOCKMON_VERSION, VSOCKMON_DOCDIR);
	/* tshark -D shows "VALUE (DISPLAY)": the display does not repeat it */
	fprintf(f, "interface {value=" EXTCAP_IFACE "}{display=all traffic");
	if (unavailable) {
		fprintf(f, "; unavailable: ");
		field(f, unavailable);
	}
	fprintf(f, "}\n");
	for (i = 0; i < n; i++) {
		/* another capture's monitor comes and goes with it */
		if (tmpmon_parse(&v[i], &pid))
			continue;
		fprintf(f, "interface {value=" EXTCAP_IFACE "-");
		field(f, v[i].name);
		fprintf(f, "}{display=monitor ");
		field(f, v[i].name);
		fprintf(f, "}\n");
	}
}

void extcap_print_dlts(FILE *f)
{
	fprintf(f, "dlt {number=%d}{name=VSOCK}{display=Linux vsock}\n",
		DLT_VSOCK);
}

void extcap_print_config(FILE *f)
{
	static const char *const ops[] = {
		"connect", "disconnect", "control", "payload",
	};
	size_t i;

	/*
	 * CIDs are 64 bits in the frame header, more than Wireshark's
	 * integer types hold: text, checked by Wireshark's dialog with this
	 * pattern (no braces: they would end the field) and by our parser.
	 */
	static const char cid[] = "{type=string}{validation=^(0x[0-9a-fA-F]+|"
				  "[0-9]+)?$}{required=false}";

	fprintf(f, "arg {number=0}{call=--cid}{display=CID (either end)}%s"
		"{tooltip=Frames from or to this CID}{group=Filter}\n", cid);
	fprintf(f, "arg {number=1}{call=--src-cid}{display=Source CID}%s"
		"{tooltip=Frames from this CID}{group=Filter}\n", cid);
	fprintf(f, "arg {number=2}{call=--dst-cid}{display=Destination CID}%s"
		"{tooltip=Frames to this CID}{group=Filter}\n", cid);
	/* ports are 32 bits */
	fprintf(f, "arg {number=3}{call=--port}{display=Port (either end)}"
		"{type=unsigned}{range=0,4294967295}{required=false}"
		"{tooltip=Frames from or to this port}{group=Filter}\n");
	fprintf(f, "arg {number=4}{call=--op}{display=Operation}"
		"{type=selector}{tooltip=Only frames of this vsockmon "
		"operation}{group=Filter}\n");
	fprintf(f, "arg {number=5}{call=--snaplen}{display=Snapshot length}"
		"{type=unsigned}{range=1,%d}{default=%d}"
		"{tooltip=Bytes kept per frame}{group=Capture}\n",
		MAX_SNAPLEN, MAX_SNAPLEN);
	fprintf(f, "arg {number=6}{call=--buffer}{display=Kernel buffer (MiB)}"
		"{type=unsigned}{range=1,%d}{default=%d}"
		"{tooltip=Ring buffer between the kernel and the capture}"
		"{group=Capture}\n", MAX_BUFFER_MIB, DEFAULT_BUFFER_MIB);
	fprintf(f, "value {arg=4}{value=any}{display=any}{default=true}\n");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		fprintf(f, "value {arg=4}{value=%s}{display=%s}{default=false}\n",
			ops[i], ops[i]);
}

int extcap_check_filter(FILE *f, const char *expr)
{
	char why[PCAP_ERRBUF_SIZE + 64];
	struct bpf_program prog;

	if (!filter_balanced(expr)) {
		fprintf(f, "unbalanced parentheses\n");
		return -1;
	}
	if (capsrc_compile_msg(expr, MAX_SNAPLEN, &prog, why, sizeof(why))) {
		fprintf(f, "%s\n", why);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* Why "vsock (all traffic)" cannot work on this kernel, or NULL. */
static const char *unavailable(char *buf, size_t sz)
{
	static const char *const why[] = {
		[MODSIT_NO_MODULES] = "kernel without module support",
		[MODSIT_NOT_BUILT] = "module not built for this kernel",
		[MODSIT_NOTHING] = "no vsockmon module for this kernel",
	};
	struct modsit_facts facts;
	enum modsit m;

	modsit_gather("/", kernel_release(), &facts);
	m = modsit_classify(&facts);
	if (m >= sizeof(why) / sizeof(why[0]) || !why[m])
		return NULL;
	snprintf(buf, sz, "%s, see vsockmon-ctl doctor", why[m]);
	return buf;
}

/*
 * Listing works for everyone: an rtnetlink dump needs no privilege. A
 * failed dump still lists "vsock", the capture then says what is wrong.
 */
static int list_interfaces(void)
{
	struct link_info *v = NULL;
	struct rtnl_err e;
	struct rtnl *r;
	size_t n = 0;
	char buf[128];

	if (!rtnl_open(&r)) {
		if (mon_list(r, &v, &n, &e))
			n = 0;
		rtnl_close(r);
	}
	extcap_print_interfaces(OUT, unavailable(buf, sizeof(buf)), v, n);
	free(v);
	return EXIT_OK;
}

/* Does this process hold capability cap (effective)? Unsure: yes. */
static bool has_cap(unsigned int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return true;
	return d[cap / 32].effective & (1u << (cap % 32));
}

/*
 * Wireshark runs us as the user who runs it: say what to do before
 * anything is created, in its words, not ours.
 */
static int check_privilege(const struct extcap_opts *o)
{
	const char *need = NULL;

	if (!o->monitor && !has_cap(CAP_NET_ADMIN))
		need = has_cap(CAP_NET_RAW) ? "CAP_NET_ADMIN" :
		       "CAP_NET_ADMIN and CAP_NET_RAW";
	else if (!has_cap(CAP_NET_RAW))
		need = "CAP_NET_RAW";
	if (!need)
		return 0;
	ctl_msg("capture on %s needs %s: run Wireshark's capture as root, "
		"or grant them to vsockmon-ctl (see vsockmon-ctl(8), WIRESHARK; "
		"whoever may run it then reads every vsock packet of this "
		"machine)", o->iface, need);
	return EXIT_FAIL;
}

int run_extcap(const struct extcap_opts *o)
{
	switch (o->action) {
	case EXTCAP_INTERFACES:
		return list_interfaces();
	case EXTCAP_DLTS:
		extcap_print_dlts(OUT);
		return EXIT_OK;
	case EXTCAP_CONFIG:
		extcap_print_config(OUT);
		return EXIT_OK;
	case EXTCAP_FILTER:
		/* the answer is the output; the call itself went fine */
		extcap_check_filter(OUT, o->filter);
		return EXIT_OK;
	case EXTCAP_CAPTURE:
		if (check_privilege(o))
			return EXIT_FAIL;
		return run_capture(&o->cap);
	case EXTCAP_VERSION:
		fprintf(OUT, "%s version %s\n", EXTCAP_PROG, VSOCKMON_VERSION);
		return EXIT_OK;
	case EXTCAP_NONE:
	default:
		return EXIT_USAGE;
	}
}
