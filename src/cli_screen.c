/* cli_screen.c - "aireg screen": flags register entries whose texts suggest an
 * Annex III point, an Art. 5 practice or an Art. 50 case.
 *
 *   aireg screen [FILE | -] [--db PATH] [--all] [--indicators PACK.yaml]
 *   aireg screen --points [--indicators PACK.yaml]
 *
 * Reads records from FILE (any import shape; "-" is standard input; names ending
 * in .csv are CSV) or, without FILE, the latest records of the database. Prints
 * one JSON line per record that has at least one finding (with --all: per record):
 *   {"id", "name", "findings": [{"kind", "point", "confidence", "profiling",
 *    "indicators", "evidence": [{"field", "term", "match", "weight", "excerpt"}]}]}
 * Records without findings are left out by default because the output is a
 * worklist: what someone should look at. --points prints the points the pack
 * can report, one JSON line each: {"kind", "point", "title_nl", "title_en"}. Exit codes as main.c: 0 ok, 1 runtime
 * error (I/O, database, a broken built-in pack), 2 usage, 3 the input file or the
 * --indicators pack was rejected, 4 database schema newer than this binary. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aia_screen.h"
#include "buf.h"
#include "cli.h"
#include "jsonw.h"
#include "store.h"
#include "svc.h"
#include "util.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_REJECTED = 3, EXIT_NEWER = 4 };

#define INPUT_MAX (256u << 20)  /* four times the import limit of one request */
#define LINE_MAX_BYTES (64u << 20)

static const char usage_text[] =
	"usage: aireg screen [FILE | -] [--db PATH] [--all] [--indicators PACK.yaml]\n"
	"       aireg screen --points [--indicators PACK.yaml]\n"
	"Flags register entries whose texts suggest an AI Act Annex III point, an Art. 5\n"
	"practice or an Art. 50 case; one JSON line per flagged entry (--all: every entry).\n"
	"Without FILE the latest records of the database are screened. --points lists the\n"
	"points the indicators can report, with their titles.\n";

struct screen_ctx {
	const struct aia_screen *pack;
	bool all;
	struct buf line;
	int err;                    /* EXIT_RUNTIME once stdout fails */
};

static int usage(const char *what, const char *arg)
{
	fprintf(stderr, "aireg: %s %s (see aireg screen --help)\n", what, arg);
	return EXIT_USAGE;
}

/* Reads a whole file ("-" = stdin) into out; returns 0 or an errno value
 * (EFBIG past INPUT_MAX). */
static int read_all(const char *path, struct buf *out)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return errno ? errno : EIO;
	char chunk[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(out, chunk, n)) {
			rc = EFBIG;
			break;
		}
	if (!rc && ferror(f))
		rc = EIO;
	if (f != stdin)
		fclose(f);
	return rc;
}

static const char *record_id(const json_t *rec, const char *lars)
{
	if (lars && *lars)
		return lars;
	const char *id = json_string_value(json_object_get(rec, "lars"));
	return id ? id : json_string_value(json_object_get(rec, "source_id"));
}

static void screen_one(struct screen_ctx *c, const json_t *rec, const char *lars)
{
	struct aia_screen_result res;
	aia_screen_record(c->pack, rec, &res);
	if (res.n || c->all) {
		struct jsonw w;
		buf_reset(&c->line);
		jsonw_init(&w, &c->line);
		jsonw_obj_open(&w);
		jsonw_key(&w, "id");
		jsonw_str(&w, record_id(rec, lars));
		jsonw_key(&w, "name");
		jsonw_str(&w, json_string_value(json_object_get(rec, "name")));
		jsonw_key(&w, "findings");
		aia_screen_result_write(&res, &w);
		jsonw_obj_close(&w);
		if (jsonw_error(&w)) {
			fprintf(stderr, "aireg: the findings of %s do not fit in one line\n",
				record_id(rec, lars) ? record_id(rec, lars) : "a record");
			c->err = EXIT_RUNTIME;
		} else if (buf_putc(&c->line, '\n') || fwrite(c->line.data, 1, c->line.len, stdout) != c->line.len) {
			c->err = EXIT_RUNTIME;
		}
	}
	aia_screen_result_cleanup(&res);
}

static int export_cb(void *ctx, const char *lars, const char *record)
{
	struct screen_ctx *c = ctx;
	json_error_t je;
	json_t *rec = json_loads(record, 0, &je);
	if (!rec) {
		fprintf(stderr, "aireg: record %s in the database is not JSON: %s\n", lars, je.text);
		c->err = EXIT_RUNTIME;
		return 1;
	}
	screen_one(c, rec, lars);
	json_decref(rec);
	return c->err;
}

