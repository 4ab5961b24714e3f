// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "hold.h"

#define CT_HELD_NAME "ct_held"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int ct_holds_init(struct ct_holds *h, int held_fd, int resuming_fd)
{
	struct bpf_map_info info = {0};
	uint32_t len = sizeof(info);

	memset(h, 0, sizeof(*h));
	h->held_fd = held_fd;
	h->resuming_fd = resuming_fd;
	if (bpf_obj_get_info_by_fd(held_fd, &info, &len))
		return -errno;
	h->own_id = info.id;
	return 0;
}

void ct_holds_free(struct ct_holds *h)
{
	(void)h; /* the shared id cache lives as long as the process */
}

/* Ids of maps known not to be ct_held maps, shared by every ct_holds of
 * the process (the loop thread, the workers): one scan serves them all. */
static struct {
	pthread_mutex_t lock;
	uint32_t *ids;
	size_t n, cap;
} skips = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool skipped(const struct ct_holds *h, uint32_t id)
{
	bool found = false;

	(void)h;
	pthread_mutex_lock(&skips.lock);
	for (size_t i = 0; i < skips.n && !found; i++)
		found = skips.ids[i] == id;
	pthread_mutex_unlock(&skips.lock);
	return found;
}

static void skip_add(struct ct_holds *h, uint32_t id)
{
	(void)h;
	pthread_mutex_lock(&skips.lock);
	if (skips.n == skips.cap) {
		size_t cap = skips.cap ? 2 * skips.cap : 64;
		uint32_t *n = realloc(skips.ids, cap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&skips.lock);
			return;
		}
		skips.ids = n;
		skips.cap = cap;
	}
	skips.ids[skips.n++] = id;
	pthread_mutex_unlock(&skips.lock);
}

/* Does another coldtrace instance hold tgid? Map ids are not reused soon
 * (cyclic allocation), so ids seen not to be ct_held maps are skipped. */
static bool others_hold(struct ct_holds *h, uint32_t tgid)
{
	uint32_t id = 0;

	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info = {0};
		uint32_t len = sizeof(info);
		uint64_t v;
		bool held;
		int fd;

		if (id == h->own_id || skipped(h, id))
			continue;
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue; /* gone, or no permission to look */
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || strcmp(info.name, CT_HELD_NAME) ||
		    info.key_size != sizeof(uint32_t) || info.value_size != sizeof(uint64_t)) {
			skip_add(h, id);
			close(fd);
			continue;
		}
		held = bpf_map_lookup_elem(fd, &tgid, &v) == 0;
		close(fd);
		if (held)
			return true;
	}
	return false;
}

void ct_holds_warm(struct ct_holds *h)
{
	others_hold(h, 0); /* pid 0 is held by nobody: a scan that fills the cache */
}

enum ct_release ct_hold_release(struct ct_holds *h, uint32_t tgid)
{
	uint64_t now = mono_ns();

	if (bpf_map_delete_elem(h->held_fd, &tgid))
		return CT_RELEASE_NOT_OURS;
	/* until its SIGCONT is seen, whoever sends it (BPF: ct_signal) */
	bpf_map_update_elem(h->resuming_fd, &tgid, &now, BPF_ANY);
	if (others_hold(h, tgid))
		return CT_RELEASE_SHARED;
	kill((pid_t)tgid, SIGCONT);
	return CT_RELEASE_RESUMED;
}

size_t ct_hold_release_all(struct ct_holds *h)
{
	uint32_t next;
	size_t n = 0;

	/* deleting while iterating: start from the first key each time (the
	 * map has at most 4096 entries; the bound only guards against a key
	 * that cannot be deleted) */
	for (int guard = 0; guard < 65536 && bpf_map_get_next_key(h->held_fd, NULL, &next) == 0; guard++)
		if (ct_hold_release(h, next) != CT_RELEASE_NOT_OURS)
			n++;
	return n;
}
