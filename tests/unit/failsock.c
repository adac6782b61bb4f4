// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for cli_smoke.sh: socket(AF_VSOCK, ...) fails with
 * EAFNOSUPPORT, as on a kernel without vsock, so the test sees which errno
 * doctor reports (issue 15: libkmod's, called in between, came out).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);

	if (domain == AF_VSOCK) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	return real(domain, type, protocol);
}
