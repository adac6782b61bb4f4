// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-frame printer of `capture` without -w:
 *   TIME SRC_CID:PORT > DST_CID:PORT OP [TYPE VOP [flags F] [credit]] len N
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/vsockmon.h>

#include "ctl.h"
#include "frame.h"

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

int vsock_decode(const uint8_t *d, uint32_t caplen, uint32_t len,
		 struct vsock_frame *f)
{
	uint32_t hdrs;

	memset(f, 0, sizeof(*f));
	f->caplen = caplen;
	f->len = len;
	if (caplen < AF_HDR_LEN)
		return -1;
	f->src_cid = get64(d + offsetof(struct af_vsockmon_hdr, src_cid));
	f->dst_cid = get64(d + offsetof(struct af_vsockmon_hdr, dst_cid));
	f->src_port = get32(d + offsetof(struct af_vsockmon_hdr, src_port));
	f->dst_port = get32(d + offsetof(struct af_vsockmon_hdr, dst_port));
	f->op = get16(d + offsetof(struct af_vsockmon_hdr, op));
	f->transport = get16(d + offsetof(struct af_vsockmon_hdr, transport));
	f->hlen = get16(d + offsetof(struct af_vsockmon_hdr, len));

	hdrs = AF_HDR_LEN + f->hlen;
	f->payload_len = len > hdrs ? len - hdrs : 0;
	if (caplen < hdrs)
		f->hdr_truncated = true;
	if (f->transport == AF_VSOCK_TRANSPORT_VIRTIO &&
	    f->hlen >= VIRTIO_HDR_LEN && caplen >= AF_HDR_LEN + VIRTIO_HDR_LEN) {
		const uint8_t *v = d + AF_HDR_LEN;

		f->has_virtio = true;
		f->vlen = get32(v + offsetof(struct virtio_vsock_hdr, len));
		f->vtype = get16(v + offsetof(struct virtio_vsock_hdr, type));
		f->vop = get16(v + offsetof(struct virtio_vsock_hdr, op));
		f->vflags = get32(v + offsetof(struct virtio_vsock_hdr, flags));
		f->buf_alloc = get32(v + offsetof(struct virtio_vsock_hdr, buf_alloc));
		f->fwd_cnt = get32(v + offsetof(struct virtio_vsock_hdr, fwd_cnt));
	}
	return 0;
}

uint32_t vsock_stated_len(const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct vsock_frame f;

	if (vsock_decode(data, caplen, len, &f) || !f.has_virtio ||
	    f.payload_len <= f.vlen)
		return len;
	return AF_HDR_LEN + f.hlen + f.vlen;
}

const char *op_name(uint16_t op)
{
	static const char *const n[] = {
		[AF_VSOCK_OP_UNKNOWN] = "unknown",
		[AF_VSOCK_OP_CONNECT] = "connect",
		[AF_VSOCK_OP_DISCONNECT] = "disconnect",
		[AF_VSOCK_OP_CONTROL] = "control",
		[AF_VSOCK_OP_PAYLOAD] = "payload",
	};

	return op < sizeof(n) / sizeof(n[0]) ? n[op] : NULL;
}

static const char *vop_name(uint16_t op)
{
	static const char *const n[] = {
		[VIRTIO_VSOCK_OP_REQUEST] = "request", [VIRTIO_VSOCK_OP_RESPONSE] = "response",
		[VIRTIO_VSOCK_OP_RST] = "rst", [VIRTIO_VSOCK_OP_SHUTDOWN] = "shutdown", [VIRTIO_VSOCK_OP_RW] = "rw",
		[VIRTIO_VSOCK_OP_CREDIT_UPDATE] = "credit_update",
		[VIRTIO_VSOCK_OP_CREDIT_REQUEST] = "credit_request",
	};

	return op < sizeof(n) / sizeof(n[0]) ? n[op] : NULL;
}

static void put_flags(struct strbuf *o, const struct vsock_frame *f)
{
	const char *b0 = NULL, *b1 = NULL;
	uint32_t rest = f->vflags;
	const char *sep = "";

	if (!f->vflags)
		return;
	if (f->vop == VIRTIO_VSOCK_OP_SHUTDOWN) {
		b0 = "rcv";
		b1 = "send";
	} else if (f->vop == VIRTIO_VSOCK_OP_RW && f->vtype == VIRTIO_VSOCK_TYPE_SEQPACKET) {
		b0 = "eom";
		b1 = "eor";
	}
	sb_printf(o, " flags ");
	if (b0 && (rest & 1u)) {
		sb_printf(o, "%s", b0);
		sep = "|";
		rest &= ~1u;
	}
	if (b1 && (rest & 2u)) {
		sb_printf(o, "%s%s", sep, b1);
		sep = "|";
		rest &= ~2u;
	}
	if (rest)
		sb_printf(o, "%s0x%x", sep, rest);
}

