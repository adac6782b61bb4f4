// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hybrid vsock handshake lines and the frames we make of it. Pure:
 * the unit tests feed it Firecracker's and vhost-device-vsock's replies.
 */
#include <endian.h>
#include <string.h>

#include <linux/vsockmon.h>

#include "hybrid.h"

/* Decimal digits up to '\n' (or '\r\n'), at most 2^32 - 1. */
static int parse_port(const char *s, const char *end, uint32_t *port)
{
	uint64_t v = 0;
	const char *p = s;

	if (end > s && end[-1] == '\r')
		end--;
	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > 0xffffffffu)
			return -1;
	}
	*port = (uint32_t)v;
	return 0;
}

static int parse_word_port(const char *line, size_t n, const char *word,
			   uint32_t *port)
{
	size_t w = strlen(word);

	if (n < w + 2 || line[n - 1] != '\n' || memcmp(line, word, w) ||
	    line[w] != ' ')
		return -1;
	return parse_port(line + w + 1, line + n - 1, port);
}

int hyb_parse_connect(const char *line, size_t n, uint32_t *port)
{
	return parse_word_port(line, n, "CONNECT", port);
}

int hyb_parse_ok(const char *line, size_t n, uint32_t *port)
{
	return parse_word_port(line, n, "OK", port);
}

uint32_t hyb_host_port(uint32_t guest_port, uint32_t ok_port)
{
	return ok_port == guest_port ? HYB_PORT_UNKNOWN : ok_port;
}

int hyb_port_of_name(const char *name, const char *base, uint32_t *port)
{
	size_t b = strlen(base), n = strlen(name);

	if (n < b + 2 || strncmp(name, base, b) || name[b] != '_')
		return -1;
	/* "_007" is not what the VMM would ask for port 7 */
	if (name[b + 1] == '0' && n > b + 2)
		return -1;
	return parse_port(name + b + 1, name + n, port);
}

void hyb_frame_hdr(uint8_t *hdr, uint64_t src_cid, uint32_t src_port,
		   uint64_t dst_cid, uint32_t dst_port, uint16_t op)
{
	struct af_vsockmon_hdr h;

	memset(&h, 0, sizeof(h));
	h.src_cid = htole64(src_cid);
	h.dst_cid = htole64(dst_cid);
	h.src_port = htole32(src_port);
	h.dst_port = htole32(dst_port);
	h.op = htole16(op);
	h.transport = htole16(AF_VSOCK_TRANSPORT_NO_INFO);
	h.len = 0;
	memcpy(hdr, &h, sizeof(h));
}
