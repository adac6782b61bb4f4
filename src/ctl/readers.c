// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>
#include <linux/if_ether.h>

#include "readers.h"

static void set_readers(struct link_info *v, size_t n, int readers)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i].readers = readers;
}

int packet_readers(FILE *f, struct link_info *v, size_t n)
{
	char line[256];
	size_t i;

	set_readers(v, n, 0);
	/* "sk RefCnt Type Proto Iface R Rmem User Inode" */
	if (!fgets(line, sizeof(line), f) || strncmp(line, "sk ", 3))
		goto bad;
	while (fgets(line, sizeof(line), f)) {
		unsigned int proto;
		int iface;

		if (sscanf(line, "%*s %*d %*d %x %d", &proto, &iface) != 2)
			goto bad;
		for (i = 0; proto == ETH_P_ALL && i < n; i++)
			if (v[i].ifindex == iface)
				v[i].readers++;
	}
	return 0;
bad:
	set_readers(v, n, -1);
	return -1;
}

void links_count_readers(struct link_info *v, size_t n)
{
	FILE *f = fopen("/proc/net/packet", "re");

	if (!f) {
		set_readers(v, n, -1);
		return;
	}
	packet_readers(f, v, n);
	fclose(f);
}
