// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace clickhouse-schema: the ClickHouse tables --clickhouse writes
 * (chrows.h), as SQL to read or run, or made on a server. With
 * --distributed CLUSTER: a Distributed table per table, over the tables of
 * the same name on each shard (a fleet's layout: one local set per shard,
 * made by `clickhouse-schema --clickhouse` on each, and the Distributed set
 * on top where the fleet writes and reads).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chsink.h"
#include "cli.h"

static const char schema_usage[] =
	"Usage: coldtrace clickhouse-schema [--clickhouse-db NAME] [--distributed CLUSTER\n"
	"                                   [--local-db NAME]] [--clickhouse URL]\n"
	"\n"
	"The ClickHouse tables `--clickhouse` writes (schema version 1), as SQL on\n"
	"stdout, one statement per line; or, with --clickhouse URL, made there (what\n"
	"is missing created, what exists checked).\n"
	"\n"
	"      --clickhouse URL      make them on this server instead of printing them\n"
	"      --clickhouse-db NAME  their database (default coldtrace)\n"
	"      --distributed CLUSTER Distributed tables over the same tables on each\n"
	"                            shard of CLUSTER (its <remote_servers> name),\n"
	"                            rows spread by cityHash64(cs_id): each cold\n"
	"                            start's rows on one shard\n"
	"      --local-db NAME       the shards' database (default: each replica's\n"
	"                            <default_database>)\n"
	"  -h, --help                this help\n"
	"\n"
	"Exit status: 0, 1 if the server refused, 2 for bad usage.\n";

enum { O_CH = 256, O_DB, O_DIST, O_LOCAL };

static int apply(const struct ct_url *u, const char *sql)
{
	char err[512];
	int r = ct_ch_exec(u, sql, strlen(sql), NULL, 0, NULL, 30000, NULL, NULL, err, sizeof(err));

	if (r)
		fprintf(stderr, "coldtrace: clickhouse-schema: %s\n", err);
	return r;
}

int cmd_schema(int argc, char **argv)
{
	static const struct option opts[] = {
		{"clickhouse", required_argument, NULL, O_CH},
		{"clickhouse-db", required_argument, NULL, O_DB},
		{"distributed", required_argument, NULL, O_DIST},
		{"local-db", required_argument, NULL, O_LOCAL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *db = CT_CH_DEFAULT_DB, *cluster = NULL, *local = "";
	struct ct_url u;
	struct strbuf sql;
	char err[512];
	int opt, ret = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case O_CH: url = optarg; break;
		case O_DB: db = optarg; break;
		case O_DIST: cluster = optarg; break;
		case O_LOCAL: local = optarg; break;
		case 'h': fputs(schema_usage, stdout); return 0;
		default: fputs("Try 'coldtrace clickhouse-schema --help'.\n", stderr); return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc)
		die(CLI_EXIT_USAGE, "clickhouse-schema: unexpected argument '%s'", argv[optind]);
	if (!*db || strchr(db, '`') || strchr(local, '`') || (cluster && (!*cluster || strchr(cluster, '`'))))
		die(CLI_EXIT_USAGE, "clickhouse-schema: a database or cluster name may not be empty nor hold '`'");
	if (*local && !cluster)
		die(CLI_EXIT_USAGE, "clickhouse-schema: --local-db goes with --distributed");
	if (url && ct_url_parse(url, &u, err, sizeof(err)))
		die(CLI_EXIT_USAGE, "--clickhouse %s: %s", url, err);
	if (url && !cluster) {
		/* the sink's own path: create what is missing, check the rest */
		if (ct_ch_ensure_schema(&u, db, 30000, err, sizeof(err)))
			die(1, "clickhouse-schema: %s", err);
		return 0;
	}
	sb_init(&sql);
	sb_printf(&sql, "CREATE DATABASE IF NOT EXISTS `%s`", db);
	if (url ? apply(&u, sql.buf) : (printf("%s;\n", sql.buf), 0))
		ret = 1;
	for (int k = 0; k < 2 && !ret; k++) {
		sb_reset(&sql);
		ct_ch_version_sql(&sql, db, k == 1);
		if (url ? apply(&u, sql.buf) : (printf("%s;\n", sql.buf), 0))
			ret = 1;
	}
	for (size_t i = 0; i < ct_ch_ntables() && !ret; i++) {
		sb_reset(&sql);
		ct_ch_create_sql(&sql, db, i, cluster, local);
		if (url ? apply(&u, sql.buf) : (printf("%s;\n", sql.buf), 0))
			ret = 1;
	}
	sb_free(&sql);
	return ret;
}
