// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vsockmon-ctl: create, list, remove and capture vsock monitors.
 */
#include "cmds.h"

int main(int argc, char **argv)
{
	return ctl_main(argc, argv);
}
