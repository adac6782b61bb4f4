// SPDX-License-Identifier: GPL-2.0
/* The distribution's copy of the upstream header, in its own unit. */
#include <linux/if_arp.h>
#include <linux/vsockmon.h>
#include "layout.h"

void system_layout(struct hdr_layout *out)
{
	*out = (struct hdr_layout)HDR_LAYOUT(af_vsockmon_hdr);
}