static int screen_file(struct screen_ctx *c, const char *path)
{
	struct buf data;
	struct svc_err e = {0};
	json_t *records = NULL;
	buf_init(&data, INPUT_MAX);
	int rc = read_all(path, &data);
	if (rc) {
		fprintf(stderr, "aireg: %s: %s\n", path,
			rc == EFBIG ? "larger than 256 MiB" : strerror(rc));
		buf_cleanup(&data);
		return EXIT_RUNTIME;
	}
	size_t n = strlen(path);
	bool csv = n > 4 && !strcmp(path + n - 4, ".csv");
	if (svc_read_records(buf_str(&data), data.len, csv, &records, &e)) {
		fprintf(stderr, "aireg: %s: %s\n", path, e.message);
		rc = EXIT_REJECTED;
	} else {
		size_t i;
		json_t *rec;
		json_array_foreach(records, i, rec) {
			screen_one(c, rec, NULL);
			if (c->err)
				break;
		}
		rc = c->err;
	}
	json_decref(records);
	buf_cleanup(&data);
	return rc;
}

static int screen_db(struct screen_ctx *c, const char *path)
{
	struct store *st;
	char err[512];
	int rc = store_open(path, false, &st, err, sizeof err);
	if (rc) {
		fprintf(stderr, "aireg: %s\n", err);
		return rc == STORE_NEWER ? EXIT_NEWER : EXIT_RUNTIME;
	}
	rc = store_algo_export(st, NULL, export_cb, c);
	if (rc < 0) {
		fprintf(stderr, "aireg: %s\n", store_errmsg(st));
		rc = EXIT_RUNTIME;
	}
	store_close(st);
	return rc ? rc : c->err;
}

/* One JSON line per point of the pack, so that reports and pages can name them. */
static int list_points(const struct aia_screen *pack)
{
	size_t n;
	const struct aia_screen_point *p = aia_screen_points(pack, &n);
	struct buf line;
	buf_init(&line, 0);
	for (size_t i = 0; i < n; i++) {
		struct jsonw w;
		buf_reset(&line);
		jsonw_init(&w, &line);
		jsonw_obj_open(&w);
		jsonw_key(&w, "kind");
		jsonw_str(&w, p[i].kind);
		jsonw_key(&w, "point");
		jsonw_str(&w, p[i].point);
		jsonw_key(&w, "title_nl");
		jsonw_str(&w, p[i].title_nl);
		jsonw_key(&w, "title_en");
		jsonw_str(&w, p[i].title_en);
		jsonw_obj_close(&w);
		buf_putc(&line, '\n');
		fwrite(line.data, 1, line.len, stdout);
	}
	buf_cleanup(&line);
	return fflush(stdout) || ferror(stdout) ? EXIT_RUNTIME : EXIT_OK;
}

static int load_pack(const char *path, struct aia_screen **pack)
{
	char err[512];
	if (!path) {
		if (!aia_screen_load_embedded(pack, err, sizeof err))
			return 0;
		fprintf(stderr, "aireg: %s\n", err);
		return EXIT_RUNTIME;
	}
	struct buf text;
	buf_init(&text, INPUT_MAX);
	int rc = read_all(path, &text);
	if (rc) {
		fprintf(stderr, "aireg: %s: %s\n", path, rc == EFBIG ? "larger than 256 MiB" : strerror(rc));
		buf_cleanup(&text);
		return EXIT_RUNTIME;
	}
	rc = aia_screen_load(path, buf_str(&text), text.len, pack, err, sizeof err);
	buf_cleanup(&text);
	if (rc) {
		fprintf(stderr, "aireg: %s\n", err);
		return EXIT_REJECTED;
	}
	return 0;
}

/* The value of "--name VALUE" or "--name=VALUE" at argv[*i], or NULL when
 * argv[*i] is another argument; *missing is set when the value is absent. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int cli_screen(int argc, char **argv)
{
	const char *db = NULL, *file = NULL, *pack_path = NULL;
	bool all = false, points = false, missing = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--all")) {
			all = true;
		} else if (!strcmp(a, "--points")) {
			points = true;
		} else if ((v = opt_value(argc, argv, &i, "--db", &missing))) {
			db = v;
		} else if ((v = opt_value(argc, argv, &i, "--indicators", &missing))) {
			pack_path = v;
		} else if (missing) {
			return usage("this option needs a value:", a);
		} else if (a[0] == '-' && a[1]) {
			return usage("unknown option", a);
		} else if (file) {
			return usage("screen takes one FILE; also given:", a);
		} else {
			file = a;
		}
	}
	if (!db)
		db = getenv("AIREG_DB");
	if (!db || !*db)
		db = "var/aireg.db";

	struct aia_screen *pack = NULL;
	int rc = load_pack(pack_path, &pack);
	if (rc)
		return rc;
	if (points) {
		rc = list_points(pack);
		aia_screen_free(pack);
		return rc;
	}
	struct screen_ctx c = {.pack = pack, .all = all};
	buf_init(&c.line, LINE_MAX_BYTES);
	rc = file ? screen_file(&c, file) : screen_db(&c, db);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "aireg: cannot write the findings: %s\n", strerror(errno));
		rc = rc ? rc : EXIT_RUNTIME;
	}
	buf_cleanup(&c.line);
	aia_screen_free(pack);
	return rc;
}
