// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Netlink messages: requests built into a buffer and parsed back with
 * libmnl; crafted kernel replies (errors with and without extended ACK,
 * capped and uncapped, DONE with an error, link dumps) parsed by ours.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "rtnl.h"
#include "links.h"

static char buf[RTNL_BUFSZ];

struct attrs {
	const struct nlattr *tb[IFLA_MAX + 1];
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *t = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= IFLA_MAX)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static int kind_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
		*(const char **)data = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

static const struct ifinfomsg *check_hdr(const struct nlmsghdr *nlh,
					 uint16_t type, uint16_t flags,
					 uint32_t seq, struct attrs *t)
{
	int len = (int)nlh->nlmsg_len;

	assert_true(mnl_nlmsg_ok(nlh, len));
	assert_int_equal(nlh->nlmsg_type, type);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | flags);
	assert_int_equal(nlh->nlmsg_seq, seq);
	memset(t, 0, sizeof(*t));
	assert_true(mnl_attr_parse(nlh, sizeof(struct ifinfomsg), attr_cb, t) >= 0);
	return mnl_nlmsg_get_payload(nlh);
}

static void test_newlink(void **state)
{
	struct nlmsghdr *nlh = rtnl_req_newlink(buf, 42, "vsm0", "vsockmon", 0);
	const char *kind = NULL;
	const struct ifinfomsg *ifi;
	struct attrs t;

	(void)state;
	ifi = check_hdr(nlh, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
			42, &t);
	assert_int_equal(ifi->ifi_family, AF_UNSPEC);
	assert_int_equal(ifi->ifi_index, 0);
	assert_int_equal(ifi->ifi_flags, 0);	/* created down, then set up */
	assert_non_null(t.tb[IFLA_IFNAME]);
	assert_int_equal(mnl_attr_validate(t.tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING), 0);
	assert_string_equal(mnl_attr_get_str(t.tb[IFLA_IFNAME]), "vsm0");
	assert_non_null(t.tb[IFLA_LINKINFO]);
	assert_int_equal(mnl_attr_validate(t.tb[IFLA_LINKINFO], MNL_TYPE_NESTED), 0);
	mnl_attr_parse_nested(t.tb[IFLA_LINKINFO], kind_cb, &kind);
	assert_non_null(kind);
	assert_string_equal(kind, "vsockmon");
	assert_null(t.tb[IFLA_IFALIAS]);
}

static void test_setlink(void **state)
{
	struct nlmsghdr *nlh = rtnl_req_setlink(buf, 7, 12, IFF_UP, IFF_UP,
						"vsockmon-ctl temporary pid=1 start=2");
	const struct ifinfomsg *ifi;
	struct attrs t;

	(void)state;
	ifi = check_hdr(nlh, RTM_SETLINK, NLM_F_ACK, 7, &t);
	assert_int_equal(ifi->ifi_index, 12);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	assert_non_null(t.tb[IFLA_IFALIAS]);
	assert_string_equal(mnl_attr_get_str(t.tb[IFLA_IFALIAS]),
			    "vsockmon-ctl temporary pid=1 start=2");
	assert_null(t.tb[IFLA_IFNAME]);

	nlh = rtnl_req_setlink(buf, 8, 12, 0, IFF_UP, NULL);
	ifi = check_hdr(nlh, RTM_SETLINK, NLM_F_ACK, 8, &t);
	assert_int_equal(ifi->ifi_flags, 0);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	assert_null(t.tb[IFLA_IFALIAS]);
}

static void test_dellink(void **state)
{
	struct nlmsghdr *nlh = rtnl_req_dellink(buf, 9, 33);
	const struct ifinfomsg *ifi;
	struct attrs t;
	size_t i;

	(void)state;
	ifi = check_hdr(nlh, RTM_DELLINK, NLM_F_ACK, 9, &t);
	assert_int_equal(ifi->ifi_index, 33);
	for (i = 0; i <= IFLA_MAX; i++)
		assert_null(t.tb[i]);	/* by index only */
}

