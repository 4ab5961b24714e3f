// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* run's and watch's fleet sinks (fleet.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "chsink.h"
#include "httpc.h"
#include "cli.h"
#include "fleet.h"
#include "options.h"
#include "otlpsink.h"
#include "spool.h"

static struct {
	struct ct_spool *sp;
	struct ct_ch_sink *ch;
	struct ct_otlp_sink *otlp;
	char host[256], kernel[128], boot_id[64];
	unsigned long full; /* sandboxes the spool had no room for */
} F;

bool fleet_active(void)
{
	return F.sp != NULL;
}

static void read_boot_id(void)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (f) {
		if (fgets(F.boot_id, sizeof(F.boot_id), f))
			F.boot_id[strcspn(F.boot_id, "\n")] = 0;
		fclose(f);
	}
}

void fleet_open(void)
{
	char err[1024];
	struct utsname un;

	if (!env.clickhouse && !env.otlp) {
		if (env.clickhouse_db || env.nlabels || env.spool || env.spool_max)
			die(CLI_EXIT_USAGE, "--clickhouse-db, --label, --spool and --spool-max go with --clickhouse or --otlp");
		return;
	}
	{
		struct ct_url u;

		/* before anything is made: a bad URL is a usage error */
		if (env.clickhouse && ct_url_parse(env.clickhouse, &u, err, sizeof(err)))
			die(CLI_EXIT_USAGE, "--clickhouse %s: %s", env.clickhouse, err);
		if (env.otlp && ct_url_parse(env.otlp, &u, err, sizeof(err)))
			die(CLI_EXIT_USAGE, "--otlp %s: %s", env.otlp, err);
		if (env.clickhouse_db && (!*env.clickhouse_db || strchr(env.clickhouse_db, '`')))
			die(CLI_EXIT_USAGE, "--clickhouse-db: a database name may not be empty nor hold '`'");
	}
	if (gethostname(F.host, sizeof(F.host)))
		snprintf(F.host, sizeof(F.host), "?");
	F.host[sizeof(F.host) - 1] = 0;
	for (size_t i = 0; i < env.nlabels; i++) /* a "host" label names the host */
		if (!strncmp(env.labels[i], "host=", 5))
			snprintf(F.host, sizeof(F.host), "%s", env.labels[i] + 5);
	if (!uname(&un))
		snprintf(F.kernel, sizeof(F.kernel), "%s", un.release);
	read_boot_id();
	F.sp = ct_spool_open(env.spool ? env.spool : CT_SPOOL_DEFAULT_DIR, env.spool_max ? env.spool_max : CT_SPOOL_DEFAULT_MAX,
			     err, sizeof(err));
	if (!F.sp)
		die(1, "%s", err);
	if (env.clickhouse) {
		F.ch = ct_ch_sink_open(env.clickhouse, env.clickhouse_db, F.sp, err, sizeof(err));
		if (!F.ch)
			die(1, "%s", err);
		if (err[0] && !env.quiet)
			fprintf(stderr, "coldtrace: %s\n", err);
	}
	if (env.otlp) {
		F.otlp = ct_otlp_sink_open(env.otlp, F.sp, err, sizeof(err));
		if (!F.otlp)
			die(CLI_EXIT_USAGE, "%s", err);
	}
}

void fleet_sandbox(const struct ct_model *m, uint32_t root, const char *command, uint64_t realtime_offset_ns)
{
	struct ct_ch_meta meta = {
		.host = F.host,
		.tool_version = COLDTRACE_VERSION,
		.kernel = F.kernel,
		.boot_id = F.boot_id,
		.command = command,
		.labels = env.labels,
		.nlabels = env.nlabels,
		.sandbox = root,
		.first_ts = m->first_ts,
		.realtime_offset_ns = realtime_offset_ns,
	};
	struct ct_render_opts ro = {.command = command, .top = env.top, .realtime_offset_ns = realtime_offset_ns};

	if (!F.sp)
		return;
	if (F.ch && ct_ch_sink_put(F.ch, m, &meta)) {
		F.full += errno == ENOSPC;
		fprintf(stderr, "coldtrace: sandbox %u: not kept for ClickHouse: %s\n", root,
			errno == ENOSPC ? "the spool is full (--spool-max)" : strerror(errno));
	}
	if (F.otlp && ct_otlp_sink_put(F.otlp, m, &ro)) {
		F.full += errno == ENOSPC;
		fprintf(stderr, "coldtrace: sandbox %u: not kept for OTLP: %s\n", root,
			errno == ENOSPC ? "the spool is full (--spool-max)" : strerror(errno));
	}
}

int fleet_close(void)
{
	size_t left = 0;

	if (!F.sp)
		return 0;
	if (F.ch)
		left += ct_ch_sink_close(F.ch, FLEET_DRAIN_MS);
	if (F.otlp)
		left += ct_otlp_sink_close(F.otlp, FLEET_DRAIN_MS);
	if (left)
		fprintf(stderr, "coldtrace: %zu batch%s not delivered yet, kept in %s: the next coldtrace with this --spool sends them\n",
			left, left == 1 ? "" : "es", ct_spool_dir(F.sp));
	if (F.full)
		fprintf(stderr, "coldtrace: %lu cold start%s could not be kept: the spool %s was full (--spool-max)\n",
			F.full, F.full == 1 ? "" : "s", ct_spool_dir(F.sp));
	ct_spool_close(F.sp);
	F.sp = NULL;
	F.ch = NULL;
	F.otlp = NULL;
	return F.full ? 1 : 0;
}
