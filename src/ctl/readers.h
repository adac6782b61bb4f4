/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who reads a monitor: the packet sockets of /proc/net/packet. The module
 * taps the transports only while one is bound to the monitor (or it is
 * promiscuous), so this is also what makes a monitor cost something.
 */
#ifndef VSOCKMON_READERS_H
#define VSOCKMON_READERS_H

#include <stdio.h>

/*
 * Sockets reading all protocols (ETH_P_ALL: the only ones that see a
 * monitor's frames) bound to ifindex, in a /proc/net/packet listing.
 * Returns -1 when f does not look like one.
 */
int packet_readers(FILE *f, int ifindex);

/* The same for this network namespace; -1 when it cannot be read. */
int packet_readers_of(int ifindex);

#endif