static void test_getlink(void **state)
{
	struct nlmsghdr *nlh = rtnl_req_getlink(buf, 10, NULL);
	struct attrs t;

	(void)state;
	check_hdr(nlh, RTM_GETLINK, NLM_F_DUMP, 10, &t);
	assert_null(t.tb[IFLA_IFNAME]);

	nlh = rtnl_req_getlink(buf, 11, "vsockmon0");
	check_hdr(nlh, RTM_GETLINK, 0, 11, &t);
	assert_string_equal(mnl_attr_get_str(t.tb[IFLA_IFNAME]), "vsockmon0");
}

/* Build an NLMSG_ERROR reply as the kernel would. */
static struct nlmsghdr *mk_error(char *out, int error, bool capped,
				 const char *msg, uint32_t offs,
				 bool with_tlvs)
{
	char req[512];
	struct nlmsghdr *orig = rtnl_req_newlink(req, 5, "vsm0", "vsockmon", 0);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(out);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = 5;
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = *orig;
	if (!capped) {
		/* Echo the whole request after the header copy. */
		size_t extra = orig->nlmsg_len - sizeof(*orig);

		memcpy(mnl_nlmsg_get_payload_tail(nlh), (char *)orig + sizeof(*orig),
		       extra);
		nlh->nlmsg_len += MNL_ALIGN(extra);
	}
	if (with_tlvs) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		if (msg)
			mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		if (offs)
			mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	}
	return nlh;
}

static void test_error_extack(void **state)
{
	static const char why[] = "vsockmon: creating a monitor needs CAP_NET_ADMIN "
				  "in the initial user namespace";
	char out[2048];
	struct rtnl_err e;
	int capped;

	(void)state;
	for (capped = 0; capped <= 1; capped++) {
		struct nlmsghdr *nlh = mk_error(out, -EPERM, capped, why, 24, true);

		assert_int_equal(rtnl_parse_error(nlh, &e), EPERM);
		assert_int_equal(e.err, EPERM);
		assert_string_equal(e.msg, why);
	}
}

static void test_error_plain(void **state)
{
	char out[2048];
	struct rtnl_err e;
	struct nlmsghdr *nlh;

	(void)state;
	/* Old kernel: no TLVs, uncapped. */
	nlh = mk_error(out, -EOPNOTSUPP, false, NULL, 0, false);
	assert_int_equal(rtnl_parse_error(nlh, &e), EOPNOTSUPP);
	assert_string_equal(e.msg, "");
	/* ACK */
	nlh = mk_error(out, 0, true, NULL, 0, false);
	assert_int_equal(rtnl_parse_error(nlh, &e), 0);
	/* Message ending in a newline is trimmed. */
	nlh = mk_error(out, -EEXIST, true, "exists\n", 0, true);
	assert_int_equal(rtnl_parse_error(nlh, &e), EEXIST);
	assert_string_equal(e.msg, "exists");
	/* A very long message is cut, not overflowed. */
	{
		char longmsg[600];

		memset(longmsg, 'm', sizeof(longmsg) - 1);
		longmsg[sizeof(longmsg) - 1] = '\0';
		nlh = mk_error(out, -EINVAL, true, longmsg, 0, true);
		assert_int_equal(rtnl_parse_error(nlh, &e), EINVAL);
		assert_int_equal(strlen(e.msg), EXTACK_MAX - 1);
	}
}

static void test_error_malformed(void **state)
{
	char out[2048];
	struct rtnl_err e;
	struct nlmsghdr *nlh;
	struct nlmsgerr *err;

	(void)state;
	/* Too short for struct nlmsgerr. */
	nlh = mnl_nlmsg_put_header(out);
	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 4);
	assert_int_equal(rtnl_parse_error(nlh, &e), EPROTO);
	/* Echoed request claims more bytes than the reply has. */
	nlh = mk_error(out, -EINVAL, false, "x", 0, true);
	err = mnl_nlmsg_get_payload(nlh);
	err->msg.nlmsg_len = 60000;
	assert_int_equal(rtnl_parse_error(nlh, &e), EINVAL);
	assert_string_equal(e.msg, "");
	/* Echoed length shorter than a header. */
	nlh = mk_error(out, -EINVAL, false, "x", 0, true);
	err = mnl_nlmsg_get_payload(nlh);
	err->msg.nlmsg_len = 3;
	assert_int_equal(rtnl_parse_error(nlh, &e), EINVAL);
}

