// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>
#include <linux/if_ether.h>

#include "readers.h"

int packet_readers(FILE *f, int ifindex)
{
	char line[256];
	int n = 0;

	/* "sk RefCnt Type Proto Iface R Rmem User Inode" */
	if (!fgets(line, sizeof(line), f) || strncmp(line, "sk ", 3))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int proto;
		int iface;

		if (sscanf(line, "%*s %*d %*d %x %d", &proto, &iface) != 2)
			return -1;
		if (proto == ETH_P_ALL && iface == ifindex)
			n++;
	}
	return n;
}

int packet_readers_of(int ifindex)
{
	FILE *f = fopen("/proc/net/packet", "re");
	int n;

	if (!f)
		return -1;
	n = packet_readers(f, ifindex);
	fclose(f);
	return n;
}
