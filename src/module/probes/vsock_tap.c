// SPDX-License-Identifier: GPL-2.0
/* The vsock tap API (Linux 4.12) in a kernel built with vsock. */
#include <linux/if_arp.h>
/* 5.10 af_vsock.h uses struct sock without including its header. */
#include <net/sock.h>
#include <net/af_vsock.h>

#if !IS_ENABLED(CONFIG_VSOCKETS)
#error "CONFIG_VSOCKETS is off"
#endif

int probe(struct vsock_tap *tap);
int probe(struct vsock_tap *tap)
{
	tap->module = THIS_MODULE;
	return vsock_add_tap(tap) + vsock_remove_tap(tap) + ARPHRD_VSOCKMON;
}
