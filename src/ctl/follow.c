// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `follow`: the bytes of each connection in a capture file, as
 * `tshark -z follow,tcp,raw,N` and tcpflow give them for TCP, with the
 * Wireshark plugin's stream numbers (streams.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capfile.h"
#include "cmds.h"
#include "ctl.h"
#include "streams.h"

/* -o DIR: a file per stream and direction, opened as bytes come. */
struct out_file {
	int fd;			/* -1: closed (or never made) */
	ino_t ino;		/* 0: not made yet */
};

struct outdir {
	const char *path;
	int dfd;
	struct out_file *v;	/* [stream * 2 + dir] */
	size_t n;
	unsigned long long files;
};

static void file_name(char *buf, size_t sz, const struct vstream *s, long idx,
		      int dir)
{
	const struct flow_end *a = &s->end[dir], *b = &s->end[!dir];

	snprintf(buf, sz, "%ld-%llu.%u-%llu.%u", idx, (unsigned long long)a->cid,
		 a->port, (unsigned long long)b->cid, b->port);
}

static void close_all(struct outdir *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].fd >= 0) {
			close(d->v[i].fd);
			d->v[i].fd = -1;
		}
}

/*
 * The file's fd. Made with O_EXCL (we never write into a file someone
 * else made, nor through a symlink); opened again, after fds ran short,
 * only if it is still the file we made.
 */
