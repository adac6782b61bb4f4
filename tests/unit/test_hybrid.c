// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hybrid vsock source without a VMM: the handshake lines as
 * Firecracker and vhost-device-vsock write them, the PATH_P names, the
 * frame header, and interposing on real Unix sockets in a temporary
 * directory (link, rename, restore, the repair after a killed capture).
 */
#include <endian.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <cmocka.h>

#include <linux/vsockmon.h>

#include "harness.h"
#include "hybrid.h"

#define L(s) (s), (sizeof(s) - 1)

static void test_connect_line(void **state)
{
	uint32_t p = 7;

	(void)state;
	assert_int_equal(hyb_parse_connect(L("CONNECT 52\n"), &p), 0);
	assert_int_equal(p, 52);
	assert_int_equal(hyb_parse_connect(L("CONNECT 4294967295\n"), &p), 0);
	assert_int_equal(p, 4294967295u);
	assert_int_equal(hyb_parse_connect(L("CONNECT 52\r\n"), &p), 0);
	assert_int_equal(p, 52);
	/* not this protocol: each leaves p alone */
	p = 7;
	assert_int_equal(hyb_parse_connect(L("CONNECT 4294967296\n"), &p), -1);
	assert_int_equal(hyb_parse_connect(L("CONNECT 52"), &p), -1);
	assert_int_equal(hyb_parse_connect(L("CONNECT \n"), &p), -1);
	assert_int_equal(hyb_parse_connect(L("CONNECT -1\n"), &p), -1);
	assert_int_equal(hyb_parse_connect(L("CONNECT 5x\n"), &p), -1);
	assert_int_equal(hyb_parse_connect(L("CONNECT  52\n"), &p), -1);
	assert_int_equal(hyb_parse_connect(L("connect 52\n"), &p), -1);
	assert_int_equal(hyb_parse_connect(L("OK 52\n"), &p), -1);
	assert_int_equal(p, 7);
}

static void test_ok_line(void **state)
{
	uint32_t p = 0;

	(void)state;
	/* Firecracker: a host-side port it allocated in [2^30, 2^31) */
	assert_int_equal(hyb_parse_ok(L("OK 1073741824\n"), &p), 0);
	assert_int_equal(p, 1073741824u);
	/* vhost-device-vsock: the guest port asked for, echoed */
	assert_int_equal(hyb_parse_ok(L("OK 5001\n"), &p), 0);
	assert_int_equal(p, 5001);
	p = 9;
	assert_int_equal(hyb_parse_ok(L("OK\n"), &p), -1);
	assert_int_equal(hyb_parse_ok(L("ERR 1\n"), &p), -1);
	assert_int_equal(hyb_parse_ok(L("OK 12 \n"), &p), -1);
	assert_int_equal(p, 9);
}

static void test_host_port(void **state)
{
	(void)state;
	/* Firecracker: CONNECT 52 -> OK 1073741824, the guest sees 2:2^30 */
	assert_int_equal(hyb_host_port(52, 1073741824u), 1073741824u);
	/* vhost-device-vsock: CONNECT 5001 -> OK 5001, the guest port again */
	assert_int_equal(hyb_host_port(5001, 5001), HYB_PORT_UNKNOWN);
}

