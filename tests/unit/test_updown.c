// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * up and down against a fake kernel: rtnl_talk() is wrapped at link time
 * (-Wl,--wrap=rtnl_talk), so every rtnetlink request is seen and counted
 * (issue 15: up made four round trips where one does).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <net/if.h>

#include "harness.h"
#include "links.h"
#include "rtnl.h"

struct fake_link {
	char name[IFNAMSIZ], kind[16];
	int ifindex;
	unsigned int flags;
};

static struct fake_link links[8];
static int nlinks, nreq, types[16];

static struct fake_link *by_name(const char *name)
{
	int i;

	for (i = 0; name && i < nlinks; i++)
		if (!strcmp(links[i].name, name))
			return &links[i];
	return NULL;
}

static struct fake_link *by_index(int ifindex)
{
	int i;

	for (i = 0; i < nlinks; i++)
		if (links[i].ifindex == ifindex)
			return &links[i];
	return NULL;
}

static const char *req_name(const struct nlmsghdr *req)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_IFNAME)
			return mnl_attr_get_str(a);
	return NULL;
}

int __wrap_rtnl_talk(struct rtnl *r, struct nlmsghdr *req, rtnl_cb cb,
		     void *data, struct rtnl_err *e);

int __wrap_rtnl_talk(struct rtnl *r, struct nlmsghdr *req, rtnl_cb cb,
		     void *data, struct rtnl_err *e)
{
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(req);
	struct fake_link *l = ifi->ifi_index ? by_index(ifi->ifi_index) :
					       by_name(req_name(req));
	char out[2048];

	(void)r;
	memset(e, 0, sizeof(*e));
	assert_true(nreq < 16);
	types[nreq++] = req->nlmsg_type;
	switch (req->nlmsg_type) {
	case RTM_NEWLINK:
		if (req->nlmsg_flags & NLM_F_CREATE) {
			if (l) {
				e->err = EEXIST;
				break;
			}
			l = &links[nlinks++];
			snprintf(l->name, sizeof(l->name), "%s", req_name(req));
			snprintf(l->kind, sizeof(l->kind), "vsockmon");
			l->ifindex = 100 + nlinks;
			l->flags = ifi->ifi_flags & ifi->ifi_change;
			break;
		}
		/* NEWLINK on an existing link changes it */
		/* fall through */
	case RTM_SETLINK:
		if (l)
			l->flags = (l->flags & ~ifi->ifi_change) |
				   (ifi->ifi_flags & ifi->ifi_change);
		else
			e->err = ENODEV;
		break;
	case RTM_GETLINK:
		if (!l)
			e->err = ENODEV;
		else if (cb)
			cb(mk_link(out, l->ifindex, 826, l->flags, l->name,
				   l->kind, 0), data);
		break;
	case RTM_DELLINK:
		if (!l)
			e->err = ENODEV;
		else
			*l = links[--nlinks];
		break;
	default:
		fail_msg("unexpected request type %u", req->nlmsg_type);
	}
	return e->err;
}

static void reset(void)
{
	nlinks = nreq = 0;
	memset(types, 0, sizeof(types));
}

static void add(const char *name, const char *kind, unsigned int flags)
{
	struct fake_link *l = &links[nlinks++];

	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->ifindex = 100 + nlinks;
	l->flags = flags;
}

static int run(const char *line)
{
	struct run_result r;
	int rc;

	nreq = 0;
	rc = run_ctl(line, &r);
	run_free(&r);
	return rc;
}

static void up_absent_is_one_request(void **state)
{
	(void)state;
	reset();
	assert_int_equal(run("up vsm0"), EXIT_OK);
	assert_int_equal(nreq, 1);
	assert_int_equal(types[0], RTM_NEWLINK);
	assert_non_null(by_name("vsm0"));
	assert_true(by_name("vsm0")->flags & IFF_UP);
}

static void up_existing(void **state)
{
	(void)state;
	reset();
	add("vsm0", "vsockmon", IFF_UP);
	assert_int_equal(run("up vsm0"), EXIT_OK);
	assert_int_equal(nreq, 2);		/* create: EEXIST; get: up */
	reset();
	add("vsm0", "vsockmon", 0);
	assert_int_equal(run("up vsm0"), EXIT_OK);
	assert_int_equal(nreq, 3);		/* ... and set it up */
	assert_true(by_name("vsm0")->flags & IFF_UP);
}

static void up_never_touches_another_kind(void **state)
{
	(void)state;
	reset();
	add("eth9", "dummy", 0);
	assert_int_equal(run("up eth9"), EXIT_FAIL);
	assert_int_equal(nreq, 2);
	assert_false(by_name("eth9")->flags & IFF_UP);
}

/* The kernel cannot check the kind of what it deletes: a get first. */
static void down_is_get_and_delete(void **state)
{
	(void)state;
	reset();
	add("vsm0", "vsockmon", IFF_UP);
	add("eth9", "dummy", IFF_UP);
	assert_int_equal(run("down vsm0"), EXIT_OK);
	assert_int_equal(nreq, 2);
	assert_int_equal(types[1], RTM_DELLINK);
	assert_null(by_name("vsm0"));
	assert_int_equal(run("down eth9"), EXIT_FAIL);
	assert_int_equal(nreq, 1);
	assert_non_null(by_name("eth9"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(up_absent_is_one_request),
		cmocka_unit_test(up_existing),
		cmocka_unit_test(up_never_touches_another_kind),
		cmocka_unit_test(down_is_get_and_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
