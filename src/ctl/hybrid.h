/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hybrid vsock source: the Unix sockets of a userspace virtio-vsock
 * device (Firecracker, cloud-hypervisor, vhost-device-vsock), interposed
 * so that their connections pass through us and become LINKTYPE_VSOCK
 * frames. The host kernel never sees these as vsock.
 *
 * The protocol (Firecracker docs/vsock.md): a host program connects to the
 * VMM's socket PATH and writes "CONNECT <guest port>\n"; the VMM answers
 * "OK <host port>\n" and the stream is the connection. A guest connecting
 * to CID 2 port P makes the VMM connect to PATH_P, where a host program
 * listens.
 */
#ifndef VSOCKMON_HYBRID_H
#define VSOCKMON_HYBRID_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <pcap/pcap.h>

/* A port the protocol does not reveal (the guest's, for PATH_P). */
#define HYB_PORT_UNKNOWN 0xffffffffu
#define HYB_HOST_CID 2
/* The longest handshake line we parse; longer is not this protocol. */
#define HYB_LINE_MAX 64

/* --- hyb_proto.c: pure, no I/O --- */

/* "CONNECT <port>\n": 0 and *port, or -1. n counts the '\n'. */
int hyb_parse_connect(const char *line, size_t n, uint32_t *port);
/* "OK <port>\n" (the VMM's host-side port): 0 and *port, or -1. */
int hyb_parse_ok(const char *line, size_t n, uint32_t *port);
/*
 * The host's port of a host-initiated connection, from the guest port
 * asked for and the number the VMM answered: Firecracker answers the
 * host-side port it allocated; vhost-device-vsock echoes the guest port,
 * which tells nothing of the host's (HYB_PORT_UNKNOWN).
 */
uint32_t hyb_host_port(uint32_t guest_port, uint32_t ok_port);
/* The port P of a directory entry named "<base>_<P>", or -1. */
int hyb_port_of_name(const char *name, const char *base, uint32_t *port);
/*
 * A frame's af_vsockmon_hdr (transport NO_INFO, no transport header)
 * into hdr[32]; the payload, if any, follows it on the wire.
 */
void hyb_frame_hdr(uint8_t *hdr, uint64_t src_cid, uint32_t src_port,
		   uint64_t dst_cid, uint32_t dst_port, uint16_t op);

/* --- hyb_paths.c: the names on disk --- */

/*
 * Where interposing captures record what they changed, one file each,
 * locked while they live: $VSOCKMON_RUN_DIR, else /run/vsockmon/hybrid
 * for root, else $XDG_RUNTIME_DIR/vsockmon-hybrid, else
 * /tmp/vsockmon-hybrid-UID.
 */
const char *hyb_run_dir(void);
/*
 * Open it (create: made first if missing): -EPERM unless it is a
 * directory owned by us that nobody else may enter (mode 0700), as
 * ssh-agent insists; never through a symlink.
 */
int hyb_run_dir_open(bool create);
/* This capture's state file in it, created and locked; -errno. */
int hyb_state_open(int run_fd, char *name, size_t sz);

/* A directory we work in: every step is relative to fd. */
struct hyb_dir {
	int fd;
	char path[PATH_MAX];	/* resolved, for messages and state */
	dev_t dev;
	ino_t ino;
};
/* dir has no symlink in it (RESOLVE_NO_SYMLINKS); -errno. */
int hyb_dir_open(struct hyb_dir *d, const char *dir);
void hyb_dir_close(struct hyb_dir *d);

/*
 * Root's steps in a user's directory: with that user's effective ids
 * and groups until hyb_as_leave. Nothing (0) when not root or uid is 0.
 */
#define HYB_MAX_GROUPS 256
struct hyb_as {
	bool on;
	gid_t egid;
	int ngroups;
	gid_t groups[HYB_MAX_GROUPS];
};
int hyb_as_enter(struct hyb_as *a, uid_t uid, gid_t gid);
void hyb_as_leave(struct hyb_as *a);

