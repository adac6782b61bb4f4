/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wireshark's extcap interface (doc/man_pages/extcap.adoc in wireshark):
 * the lines Wireshark reads, kept apart from the kernel so that the unit
 * tests check them against the contract.
 */
#ifndef VSOCKMON_EXTCAP_H
#define VSOCKMON_EXTCAP_H

#include <stdio.h>

#include "rtnl.h"

/*
 * The entry in Wireshark's extcap folder: a symlink to vsockmon-ctl, which
 * runs `extcap` when started under this name.
 */
#define EXTCAP_PROG "vsockmon"
/* "vsock": a temporary monitor; "vsock-NAME": the monitor NAME */
#define EXTCAP_IFACE "vsock"

/*
 * The monitor behind an interface value: 0 with *mon NULL (temporary) or
 * pointing into iface; -1 if iface is none of ours.
 */
int extcap_monitor_of(const char *iface, const char **mon);

/*
 * --extcap-interfaces: the extcap line, "vsock" and one line per monitor
 * in v that is not a temporary one. unavailable: why a capture cannot
 * work on this kernel (shown in the name), or NULL.
 */
void extcap_print_interfaces(FILE *f, const char *unavailable,
			     const struct link_info *v, size_t n);
void extcap_print_dlts(FILE *f);
void extcap_print_config(FILE *f);
/*
 * --extcap-capture-filter alone: nothing on f if expr compiles for
 * DLT_VSOCK, else one line saying why. Returns 0 if valid.
 */
int extcap_check_filter(FILE *f, const char *expr);

#endif