static void test_done_with_error(void **state)
{
	char out[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(out);
	struct rtnl_err e;
	int *code;

	(void)state;
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	code = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*code = -EMSGSIZE;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump interrupted");
	assert_int_equal(rtnl_parse_error(nlh, &e), EMSGSIZE);
	assert_string_equal(e.msg, "dump interrupted");

	nlh = mnl_nlmsg_put_header(out);
	nlh->nlmsg_type = NLMSG_DONE;
	code = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*code = 0;
	assert_int_equal(rtnl_parse_error(nlh, &e), 0);
}

static void test_parse_link(void **state)
{
	char out[2048];
	struct link_info li;

	(void)state;
	assert_int_equal(rtnl_parse_link(mk_link(out, 7, 826, IFF_UP, "vsm0",
						 "vsockmon", sizeof(struct rtnl_link_stats64)),
				     &li), 0);
	assert_int_equal(li.ifindex, 7);
	assert_int_equal(li.type, 826);
	assert_true(li.flags & IFF_UP);
	assert_string_equal(li.name, "vsm0");
	assert_string_equal(li.kind, "vsockmon");
	assert_int_equal(li.mtu, 65568);
	assert_string_equal(operstate_name(li.operstate), "up");
	assert_true(li.has_promiscuity);
	assert_int_equal(li.promiscuity, 1);
	assert_string_equal(li.alias, "vsockmon-ctl temporary pid=5 start=6");
	assert_true(li.has_stats);
	assert_int_equal(li.rx_packets, 1000);
	assert_true(li.rx_bytes == 123456789012ull);
	assert_int_equal(li.rx_dropped, 3);
	assert_true(link_is_vsockmon(&li));
}

static void test_parse_link_variants(void **state)
{
	char out[2048];
	struct link_info li;

	(void)state;
	/* Not ours: a dummy link of type ether. */
	assert_int_equal(rtnl_parse_link(mk_link(out, 2, 1, 0, "eth0", "dummy", 0),
				     &li), 0);
	assert_false(link_is_vsockmon(&li));
	assert_false(li.has_stats);
	/*
	 * ARPHRD_VSOCKMON alone is not a monitor (issue 15): a TUN switched
	 * with TUNSETLINK has it too, and list/down --all must leave it be.
	 */
	assert_int_equal(rtnl_parse_link(mk_link(out, 3, 826, 0, "x", NULL, 0),
				     &li), 0);
	assert_false(link_is_vsockmon(&li));
	assert_int_equal(rtnl_parse_link(mk_link(out, 3, 826, 0, "tun0", "tun", 0),
				     &li), 0);
	assert_false(link_is_vsockmon(&li));
	/* Short stats from an old kernel: what is there is used. */
	assert_int_equal(rtnl_parse_link(mk_link(out, 4, 826, 0, "y", "vsockmon",
						 3 * sizeof(uint64_t)), &li), 0);
	assert_int_equal(li.rx_packets, 1000);
	assert_int_equal(li.rx_dropped, 0);
	/* No name: rejected. Wrong message type: rejected. */
	assert_int_equal(rtnl_parse_link(mk_link(out, 5, 826, 0, NULL, "vsockmon", 0),
				     &li), EINVAL);
	{
		struct nlmsghdr *nlh = mk_link(out, 6, 826, 0, "z", "vsockmon", 0);

		nlh->nlmsg_type = RTM_NEWADDR;
		assert_int_equal(rtnl_parse_link(nlh, &li), EINVAL);
	}
	/* Out-of-range operstate */
	assert_string_equal(operstate_name(200), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newlink),
		cmocka_unit_test(test_setlink),
		cmocka_unit_test(test_dellink),
		cmocka_unit_test(test_getlink),
		cmocka_unit_test(test_error_extack),
		cmocka_unit_test(test_error_plain),
		cmocka_unit_test(test_error_malformed),
		cmocka_unit_test(test_done_with_error),
		cmocka_unit_test(test_parse_link),
		cmocka_unit_test(test_parse_link_variants),
	};

	return cmocka_run_group_tests_name("rtnl", tests, NULL, NULL);
}
