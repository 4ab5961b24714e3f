// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --clickhouse: rows to ClickHouse's HTTP interface through the spool (chsink.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chreport.h"
#include "chsink.h"
#include "render.h"

#define CH_TIMEOUT_MS 30000 /* one statement; an insert of a big batch takes a while */
#define CH_MAX_BATCH 64     /* sandboxes per insert */
#define CH_OPEN_TIMEOUT_MS 5000 /* each statement of the schema check at start */
/* inserts through a Distributed table reach the shards before the answer,
 * so a 200 means the rows are stored (ignored by other engines) */
#define CH_INSERT_SETTINGS "&insert_distributed_sync=1"

struct ct_ch_sink {
	struct ct_url url;
	char *db;
	struct ct_spool *sp;
	struct ct_sender *sender;
	atomic_bool schema_ok;
};

int ct_ch_exec(const struct ct_url *u, const char *sql, size_t sql_len, const char *data, size_t data_len,
	       const char *settings, int timeout_ms, struct strbuf *answer, bool *auth, char *err, size_t errlen)
{
	struct ct_http_resp resp;
	struct strbuf target, body;
	int ret;

	if (auth)
		*auth = false;
	sb_init(&target);
	sb_init(&body);
	sb_puts(&target, u->path);
	if (settings && *settings) {
		/* settings start with '&': the first one after '?' if the URL has no query */
		sb_putc(&target, strchr(u->path, '?') ? '&' : '?');
		sb_puts(&target, settings + (settings[0] == '&'));
	}
	sb_putn(&body, sql, sql_len);
	if (data) {
		sb_putc(&body, '\n');
		sb_putn(&body, data, data_len);
	}
	ret = ct_http_request(u, "POST", target.buf, "text/plain; charset=UTF-8", NULL, body.buf, body.len,
			      timeout_ms, &resp, err, errlen);
	sb_free(&target);
	sb_free(&body);
	if (ret)
		return -1;
	if (resp.status != 200) {
		const char *b = resp.body.buf ? resp.body.buf : "";
		size_t n = strcspn(b, "\n");

		if (auth)
			*auth = ct_chr_auth_refused(resp.status, b);
		/* the server's own words, but not a whole stack trace */
		snprintf(err, errlen, "HTTP %d: %.*s", resp.status, (int)(n > 300 ? 300 : n), b);
		sb_free(&resp.body);
		return -2;
	}
	if (answer) {
		sb_putn(answer, resp.body.buf ? resp.body.buf : "", resp.body.len);
	}
	sb_free(&resp.body);
	return 0;
}

static int query(const struct ct_url *u, int timeout_ms, const char *sql, struct strbuf *answer, char *err,
		 size_t errlen)
{
	bool auth;
	int r = ct_ch_exec(u, sql, strlen(sql), NULL, 0, NULL, timeout_ms, answer, &auth, err, errlen);

	if (r == -2 && auth) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "credentials refused: %s", why);
	}
	return r;
}

static bool listed(const char *tsv, size_t len, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = tsv, *end = tsv + len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) == nl && !memcmp(p, name, nl))
			return true;
		p = eol + 1;
	}
	return false;
}

