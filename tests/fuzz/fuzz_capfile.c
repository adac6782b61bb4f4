// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a capture file of any bytes through capfile.c (the
 * pcap and pcapng readers of `follow`) and streams.c. Capture files come
 * from anyone, so a damaged one must end in an error with a message,
 * never a read outside the block that holds a frame.
 * Input: the file's bytes; its last byte's low bit sets --raw.
 */
#include <string.h>

#include "capfile.h"
#include "streams.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_plant();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capfile c;
	struct capfile_frame fr;
	struct stream_table t;
	struct stream_step st;
	uint64_t sum[2] = { 0, 0 }, got[2] = { 0, 0 };
	unsigned long long frames = 0;
	bool raw = size && (data[size - 1] & 1);
	FILE *f;
	size_t i;
	int r;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		abort();
	streams_init(&t);
	if (capfile_fopen(&c, f, true)) {
		oracle(c.err[0], "open failed without a message");
		capfile_close(&c);
		return 0;
	}
	while ((r = capfile_next(&c, &fr)) == 1) {
		frames++;
		oracle(fr.data >= c.buf && fr.caplen <= c.cap &&
		       fr.data + fr.caplen <= c.buf + c.cap,
		       "frame %llu outside its block", frames);
		oracle(strlen(fr.comment) < sizeof(c.comment), "comment");
		oracle(fr.number == c.number && fr.number >= frames, "number");
		/*
		 * Each frame costs a 16-byte pcap record header, or a pcapng
		 * block of at least 16 (SPB) or 32 (EPB) bytes. The planted bug:
		 * every frame costs 32.
		 */
		oracle((c.number + 1) * (planted ? 32 : 16) <= size + 16,
		       "%llu frames from %zu bytes", c.number, size);
		if (streams_add(&t, fr.data, fr.caplen, fr.len,
				streams_conn_of(fr.comment), fr.number, raw, &st))
			break;	/* out of memory: allowed, not a finding */
		if (st.idx < 0)
			continue;
		oracle((size_t)st.idx < t.n && (st.dir == 0 || st.dir == 1),
		       "stream %ld dir %d", st.idx, st.dir);
		oracle(st.off + (uint64_t)st.n <= fr.caplen,
		       "payload %u+%u past caplen %u", st.off, st.n, fr.caplen);
		sum[st.dir] += st.n;
	}
	oracle(r != -1 || c.err[0], "error without a message");
	for (i = 0; i < t.n; i++) {
		got[0] += t.v[i].bytes[0];
		got[1] += t.v[i].bytes[1];
		oracle(t.v[i].frames && t.v[i].first <= t.v[i].last,
		       "stream %zu frames", i);
	}
	oracle(got[0] + got[1] == sum[0] + sum[1], "bytes %llu != %llu",
	       (unsigned long long)(got[0] + got[1]),
	       (unsigned long long)(sum[0] + sum[1]));
	capfile_close(&c);
	streams_free(&t);
	return 0;
}