void vsock_format(char *buf, size_t sz, const struct timeval *ts,
		  const uint8_t *data, uint32_t caplen, uint32_t len)
{
	vsock_format_opt(buf, sz, ts, data, caplen, len, 0);
}

void vsock_format_opt(char *buf, size_t sz, const struct timeval *ts,
		      const uint8_t *data, uint32_t caplen, uint32_t len,
		      unsigned int flags)
{
	struct strbuf o = STRBUF_INIT(buf, sz);
	struct vsock_frame f;
	const char *name;
	struct tm tm;
	time_t t;

	if (!sz)
		return;
	buf[0] = '\0';
	if (ts) {
		t = ts->tv_sec;
		/*
		 * A pcapng file (-r) can carry a time stamp past the years a
		 * struct tm holds; localtime_r() then fails and leaves tm as
		 * it was. Print the seconds rather than stack garbage.
		 */
		if (localtime_r(&t, &tm))
			sb_printf(&o, "%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min,
			    tm.tm_sec, (long)ts->tv_usec);
		else
			sb_printf(&o, "%lld.%06ld ", (long long)ts->tv_sec,
			    (long)ts->tv_usec);
	}
	if (vsock_decode(data, caplen, len, &f) < 0) {
		sb_printf(&o, "[truncated vsock header: %u of %u bytes] length %u",
		    caplen, AF_HDR_LEN, len);
		return;
	}
	sb_printf(&o, "%llu:%u > %llu:%u", (unsigned long long)f.src_cid,
	    f.src_port, (unsigned long long)f.dst_cid, f.dst_port);
	name = op_name(f.op);
	if (name)
		sb_printf(&o, " %s", name);
	else
		sb_printf(&o, " op %u", f.op);

	switch (f.transport) {
	case AF_VSOCK_TRANSPORT_VIRTIO:
		if (f.hlen < VIRTIO_HDR_LEN) {
			sb_printf(&o, " virtio [short header: %u bytes] len %u", f.hlen,
			    f.payload_len);
			break;
		}
		if (!f.has_virtio) {
			sb_printf(&o, " virtio [truncated header: %u of %u bytes]",
			    caplen - AF_HDR_LEN, VIRTIO_HDR_LEN);
			break;
		}
		if (f.vtype == VIRTIO_VSOCK_TYPE_STREAM)
			sb_printf(&o, " stream");
		else if (f.vtype == VIRTIO_VSOCK_TYPE_SEQPACKET)
			sb_printf(&o, " seqpacket");
		else
			sb_printf(&o, " type %u", f.vtype);
		name = vop_name(f.vop);
		if (name)
			sb_printf(&o, " %s", name);
		else
			sb_printf(&o, " vop %u", f.vop);
		put_flags(&o, &f);
		if (f.vop == VIRTIO_VSOCK_OP_CREDIT_UPDATE || f.vop == VIRTIO_VSOCK_OP_CREDIT_REQUEST ||
		    f.vop == VIRTIO_VSOCK_OP_REQUEST || f.vop == VIRTIO_VSOCK_OP_RESPONSE)
			sb_printf(&o, " buf_alloc %u fwd_cnt %u", f.buf_alloc,
			    f.fwd_cnt);
		sb_printf(&o, " len %u", f.vlen);
		if (f.vlen != f.payload_len)
			sb_printf(&o, " (frame carries %u)", f.payload_len);
		break;
	case AF_VSOCK_TRANSPORT_NO_INFO:
		sb_printf(&o, " len %u", f.payload_len);
		break;
	default:
		sb_printf(&o, " transport %u hdr %u len %u", f.transport, f.hlen,
		    f.payload_len);
		break;
	}
	/* headers only asked for: say so only when they were cut */
	if (caplen < len && (!(flags & VSOCK_FMT_HEADERS) ||
			     caplen < AF_HDR_LEN + (uint32_t)f.hlen))
		sb_printf(&o, " [captured %u of %u bytes]", caplen, len);
}