int ct_ch_ensure_schema(const struct ct_url *u, const char *db, int timeout_ms, char *err, size_t errlen)
{
	struct strbuf sql, ans;
	int r;

	sb_init(&sql);
	sb_init(&ans);
	sb_puts(&sql, "SELECT name FROM system.databases WHERE name = '");
	ct_ch_put_literal(&sql, db);
	sb_puts(&sql, "' FORMAT TabSeparated");
	if ((r = query(u, timeout_ms, sql.buf, &ans, err, errlen)))
		goto out;
	if (!ans.len) {
		sb_reset(&sql);
		sb_printf(&sql, "CREATE DATABASE IF NOT EXISTS `%s`", db);
		if ((r = query(u, timeout_ms, sql.buf, NULL, err, errlen)))
			goto out;
	}
	sb_reset(&sql);
	sb_reset(&ans);
	sb_puts(&sql, "SELECT name FROM system.tables WHERE database = '");
	ct_ch_put_literal(&sql, db);
	sb_puts(&sql, "' FORMAT TabSeparated");
	if ((r = query(u, timeout_ms, sql.buf, &ans, err, errlen)))
		goto out;
	/* check what is there before making anything: a database that is not
	 * ours is left as it was */
	if (listed(ans.buf ? ans.buf : "", ans.len, "schema_version")) {
		struct strbuf v;
		unsigned long ver;

		sb_init(&v);
		sb_reset(&sql);
		sb_printf(&sql, "SELECT max(version) FROM `%s`.schema_version FORMAT TabSeparated", db);
		r = query(u, timeout_ms, sql.buf, &v, err, errlen);
		ver = v.buf ? strtoul(v.buf, NULL, 10) : 0;
		sb_free(&v);
		if (r)
			goto out;
		if (ver != CT_CH_SCHEMA_VERSION) {
			snprintf(err, errlen,
				 "database %s holds coldtrace's schema version %lu; this coldtrace writes version %d "
				 "and migrates from no other: use another --clickhouse-db",
				 db, ver, CT_CH_SCHEMA_VERSION);
			r = -2;
			goto out;
		}
	}
	for (size_t i = 0; i < ct_ch_ntables(); i++) {
		struct strbuf cols;
		char why[300];

		if (!listed(ans.buf ? ans.buf : "", ans.len, ct_ch_table_name(i)))
			continue;
		sb_init(&cols);
		sb_reset(&sql);
		sb_puts(&sql, "SELECT name, type FROM system.columns WHERE database = '");
		ct_ch_put_literal(&sql, db);
		sb_printf(&sql, "' AND table = '%s' FORMAT TabSeparated", ct_ch_table_name(i));
		r = query(u, timeout_ms, sql.buf, &cols, err, errlen);
		if (!r && ct_ch_check_columns(i, cols.buf ? cols.buf : "", cols.len, why, sizeof(why))) {
			snprintf(err, errlen, "database %s: %s: not coldtrace's schema version %d", db, why,
				 CT_CH_SCHEMA_VERSION);
			r = -2;
		}
		sb_free(&cols);
		if (r)
			goto out;
	}
	if (!listed(ans.buf ? ans.buf : "", ans.len, "schema_version")) {
		for (int k = 0; k < 2; k++) {
			sb_reset(&sql);
			ct_ch_version_sql(&sql, db, k == 1);
			if ((r = query(u, timeout_ms, sql.buf, NULL, err, errlen)))
				goto out;
		}
	}
	for (size_t i = 0; i < ct_ch_ntables(); i++) {
		if (listed(ans.buf ? ans.buf : "", ans.len, ct_ch_table_name(i)))
			continue;
		sb_reset(&sql);
		ct_ch_create_sql(&sql, db, i, NULL, NULL);
		if ((r = query(u, timeout_ms, sql.buf, NULL, err, errlen)))
			goto out;
	}
out:
	sb_free(&sql);
	sb_free(&ans);
	return r;
}

/* The sender's deliver: the batches' sections table by table, one INSERT
 * per table, coldstarts last (chrows.c orders the tables). */
static int ch_deliver(void *ctx, const struct ct_spool_item *items, size_t n, char *err, size_t errlen)
{
	struct ct_ch_sink *k = ctx;
	struct strbuf rows, sql;
	int ret = 0;

	if (!atomic_load(&k->schema_ok)) {
		int r = ct_ch_ensure_schema(&k->url, k->db, CH_TIMEOUT_MS, err, errlen);

		if (r)
			return r == -2 ? -2 : -1;
		atomic_store(&k->schema_ok, true);
	}
	sb_init(&rows);
	sb_init(&sql);
	for (size_t t = 0; t < ct_ch_ntables() && !ret; t++) {
		const char *name = ct_ch_table_name(t);

		sb_reset(&rows);
		for (size_t i = 0; i < n; i++) {
			size_t pos = 0, tlen, nrows;
			const char *tab, *r;
			int s;

			while ((s = ct_ch_next_section(items[i].data, items[i].len, &pos, &tab, &tlen, &r, &nrows)) > 0)
				if (tlen == strlen(name) && !memcmp(tab, name, tlen))
					sb_putn(&rows, r, nrows);
			if (s < 0) {
				/* not ours to fix by retrying: keep it, say so */
				snprintf(err, errlen, "spool file %s is damaged", items[i].name);
				ret = -2;
				break;
			}
		}
		if (ret || !rows.len)
			continue;
		sb_reset(&sql);
		sb_printf(&sql, "INSERT INTO `%s`.`%s` FORMAT JSONEachRow", k->db, name);
		bool auth;
		int r = ct_ch_exec(&k->url, sql.buf, sql.len, rows.buf, rows.len, CH_INSERT_SETTINGS, CH_TIMEOUT_MS,
				   NULL, &auth, err, errlen);
		if (r == -2 && !auth && strstr(err, "Code: 60,")) {
			/* a table dropped under us: make sure of the schema again */
			atomic_store(&k->schema_ok, false);
			r = -1;
		}
		if (r)
			ret = r == -2 && auth ? -2 : -1;
	}
	sb_free(&rows);
	sb_free(&sql);
	return ret;
}