/* .BASE.vsockmon-orig: the original socket's second name. */
int hyb_hidden_name(const char *base, char *out, size_t sz);
/*
 * 1 if a socket is listening on the file (sock_diag, this network
 * namespace; a symlink is not followed), 0 if not, -errno if that cannot
 * be told.
 */
int hyb_listening_at(int dirfd, const char *name);
int hyb_listening(const char *path);
/* The same for many names: one dump of the listeners' files, then asks. */
struct hyb_listen_set {
	struct { uint32_t ino, dev; } *v;
	size_t n;
};
int hyb_listen_dump(struct hyb_listen_set *set);
int hyb_listen_has(const struct hyb_listen_set *set, int dirfd,
		   const char *name);
void hyb_listen_free(struct hyb_listen_set *set);

/* What interposing took: how to reach the original, how to give it back. */
struct hyb_taken {
	int orig_fd;		/* O_PATH handle of the original socket */
	ino_t orig_ino;		/* its inode, 0: unknown */
	ino_t ours;		/* our listener's, at the name, 0: unknown */
};
/*
 * Put a listener of ours in place of the listening socket d/base:
 * link the original to its hidden name, bind ours beside it under a
 * random name with the original's mode, rename ours over base.
 * state_fd: the capture's state file, which gets a line first. Returns
 * our listening fd (non-blocking) and fills t, or -errno with why.
 */
int hyb_interpose(const struct hyb_dir *d, const char *base, int state_fd,
		  struct hyb_taken *t, char *why, size_t sz);
/*
 * Put the original back over base (if base is still ours: t->ours; the
 * hidden name still the original: t->orig_ino). -ESTALE: it is not.
 */
int hyb_restore(const struct hyb_dir *d, const char *base,
		const struct hyb_taken *t);
/*
 * A new connection to the original through its handle, non-blocking:
 * the fd, or -errno (-EAGAIN: its backlog is full, try again).
 */
int hyb_connect_orig(int orig_fd);
/*
 * Repair what captures that died left behind (their state files are not
 * locked). only: a path to repair alone (its capture may be gone without
 * a state file), or NULL for all. Returns the number of paths repaired,
 * -errno on failure; a line per repair on stderr unless quiet.
 */
int hyb_repair_stale(const char *only, bool quiet);
/* The pid holding a lock on path's interposition, 0 if none. */
pid_t hyb_owner(const char *path);

/* --- hybrid.c: the relay --- */

struct hybrid;
struct bpf_program;

struct hybrid_stats {
	unsigned long long conns, bytes, frames, filtered;
	unsigned int paths;	/* interposed now */
	unsigned int carried;	/* left to the relay child at the end */
	pid_t relay_pid;
};

/* Interposes on path and on every PATH_P; prints its own errors. */
struct hybrid *hybrid_open(const char *path, uint32_t guest_cid,
			   int snaplen, const struct bpf_program *prog);
/*
 * Relay and record until *stop, count frames or the deadline, as
 * capsrc_loop does. Returns 0 or -1 (error printed).
 */
int hybrid_loop(struct hybrid *h, unsigned long long count, double deadline,
		pcap_handler cb, unsigned char *user,
		void (*tick)(void *), void *tick_data, double tick_s);
/*
 * Restore every path (hybrid_loop has, at its end); connections still
 * open go on in a detached child until they end.
 */
void hybrid_close(struct hybrid *h);
void hybrid_free(struct hybrid *h);
void hybrid_get_stats(const struct hybrid *h, struct hybrid_stats *st);
/*
 * Which relayed connection (1, 2, ... in the order accepted) the frame
 * being handed to the callback belongs to. Two connections can share all
 * four (cid, port) values (HYB_PORT_UNKNOWN), so files keep this number:
 * a pcapng comment HYB_CONN_COMMENT "<n>" on each frame, which the
 * Wireshark plugin and `follow` key streams on.
 */
unsigned long long hybrid_frame_conn(const struct hybrid *h);
#define HYB_CONN_COMMENT "vsockmon connection "
const char *hybrid_path(const struct hybrid *h);

#endif
