// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The TASKSTATS genetlink listener (taskstats.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "taskstats.h"

#define TS_RCVBUF (8 << 20)
#define TS_MSG_BUF 65536
#define TS_SETUP_TIMEOUT_MS 1000

struct ct_taskstats {
	int fd;
	uint16_t family;
	char cpumask[64];
	uint32_t seq;
	char *buf;
};

/* A request: nlmsghdr, genlmsghdr, one attribute. */
struct ts_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

static int ts_send(struct ct_taskstats *ts, uint16_t type, uint8_t cmd, uint8_t version, uint16_t attr,
		   const void *data, size_t len)
{
	struct ts_req r;
	struct nlattr *na = (struct nlattr *)r.attrs;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};

	if (NLA_HDRLEN + len > sizeof(r.attrs))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.n.nlmsg_type = type;
	r.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.n.nlmsg_seq = ++ts->seq;
	r.g.cmd = cmd;
	r.g.version = version;
	na->nla_type = attr;
	na->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)na + NLA_HDRLEN, data, len);
	r.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(na->nla_len);
	if (sendto(ts->fd, &r, r.n.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

/* Wait for the answer to request seq: its error (0: ack), and for
 * CTRL_CMD_GETFAMILY the family id from CTRL_CMD_NEWFAMILY into *family. */
static int ts_answer(struct ct_taskstats *ts, uint32_t seq, uint16_t *family)
{
	for (;;) {
		ssize_t n = recv(ts->fd, ts->buf, TS_MSG_BUF, 0);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS)
			continue; /* exits elsewhere overflowed us: our answer is still to come */
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (h = (struct nlmsghdr *)ts->buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue; /* an exit record that came first */
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				if (e->error || !family)
					return e->error;
				continue; /* the ack after NEWFAMILY */
			}
			if (family && h->nlmsg_type == GENL_ID_CTRL) {
				const char *a = (const char *)NLMSG_DATA(h) + GENL_HDRLEN;
				size_t left = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

				while (left >= NLA_HDRLEN) {
					const struct nlattr *na = (const struct nlattr *)a;

					if (na->nla_len < NLA_HDRLEN || na->nla_len > left)
						return -EPROTO;
					if (na->nla_type == CTRL_ATTR_FAMILY_ID &&
					    na->nla_len >= NLA_HDRLEN + sizeof(uint16_t)) {
						memcpy(family, a + NLA_HDRLEN, sizeof(*family));
						return 0;
					}
					if ((size_t)NLA_ALIGN(na->nla_len) >= left)
						break;
					left -= (size_t)NLA_ALIGN(na->nla_len);
					a += NLA_ALIGN(na->nla_len);
				}
				return -EPROTO;
			}
		}
	}
}

/* "0-N" of the possible CPUs, as the kernel parses it (cpulist_parse). */
static int possible_cpus(char *buf, size_t len)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	long n = sysconf(_SC_NPROCESSORS_CONF);

	if (f) {
		bool ok = fgets(buf, (int)len, f) != NULL;

		fclose(f);
		buf[strcspn(buf, "\n")] = 0;
		if (ok && *buf)
			return 0;
	}
	if (n < 1)
		return -1;
	snprintf(buf, len, "0-%ld", n - 1);
	return 0;
}

int ct_taskstats_open(struct ct_taskstats **out, char *err, size_t errlen)
{
	struct ct_taskstats *ts = calloc(1, sizeof(*ts));
	struct sockaddr_nl me = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = TS_SETUP_TIMEOUT_MS / 1000,
			     .tv_usec = (TS_SETUP_TIMEOUT_MS % 1000) * 1000};
	int rcvbuf = TS_RCVBUF, rc;
	const char *what;

	*out = NULL;
	if (!ts || !(ts->buf = malloc(TS_MSG_BUF))) {
		free(ts);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	what = "socket";
	ts->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (ts->fd < 0)
		goto fail_errno;
	/* as root the buffer may pass net.core.rmem_max; else the kernel's cap */
	if (setsockopt(ts->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(ts->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(ts->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	what = "bind";
	if (bind(ts->fd, (struct sockaddr *)&me, sizeof(me)))
		goto fail_errno;

	rc = ts_send(ts, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME,
		     sizeof(TASKSTATS_GENL_NAME));
	if (!rc)
		rc = ts_answer(ts, ts->seq, &ts->family);
	if (rc) {
		snprintf(err, errlen, "the kernel's %s genetlink family: %s", TASKSTATS_GENL_NAME,
			 rc == -ENOENT ? "not there (CONFIG_TASKSTATS off)" : strerror(-rc));
		goto fail;
	}
	if (possible_cpus(ts->cpumask, sizeof(ts->cpumask))) {
		rc = -EINVAL;
		snprintf(err, errlen, "cannot tell the possible CPUs");
		goto fail;
	}
	rc = ts_send(ts, ts->family, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION,
		     TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, ts->cpumask, strlen(ts->cpumask) + 1);
	if (!rc)
		rc = ts_answer(ts, ts->seq, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot listen to exiting tasks' accounting: %s%s", strerror(-rc),
			 rc == -EPERM ? " (needs CAP_NET_ADMIN)"
			 : rc == -EINVAL ? " (only from the initial user and pid namespaces)" : "");
		goto fail;
	}
	fcntl(ts->fd, F_SETFL, fcntl(ts->fd, F_GETFL) | O_NONBLOCK);
	*out = ts;
	return 0;

fail_errno:
	rc = -errno;
	snprintf(err, errlen, "netlink %s: %s", what, strerror(errno));
fail:
	if (ts->fd >= 0)
		close(ts->fd);
	free(ts->buf);
	free(ts);
	return rc;
}

size_t ct_taskstats_drain(struct ct_taskstats *ts, ct_taskstats_fn *fn, void *ctx, uint64_t *lost)
{
	size_t nrec = 0;

	if (!ts)
		return 0;
	for (;;) {
		ssize_t n = recv(ts->fd, ts->buf, TS_MSG_BUF, MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* the kernel dropped at least one record (how many it
			 * does not say): count one per overflow */
			(*lost)++;
			continue;
		}
		if (n <= 0)
			break;
		for (h = (struct nlmsghdr *)ts->buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ct_task_acct t;

			if (h->nlmsg_type != ts->family || h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			if (ct_acct_parse_taskstats((const char *)NLMSG_DATA(h) + GENL_HDRLEN,
						    h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), &t))
				continue;
			fn(ctx, &t);
			nrec++;
		}
	}
	return nrec;
}

void ct_taskstats_close(struct ct_taskstats *ts)
{
	if (!ts)
		return;
	fcntl(ts->fd, F_SETFL, fcntl(ts->fd, F_GETFL) & ~O_NONBLOCK);
	/* the kernel would also drop us at the next exit (ECONNREFUSED) */
	if (!ts_send(ts, ts->family, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION,
		     TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, ts->cpumask, strlen(ts->cpumask) + 1))
		ts_answer(ts, ts->seq, NULL);
	close(ts->fd);
	free(ts->buf);
	free(ts);
}

int ct_taskstats_delayacct(void)
{
	FILE *f = fopen("/proc/sys/kernel/task_delayacct", "re");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}
