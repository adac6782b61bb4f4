/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who reads a monitor: the packet sockets of /proc/net/packet. The module
 * taps the transports only while one is bound to the monitor (or it is
 * promiscuous), so this is also what makes a monitor cost something.
 */
#ifndef VSOCKMON_READERS_H
#define VSOCKMON_READERS_H

#include <stddef.h>
#include <stdio.h>

#include "rtnl.h"

/*
 * Set v[i].readers to the sockets reading all protocols (ETH_P_ALL: the
 * only ones that see a monitor's frames) bound to v[i], from one
 * /proc/net/packet listing f. Returns -1, readers left at -1, when f does
 * not look like one.
 */
int packet_readers(FILE *f, struct link_info *v, size_t n);

/* The same from this network namespace's listing, read once. */
void links_count_readers(struct link_info *v, size_t n);

#endif