static int out_fd(struct outdir *d, const struct stream_table *t, long idx,
		  int dir)
{
	size_t slot = (size_t)idx * 2 + (size_t)dir;
	struct out_file *o;
	char name[96];
	struct stat st;
	int retried = 0, fd, flags;

	if (slot >= d->n) {
		size_t n = (size_t)t->n * 2 + 64, i;
		struct out_file *v = realloc(d->v, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (i = d->n; i < n; i++)
			v[i] = (struct out_file){ -1, 0 };
		d->v = v;
		d->n = n;
	}
	o = &d->v[slot];
	if (o->fd >= 0)
		return o->fd;
	file_name(name, sizeof(name), &t->v[idx], idx, dir);
	flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC |
		(o->ino ? O_APPEND : O_CREAT | O_EXCL);
	for (;;) {
		fd = openat(d->dfd, name, flags, 0644);
		if (fd >= 0 || (errno != EMFILE && errno != ENFILE) || retried++)
			break;
		close_all(d);
	}
	if (fd < 0) {
		int err = errno;

		ctl_msg("write %s/%s: %s%s", d->path, name, strerror(err),
			err == EEXIST ? " (follow makes new files only)" : "");
		return -err;
	}
	if (fstat(fd, &st) || (o->ino && st.st_ino != o->ino)) {
		ctl_msg("write %s/%s: replaced while we wrote it", d->path, name);
		close(fd);
		return -EEXIST;
	}
	if (!o->ino)
		d->files++;
	o->ino = st.st_ino;
	o->fd = fd;
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A frame's payload to its stream's file; a closed stream's fd is freed. */
static int out_write(struct outdir *d, const struct stream_table *t,
		     const struct stream_step *st, const uint8_t *data)
{
	int fd = out_fd(d, t, st->idx, st->dir), err;

	if (fd < 0)
		return fd;
	err = write_all(fd, data + st->off, st->n);
	if (t->v[st->idx].closed) {
		close(fd);
		d->v[(size_t)st->idx * 2 + (size_t)st->dir].fd = -1;
	}
	return err;
}

static int open_dir(struct outdir *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	d->path = path;
	if (mkdir(path, 0777) && errno != EEXIST) {
		ctl_error("create", path, errno, NULL);
		return -1;
	}
	d->dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->dfd < 0) {
		ctl_error("open", path, errno, NULL);
		return -1;
	}
	return 0;
}

static void print_table(FILE *f, const struct stream_table *t)
{
	size_t i;

	fprintf(f, "%-6s %-16s %-16s %7s %10s %10s %s\n", "STREAM", "CLIENT",
		"SERVER", "FRAMES", "BYTES>", "BYTES<", "STATE");
	for (i = 0; i < t->n; i++) {
		const struct vstream *s = &t->v[i];
		char a[32], b[32];

		snprintf(a, sizeof(a), "%llu:%u%s",
			 (unsigned long long)s->end[0].cid, s->end[0].port,
			 s->requested ? "" : "?");
		snprintf(b, sizeof(b), "%llu:%u",
			 (unsigned long long)s->end[1].cid, s->end[1].port);
		fprintf(f, "%-6zu %-16s %-16s %7llu %10llu %10llu %s\n", i, a, b,
			(unsigned long long)s->frames,
			(unsigned long long)s->bytes[0],
			(unsigned long long)s->bytes[1],
			s->closed ? "closed" : "open");
	}
}

static void print_end(FILE *f, const char *name, const struct flow_end *e)
{
	fprintf(f, "\"%s\":{\"cid\":%llu,\"port\":%u}", name,
		(unsigned long long)e->cid, e->port);
}

static void print_json(FILE *f, const struct stream_table *t)
{
	size_t i;

	fputs("[", f);
	for (i = 0; i < t->n; i++) {
		const struct vstream *s = &t->v[i];

		fprintf(f, "%s{\"stream\":%zu,", i ? "," : "", i);
		print_end(f, "client", &s->end[0]);
		fputc(',', f);
		print_end(f, "server", &s->end[1]);
		fprintf(f, ",\"requested\":%s,\"conn\":%llu,\"frames\":%llu,"
			"\"bytes_fwd\":%llu,\"bytes_rev\":%llu,"
			"\"missing_fwd\":%llu,\"missing_rev\":%llu,"
			"\"first\":%llu,\"last\":%llu,\"closed\":%s}",
			s->requested ? "true" : "false", s->conn,
			(unsigned long long)s->frames,
			(unsigned long long)s->bytes[0],
			(unsigned long long)s->bytes[1],
			(unsigned long long)s->missing[0],
			(unsigned long long)s->missing[1], s->first, s->last,
			s->closed ? "true" : "false");
	}
	fputs("]\n", f);
}

int run_follow(const struct follow_opts *o)
{
	struct capfile c;
	struct capfile_frame fr;
	struct stream_table t;
	struct stream_step st;
	struct outdir d = { .dfd = -1 };
	unsigned long long missing = 0;
	int r, rc = EXIT_OK, want = o->reply ? 1 : 0;

	streams_init(&t);
	if (capfile_open(&c, o->read)) {
		ctl_msg("read %s: %s", o->read, c.err);
		capfile_close(&c);
		return EXIT_FAIL;
	}
	if (!c.ng && !c.any_vsock) {
		ctl_msg("read %s: link type %u, not LINKTYPE_VSOCK (271)",
			o->read, c.ifs[0].linktype);
		capfile_close(&c);
		return EXIT_FAIL;
	}
	if (o->outdir && open_dir(&d, o->outdir)) {
		capfile_close(&c);
		return EXIT_FAIL;
	}
	while ((r = capfile_next(&c, &fr)) == 1) {
		int err = 0;

		if (streams_add(&t, fr.data, fr.caplen, fr.len,
				streams_conn_of(fr.comment), fr.number, o->raw,
				&st)) {
			ctl_msg("read %s: out of memory at frame %llu", o->read,
				fr.number);
			rc = EXIT_FAIL;
			break;
		}
		if (st.idx < 0 || (!st.n && !st.missing))
			continue;
		if (o->stream >= 0 && st.idx == o->stream && st.dir == want) {
			missing += st.missing;
			if (st.n && fwrite(fr.data + st.off, 1, st.n, OUT) != st.n)
				err = errno ? -errno : -EIO;
		} else if (o->outdir) {
			missing += st.missing;	/* headers cut: n is 0 */
			if (st.n)
				err = out_write(&d, &t, &st, fr.data);
		}
		if (err) {
			if (err != -EEXIST && err != -ENOMEM)
				ctl_msg("write %s: %s", o->outdir ? o->outdir :
					"stdout", strerror(-err));
			rc = EXIT_FAIL;
			break;
		}
	}
	if (r < 0) {
		ctl_msg("read %s: %s, after frame %llu", o->read, c.err,
			c.number);
		rc = EXIT_FAIL;
	}
	if (o->stream >= 0 && fflush(OUT)) {
		ctl_msg("write stdout: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK && c.ng && !c.any_vsock) {
		ctl_msg("read %s: no LINKTYPE_VSOCK (271) interface in it",
			o->read);
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK && o->stream >= 0 && (size_t)o->stream >= t.n) {
		ctl_msg("read %s: no stream %lld (it has %zu, from 0)", o->read,
			o->stream, t.n);
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK && missing) {
		ctl_msg("%llu bytes were not captured (snapshot length): the "
			"output has gaps", missing);
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK && o->stream < 0 && !o->outdir) {
		if (o->json)
			print_json(OUT, &t);
		else
			print_table(OUT, &t);
	}
	if (o->outdir) {
		close_all(&d);
		close(d.dfd);
		free(d.v);
		if (rc == EXIT_OK)
			fprintf(ERR, "%zu streams, %llu files in %s\n", t.n,
				d.files, o->outdir);
	}
	capfile_close(&c);
	streams_free(&t);
	return rc;
}