static void test_port_names(void **state)
{
	uint32_t p = 0;

	(void)state;
	assert_int_equal(hyb_port_of_name("v.sock_52", "v.sock", &p), 0);
	assert_int_equal(p, 52);
	assert_int_equal(hyb_port_of_name("v.sock_0", "v.sock", &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(hyb_port_of_name("v.sock", "v.sock", &p), -1);
	assert_int_equal(hyb_port_of_name("v.sock_", "v.sock", &p), -1);
	assert_int_equal(hyb_port_of_name("v.sock_052", "v.sock", &p), -1);
	assert_int_equal(hyb_port_of_name("v.sock_5a", "v.sock", &p), -1);
	assert_int_equal(hyb_port_of_name("v.sockx_5", "v.sock", &p), -1);
	assert_int_equal(hyb_port_of_name(".v.sock_5", "v.sock", &p), -1);
	assert_int_equal(hyb_port_of_name("v.sock_99999999999", "v.sock", &p), -1);
}

static void test_frame_header(void **state)
{
	struct af_vsockmon_hdr h;
	uint8_t b[sizeof(h)];

	(void)state;
	memset(b, 0xaa, sizeof(b));
	hyb_frame_hdr(b, 2, 1073741824u, 3, 52, AF_VSOCK_OP_PAYLOAD);
	memcpy(&h, b, sizeof(h));
	assert_int_equal(le64toh(h.src_cid), 2);
	assert_int_equal(le64toh(h.dst_cid), 3);
	assert_int_equal(le32toh(h.src_port), 1073741824u);
	assert_int_equal(le32toh(h.dst_port), 52);
	assert_int_equal(le16toh(h.op), AF_VSOCK_OP_PAYLOAD);
	assert_int_equal(le16toh(h.transport), AF_VSOCK_TRANSPORT_NO_INFO);
	assert_int_equal(h.len, 0);
	assert_int_equal(h.reserved[0] | h.reserved[1], 0);
}

/* --- on real sockets --- */

static char dir[64], run[96];
static struct hyb_dir d;

static int setup_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/vsockmon-hyb-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(run, sizeof(run), "%s/run", dir);
	setenv("VSOCKMON_RUN_DIR", run, 1);
	return hyb_dir_open(&d, dir);
}

static int teardown_dir(void **state)
{
	char cmd[96];

	(void)state;
	hyb_dir_close(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static int listen_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static ino_t ino_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_ino;
}

static int state_file(char *name, size_t sz)
{
	int run_fd = hyb_run_dir_open(true), fd;

	assert_true(run_fd >= 0);
	fd = hyb_state_open(run_fd, name, sz);
	close(run_fd);
	return fd;
}

static int unlink_state(const char *name)
{
	char p[400];

	snprintf(p, sizeof(p), "%s/%s", run, name);
	return unlink(p);
}

static void test_listening(void **state)
{
	char path[128], file[128], link[128];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/l.sock", dir);
	snprintf(file, sizeof(file), "%s/plain", dir);
	snprintf(link, sizeof(link), "%s/l.link", dir);
	fd = listen_at(path);
	assert_int_equal(hyb_listening(path), 1);
	/* a symlink to a listening socket is not one */
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(hyb_listening(link), 0);
	close(fd);
	/* the file stays, nobody listens */
	assert_int_equal(hyb_listening(path), 0);
	fclose(fopen(file, "w"));
	assert_int_equal(hyb_listening(file), 0);
	assert_int_equal(hyb_listening("/nonexistent/x"), -ENOENT);
}

static void test_interpose_restore(void **state)
{
	char path[128], hidden[160], why[160], name[64];
	struct hyb_taken t, t2;
	ino_t orig;
	int vmm, fd, fd2, st;

	(void)state;
	snprintf(path, sizeof(path), "%s/vm.sock", dir);
	vmm = listen_at(path);
	chmod(path, 0640);
	orig = ino_of(path);
	assert_int_equal(hyb_hidden_name("vm.sock", name, sizeof(name)), 0);
	assert_string_equal(name, ".vm.sock.vsockmon-orig");
	snprintf(hidden, sizeof(hidden), "%s/%s", dir, name);

	st = state_file(why, sizeof(why));
	assert_true(st >= 0);
	fd = hyb_interpose(&d, "vm.sock", st, &t, why, sizeof(why));
	assert_true(fd >= 0);
	assert_true(t.orig_fd >= 0);
	assert_int_equal(t.orig_ino, orig);
	assert_int_equal(ino_of(path), t.ours);
	assert_int_not_equal(t.ours, orig);
	assert_int_equal(ino_of(hidden), orig);
	{
		struct stat s;

		assert_int_equal(lstat(path, &s), 0);
		assert_int_equal(s.st_mode & 0777, 0640);	/* mode copied */
	}
	assert_int_equal(hyb_listening(path), 1);
	/* a second capture: refused, nothing changed */
	fd2 = hyb_interpose(&d, "vm.sock", -1, &t2, why, sizeof(why));
	assert_int_equal(fd2, -EEXIST);
	assert_non_null(strstr(why, "already interposed"));
	assert_int_equal(ino_of(hidden), orig);

	assert_int_equal(hyb_restore(&d, "vm.sock", &t), 0);
	close(fd);
	close(t.orig_fd);
	assert_int_equal(ino_of(path), orig);
	assert_int_equal(ino_of(hidden), 0);
	close(st);
	close(vmm);
}

/*
 * The directory's owner swaps the hidden name for a symlink to another
 * listener: connects still reach the original (the handle), and the
 * stop leaves the swapped name alone.
 */
static void test_handle_not_name(void **state)
{
	char path[128], hidden[160], other[128], why[160];
	struct hyb_taken t;
	int vmm, oth, fd, c, a;

	(void)state;
	snprintf(path, sizeof(path), "%s/h.sock", dir);
	snprintf(hidden, sizeof(hidden), "%s/.h.sock.vsockmon-orig", dir);
	snprintf(other, sizeof(other), "%s/other.sock", dir);
	vmm = listen_at(path);
	oth = listen_at(other);
	fd = hyb_interpose(&d, "h.sock", -1, &t, why, sizeof(why));
	assert_true(fd >= 0);
	assert_int_equal(unlink(hidden), 0);
	assert_int_equal(symlink(other, hidden), 0);
	c = hyb_connect_orig(t.orig_fd);
	assert_true(c >= 0);
	fcntl(vmm, F_SETFL, O_NONBLOCK);
	fcntl(oth, F_SETFL, O_NONBLOCK);
	a = accept(vmm, NULL, NULL);
	assert_true(a >= 0);		/* the original took it ... */
	assert_int_equal(accept(oth, NULL, NULL), -1);	/* ... not the other */
	close(a);
	close(c);
	assert_int_equal(hyb_restore(&d, "h.sock", &t), -ESTALE);
	assert_int_equal(ino_of(path), t.ours);	/* nothing moved */
	close(fd);
	close(t.orig_fd);
	close(vmm);
	close(oth);
}

static void test_refusals(void **state)
{
	char path[128], file[128], why[160], side[160];
	struct hyb_taken t;
	DIR *dd;
	struct dirent *e;

	(void)state;
	snprintf(path, sizeof(path), "%s/dead.sock", dir);
	snprintf(file, sizeof(file), "%s/regular", dir);
	close(listen_at(path));
	assert_int_equal(hyb_interpose(&d, "dead.sock", -1, &t, why,
				       sizeof(why)), -ECONNREFUSED);
	assert_non_null(strstr(why, "nobody listens"));
	fclose(fopen(file, "w"));
	assert_int_equal(hyb_interpose(&d, "regular", -1, &t, why,
				       sizeof(why)), -ENOTSOCK);
	assert_int_equal(hyb_interpose(&d, "none", -1, &t, why, sizeof(why)),
			 -ENOENT);
	/* nothing left beside them */
	snprintf(side, sizeof(side), "%s/.dead.sock.vsockmon-orig", dir);
	assert_int_equal(ino_of(side), 0);
	dd = opendir(dir);
	assert_non_null(dd);
	while ((e = readdir(dd)))
		assert_null(strstr(e->d_name, "vsockmon-new"));
	closedir(dd);
}

/* The state directory must be ours and closed to others, as ssh-agent's. */
static void test_run_dir(void **state)
{
	char odd[128], target[128], name[64], plant[256];
	int fd;
	FILE *f;

	(void)state;
	snprintf(odd, sizeof(odd), "%s/open-run", dir);
	assert_int_equal(mkdir(odd, 0755), 0);
	setenv("VSOCKMON_RUN_DIR", odd, 1);
	assert_int_equal(hyb_run_dir_open(true), -EPERM);
	if (geteuid() == 0) {
		chmod(odd, 0700);
		assert_int_equal(chown(odd, 65534, 65534), 0);
		assert_int_equal(hyb_run_dir_open(true), -EPERM);
	}
	/* a symlink to our own good directory is refused too */
	snprintf(odd, sizeof(odd), "%s/run-link", dir);
	assert_int_equal(mkdir(run, 0700) && errno != EEXIST, 0);
	assert_int_equal(symlink(run, odd), 0);
	assert_true(hyb_run_dir_open(false) < 0);
	setenv("VSOCKMON_RUN_DIR", run, 1);

	/* a planted PID.state symlink: the file it names is not touched */
	snprintf(target, sizeof(target), "%s/precious", dir);
	f = fopen(target, "w");
	fputs("keep\n", f);
	fclose(f);
	snprintf(plant, sizeof(plant), "%s/%ld.state", run, (long)getpid());
	unlink(plant);	/* an earlier test's */
	assert_int_equal(symlink(target, plant), 0);
	fd = state_file(name, sizeof(name));
	assert_true(fd >= 0);
	assert_int_equal(dprintf(fd, "x\n"), 2);
	close(fd);
	assert_int_equal(unlink_state(name), 0);
	f = fopen(target, "r");
	assert_non_null(fgets(name, sizeof(name), f));
	fclose(f);
	assert_string_equal(name, "keep\n");
}

/* A capture killed after interposing: its state file is not locked. */
static void test_repair_stale(void **state)
{
	char path[128], hidden[160], why[160], name[200];
	struct hyb_taken t;
	ino_t orig;
	int vmm, ours_fd, st;
	pid_t pid;

	(void)state;
	snprintf(path, sizeof(path), "%s/k.sock", dir);
	snprintf(hidden, sizeof(hidden), "%s/.k.sock.vsockmon-orig", dir);
	vmm = listen_at(path);
	orig = ino_of(path);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		st = state_file(name, sizeof(name));
		ours_fd = hyb_interpose(&d, "k.sock", st, &t, why, sizeof(why));
		_exit(ours_fd >= 0 ? 0 : 1);	/* "killed": nothing undone */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_not_equal(ino_of(path), orig);
	assert_int_equal(ino_of(hidden), orig);
	assert_int_equal(hyb_listening(path), 0);	/* a dead name */

	assert_int_equal(hyb_repair_stale(NULL, true), 1);
	assert_int_equal(ino_of(path), orig);
	assert_int_equal(ino_of(hidden), 0);
	assert_int_equal(hyb_listening(path), 1);
	/* again: nothing left to do */
	assert_int_equal(hyb_repair_stale(NULL, true), 0);
	close(vmm);
}

/* A live capture's paths are not stale. */
static void test_owner_alive(void **state)
{
	char path[128], why[160], name[200];
	struct hyb_taken t;
	int vmm, st, fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/o.sock", dir);
	vmm = listen_at(path);
	st = state_file(name, sizeof(name));
	assert_true(st >= 0);
	fd = hyb_interpose(&d, "o.sock", st, &t, why, sizeof(why));
	assert_true(fd >= 0);
	assert_int_equal(hyb_owner(path), getpid());
	assert_int_equal(hyb_repair_stale(NULL, true), 0);
	assert_int_equal(hyb_repair_stale(path, true), -EBUSY);
	assert_int_equal(ino_of(path), t.ours);
	assert_int_equal(hyb_restore(&d, "o.sock", &t), 0);
	close(fd);
	close(t.orig_fd);
	unlink_state(name);
	close(st);
	assert_int_equal(hyb_owner(path), 0);
	close(vmm);
}

/* A live capture whose state file we cannot see: never "repaired". */
static void test_foreign_live(void **state)
{
	char path[128], hidden[160], why[160];
	struct hyb_taken t;
	ino_t orig;
	int vmm, fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/f.sock", dir);
	snprintf(hidden, sizeof(hidden), "%s/.f.sock.vsockmon-orig", dir);
	vmm = listen_at(path);
	orig = ino_of(path);
	fd = hyb_interpose(&d, "f.sock", -1, &t, why, sizeof(why));
	assert_true(fd >= 0);
	assert_int_equal(hyb_owner(path), 0);
	assert_int_equal(hyb_repair_stale(path, true), -EBUSY);
	assert_int_equal(ino_of(path), t.ours);
	assert_int_equal(ino_of(hidden), orig);
	/* its owner dies: now it is stale */
	close(fd);
	close(t.orig_fd);
	assert_int_equal(hyb_repair_stale(path, true), 1);
	assert_int_equal(ino_of(path), orig);
	assert_int_equal(ino_of(hidden), 0);
	close(vmm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_line),
		cmocka_unit_test(test_ok_line),
		cmocka_unit_test(test_host_port),
		cmocka_unit_test(test_port_names),
		cmocka_unit_test(test_frame_header),
		cmocka_unit_test(test_listening),
		cmocka_unit_test(test_interpose_restore),
		cmocka_unit_test(test_handle_not_name),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_run_dir),
		cmocka_unit_test(test_repair_stale),
		cmocka_unit_test(test_owner_alive),
		cmocka_unit_test(test_foreign_live),
	};

	return cmocka_run_group_tests_name("hybrid", tests, setup_dir,
					   teardown_dir);
}