struct ct_ch_sink *ct_ch_sink_open(const char *url, const char *db, struct ct_spool *sp, char *err, size_t errlen)
{
	struct ct_ch_sink *k = calloc(1, sizeof(*k));
	char shown[512], name[600], why[400];
	int r;

	err[0] = 0;
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ct_url_parse(url, &k->url, why, sizeof(why))) {
		snprintf(err, errlen, "--clickhouse %s: %s", url, why);
		free(k);
		return NULL;
	}
	k->db = strdup(db ? db : CT_CH_DEFAULT_DB);
	k->sp = sp;
	ct_url_show(&k->url, shown, sizeof(shown));
	/* before tracing starts: a server that does not answer soon is
	 * retried by the sender later, not waited for here */
	r = ct_ch_ensure_schema(&k->url, k->db, CH_OPEN_TIMEOUT_MS, why, sizeof(why));
	if (r == -2) {
		snprintf(err, errlen, "ClickHouse at %s: %s", shown, why);
		free(k->db);
		free(k);
		return NULL;
	}
	if (r == -1)
		snprintf(err, errlen, "ClickHouse at %s does not answer (%s); cold starts wait in %s until it does",
			 shown, why, ct_spool_dir(sp));
	else
		atomic_store(&k->schema_ok, true);
	snprintf(name, sizeof(name), "ClickHouse at %s", shown);
	k->sender = ct_sender_start(sp, "ch", name, CH_MAX_BATCH, ch_deliver, k);
	if (!k->sender) {
		snprintf(err, errlen, "cannot start a thread to send to ClickHouse");
		free(k->db);
		free(k);
		return NULL;
	}
	return k;
}

int ct_ch_sink_put(struct ct_ch_sink *k, const struct ct_model *m, const struct ct_ch_meta *meta)
{
	const struct ct_view *jsonl = ct_view_find("jsonl");
	struct ct_render_opts ro = {.command = meta->command ? meta->command : "", .realtime_offset_ns = meta->realtime_offset_ns};
	struct strbuf j, batch;
	char err[256];
	int ret;

	sb_init(&j);
	sb_init(&batch);
	jsonl->render(m, &j, &ro);
	ret = j.oom ? -1 : ct_ch_rows(j.buf ? j.buf : "", j.len, meta, &batch, err, sizeof(err));
	if (j.oom || batch.oom) {
		/* a cut text would be rows missing, sent as if whole */
		ret = -1;
		errno = ENOMEM;
	} else if (ret) {
		fprintf(stderr, "coldtrace: ClickHouse rows: %s\n", err);
		errno = EINVAL;
	} else {
		ret = ct_spool_put(k->sp, "ch", batch.buf ? batch.buf : "", batch.len);
		if (!ret)
			ct_sender_kick(k->sender);
	}
	sb_free(&j);
	sb_free(&batch);
	return ret;
}

size_t ct_ch_sink_close(struct ct_ch_sink *k, int deadline_ms)
{
	size_t left;

	if (!k)
		return 0;
	left = ct_sender_stop(k->sender, deadline_ms);
	free(k->db);
	free(k);
	return left;
}
