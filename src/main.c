/* main.c - the aireg command line. Exit codes: 0 ok, 1 runtime error,
 * 2 usage error, 3 input rejected, 4 database schema newer than this binary,
 * 5 the audit trail is broken, 6 the database file is damaged. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aia.h"
#include "api.h"
#include "tmpl.h"
#include "web.h"
#include "web_pages.h"
#include "cli.h"
#include "http.h"
#include "log.h"
#include "rcache.h"
#include "reg.h"
#include "svc.h"
#include "util.h"
#include <sodium.h>

#ifndef AIREG_VERSION
#define AIREG_VERSION "0.1.0"
#endif

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_REJECTED = 3, EXIT_NEWER = 4, EXIT_TAMPERED = 5,
       EXIT_DAMAGED = 6 };

static const char usage[] =
	"usage: aireg COMMAND [OPTIONS]\n"
	"\n"
	"  serve  [--db PATH] [--listen ADDR:PORT]   serve the register (default 127.0.0.1:8080)\n"
	"  init   [--db PATH]                        create the database and its organisations\n"
	"  import [--db PATH] [--org CODE] [--dry-run] [--skip-invalid] [--publish] FILE...\n"
	"                                            import register JSON, algoritmes.json, templates or CSV\n"
	"                                            (--publish: publish every complete record at once)\n"
	"  export [--db PATH] --format json|csv [--org CODE] [--drafts]\n"
	"                                            the published register (--drafts: latest versions)\n"
	"  org list [--db PATH]                      list organisations (code, type, algorithms, name)\n"
	"  org add [--db PATH] --code CODE --name NAME --type TYPE\n"
	"  org theme [--db PATH] --org CODE (FILE | --clear)\n"
	"                                            set (or remove) the house style: a CSS file of design tokens\n"
	"  user add --email EMAIL (--org CODE --role ROLE | --operator) [--password-stdin]\n"
	"                                            (prints a one-time link when no password is set)\n"
	"  user list [--org CODE] | user disable --email EMAIL | user reset --email EMAIL\n"
	"  token create --email EMAIL [--org CODE] [--role ROLE] [--expires DAYS] [--name NAME]\n"
	"  token list --email EMAIL | token revoke ID\n"
	"  audit verify [EXPORT.jsonl...] | audit export\n"
	"                                            check the audit chain (and that earlier exports are still\n"
	"                                            in it) / write it as JSON lines\n"
	"  check [--db PATH]                         check the database (read-only): SQLite's integrity_check\n"
	"                                            and foreign_key_check, the public counts, and the audit\n"
	"                                            chain; a line each\n"
	"  reassess [--db PATH]                      assess classifications made under an older rule pack\n"
	"  classify [--answers \"1.1=0,1.2=3,...\" | --batch] [--json]   the Beslishulp AI-verordening\n"
	"  assess --profile FILE.json [--rules original|omnibus]  AI Act assessment of a profile\n"
	"  screen [FILE] [--db PATH]                 flag register entries that suggest high risk\n"
	"  --help, --version\n"
	"\n"
	"--db defaults to $AIREG_DB, else var/aireg.db.\n"
	"Exit codes: 0 ok, 1 runtime error, 2 usage error, 3 input rejected,\n"
	"4 database schema newer than this aireg, 5 the audit trail is broken,\n"
	"6 the database file is damaged (check: integrity_check, foreign_key_check or public_counts failed).\n";

struct opts {
	const char *db, *listen, *org, *format, *code, *name, *type, *role, *email, *expires;
	bool dry_run, skip_invalid, publish, drafts, password_stdin, operator, clear;
	char **args;
	int nargs;
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "aireg: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see aireg --help)\n");
	return EXIT_USAGE;
}

/* Parses "--name VALUE" options and flags from argv[first..]; the rest are args. */
static int parse_opts(int argc, char **argv, int first, struct opts *o)
{
	static const struct {
		const char *name;
		size_t off;
	} valued[] = {
		{"--db", offsetof(struct opts, db)}, {"--listen", offsetof(struct opts, listen)},
		{"--org", offsetof(struct opts, org)}, {"--format", offsetof(struct opts, format)},
		{"--code", offsetof(struct opts, code)}, {"--name", offsetof(struct opts, name)},
		{"--type", offsetof(struct opts, type)}, {"--role", offsetof(struct opts, role)},
		{"--email", offsetof(struct opts, email)}, {"--expires", offsetof(struct opts, expires)},
	};
	o->args = xcalloc((size_t)argc + 1, sizeof *o->args);
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		bool known = false;
		if (!strcmp(a, "--dry-run")) {
			o->dry_run = known = true;
		} else if (!strcmp(a, "--skip-invalid")) {
			o->skip_invalid = known = true;
		} else if (!strcmp(a, "--publish")) {
			o->publish = known = true;
		} else if (!strcmp(a, "--operator")) {
			o->operator = known = true;
		} else if (!strcmp(a, "--drafts")) {
			o->drafts = known = true;
		} else if (!strcmp(a, "--clear")) {
			o->clear = known = true;
		} else if (!strcmp(a, "--password-stdin")) {
			o->password_stdin = known = true;
		} else if (!strcmp(a, "--")) {
			while (++i < argc)
				o->args[o->nargs++] = argv[i];
			break;
		}
		for (size_t k = 0; !known && k < ARRAY_LEN(valued); k++) {
			size_t n = strlen(valued[k].name);
			const char **slot = (const char **)((char *)o + valued[k].off);
			if (!strcmp(a, valued[k].name)) {
				if (++i >= argc)
					return usage_error("option %s needs a value", a);
				*slot = argv[i];
				known = true;
			} else if (!strncmp(a, valued[k].name, n) && a[n] == '=') {
				*slot = a + n + 1;
				known = true;
			}
		}
		if (!known && a[0] == '-' && a[1])
			return usage_error("unknown option %s", a);
		if (!known)
			o->args[o->nargs++] = argv[i];
	}
	if (!o->db)
		o->db = getenv("AIREG_DB");
	if (!o->db || !*o->db)
		o->db = "var/aireg.db";
	return EXIT_OK;
}

/* Creates the directory that will hold the database file, if missing. */
static void make_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return;
	char *dir = xstrndup(path, (size_t)(slash - path));
	if (mkdir(dir, 0750) && errno != EEXIST)
		fprintf(stderr, "aireg: cannot create directory %s: %s\n", dir, strerror(errno));
	free(dir);
}

/* Opens (creating when asked) the database and seeds the organisations. */
static int open_db(const char *path, bool create, struct store **st)
{
	char err[512];
	struct svc_err e = {0};
	if (create)
		make_parent_dir(path);
	int rc = store_open(path, create, st, err, sizeof err);
	if (rc) {
		fprintf(stderr, "aireg: %s\n", err);
		return rc == STORE_NEWER ? EXIT_NEWER : EXIT_RUNTIME;
	}
	if (audit_key_load(path, err, sizeof err)) {
		fprintf(stderr, "aireg: %s\n", err);
		store_close(*st);
		*st = NULL;
		return EXIT_RUNTIME;
	}
	if (svc_org_seed(*st, &e)) {
		fprintf(stderr, "aireg: %s\n", e.message);
		store_close(*st);
		*st = NULL;
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int cmd_init(struct opts *o)
{
	struct store *st;
	long long n = 0;
	int rc = open_db(o->db, true, &st);
	if (rc)
		return rc;
	store_org_count(st, &n);
	printf("aireg: database %s ready (schema %d, %lld organisations)\n", o->db, store_schema_version(st), n);
	store_close(st);
	return EXIT_OK;
}

/* Loads the rule pack; a broken pack stops start-up with file, line and cause. */
static int load_pack(void)
{
	char err[512];
	if (aia_pack_load(err, sizeof err)) {
		fprintf(stderr, "aireg: rule pack: %s\n", err);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* Classifications made with another rule-pack version are assessed again. */
static int reassess(struct store *st)
{
	struct svc_err e = {0};
	int n;
	if (svc_class_reassess(st, &auth_system, &n, &e)) {
		fprintf(stderr, "aireg: re-evaluation: %s\n", e.message);
		return EXIT_RUNTIME;
	}
	if (n)
		fprintf(stderr, "aireg: %d classifications re-evaluated under rule pack %s\n", n, aia_pack()->version);
	return EXIT_OK;
}

static int cmd_reassess(struct opts *o)
{
	struct store *st;
	int rc = load_pack();
	if (rc || (rc = open_db(o->db, false, &st)))
		return rc;
	rc = reassess(st);
	store_close(st);
	return rc;
}

static int cmd_serve(struct opts *o)
{
	struct store *st;
	char err[512];
	/* Behind a reverse proxy every client has the proxy's address: set 0 there. */
	const char *per_ip_env = getenv("AIREG_CONNS_PER_IP");
	long long per_ip = HTTP_PER_IP_DEFAULT;
	if (per_ip_env && util_parse_int(per_ip_env, 0, HTTP_CONN_MAX, &per_ip))
		return usage_error("AIREG_CONNS_PER_IP must be a whole number from 0 (no limit) to %d, not \"%s\"",
				   HTTP_CONN_MAX, per_ip_env);
	const char *cache_env = getenv("AIREG_CACHE_MB");
	long long cache_mb = RCACHE_DEFAULT_BYTES >> 20;
	if (cache_env && util_parse_int(cache_env, 0, 65536, &cache_mb))
		return usage_error("AIREG_CACHE_MB must be a whole number from 0 (no cache) to 65536, not \"%s\"",
				   cache_env);
	rcache_init((size_t)cache_mb << 20);
	int rc = load_pack();
	if (!rc && tmpl_init(err, sizeof err)) {
		fprintf(stderr, "aireg: %s\n", err);
		rc = EXIT_RUNTIME;
	}
	if (rc || (rc = open_db(o->db, true, &st)))
		return rc;
	rc = reassess(st);
	store_close(st);
	if (rc)
		return rc;
	struct http_config cfg = {
		.db_path = o->db,
		.listen = o->listen ? o->listen : "127.0.0.1:8080",
		.per_ip_limit = (unsigned)per_ip,
		.not_found = web_not_found,
		.error = api_error,
		.before = api_before_hook,
	};
	api_configure(getenv("AIREG_TRUSTED_PROXIES"), getenv("AIREG_PROXY_HEADER"), getenv("AIREG_PROXY_ORG"),
		      getenv("AIREG_PROXY_ROLE"));
	/* One table: the API, the shared pages, the public register, the workspace. */
	const struct http_route *(*tables[])(size_t *) = {api_routes, web_routes, web_public_routes, web_work_routes,
								 web_admin_routes, web_wizard_routes};
	struct http_route *all = NULL;
	for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
		size_t n;
		const struct http_route *part = tables[t](&n);
		all = xrealloc(all, (cfg.nroutes + n) * sizeof *all);
		memcpy(all + cfg.nroutes, part, n * sizeof *part);
		cfg.nroutes += n;
	}
	cfg.routes = all;
	rc = http_serve(&cfg) ? EXIT_RUNTIME : EXIT_OK;
	free(all);
	return rc;
}

static int read_file(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char chunk[65536];
	size_t n;
	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(b, chunk, n)) {
			errno = EFBIG;
			break;
		}
	int bad = ferror(f) || errno == EFBIG;
	if (f != stdin)
		fclose(f);
	return bad ? -1 : 0;
}

static bool progress_tty;

/* The bytes of the file read so far, on a terminal. */
static void progress(size_t done, size_t total)
{
	if (!progress_tty || total < ((size_t)1 << 20))
		return;
	int width = 40, filled = (int)(width * (double)done / (double)total);
	fprintf(stderr, "\r[%.*s%*s] %3d%% of %zu MB", filled, "########################################",
		width - filled, "", (int)(100.0 * (double)done / (double)total), total >> 20);
	if (done == total)
		fputc('\n', stderr);
}

/* What went wrong with a record, as the import goes (ctx: the file name). */
static void print_record(void *ctx, const json_t *rec)
{
	const char *name = json_string_value(json_object_get(rec, "name")) ?: "no name";
	long long n = (long long)json_integer_value(json_object_get(rec, "index")) + 1;
	json_t *e, *why = json_object_get(rec, "not_published");
	size_t j;
	json_array_foreach(json_object_get(rec, "errors"), j, e)
		fprintf(stderr, "%s: record %lld (%s): %s: %s\n", (const char *)ctx, n, name,
			json_string_value(json_object_get(e, "field")), json_string_value(json_object_get(e, "message")));
	if (why) {
		fprintf(stderr, "%s: record %lld (%s): not published: %s", (const char *)ctx, n, name,
			json_string_value(json_object_get(why, "reason")));
		json_array_foreach(json_object_get(why, "missing"), j, e)
			fprintf(stderr, "%s%s", j ? ", " : " (", json_string_value(e));
		fputs(json_array_size(json_object_get(why, "missing")) ? ")\n" : "\n", stderr);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

static int cmd_import(struct opts *o)
{
	struct store *st;
	int rc, worst = EXIT_OK;
	if (!o->nargs)
		return usage_error("import needs at least one FILE");
	if ((rc = open_db(o->db, true, &st)))
		return rc;
	progress_tty = isatty(STDERR_FILENO);
	struct import_opts io = {.org_code = o->org, .progress = progress, .record = print_record,
				 .flags = (o->dry_run ? IMPORT_DRY_RUN : 0) | (o->skip_invalid ? IMPORT_SKIP_INVALID : 0) |
					  (o->publish ? IMPORT_PUBLISH : 0)};
	for (int i = 0; i < o->nargs; i++) {
		const char *file = o->args[i];
		struct svc_err e = {0};
		json_t *report = NULL;
		/* Read record by record: a file of any size imports in bounded memory. */
		FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
		if (!f) {
			fprintf(stderr, "aireg: cannot read %s: %s\n", file, strerror(errno));
			worst = EXIT_RUNTIME;
			continue;
		}
		io.ctx = (void *)file;
		rc = svc_import_file(st, &auth_system, f, ends_with(file, ".csv"), &io, &report, &e);
		if (f != stdin)
			fclose(f);
		if (rc && rc != 422) {
			fprintf(stderr, "aireg: %s: %s\n", file, e.message);
			worst = EXIT_RUNTIME == worst || rc >= 500 ? EXIT_RUNTIME : EXIT_REJECTED;
		} else {
			char published[64] = "";
			if (o->publish)
				snprintf(published, sizeof published, "; %lld published, %lld not published",
					 json_integer_value(json_object_get(report, "published")),
					 json_integer_value(json_object_get(report, "not_published")));
			printf("%s: %lld created, %lld changed, %lld unchanged, %lld rejected%s%s%s\n", file,
			       json_integer_value(json_object_get(report, "created")),
			       json_integer_value(json_object_get(report, "changed")),
			       json_integer_value(json_object_get(report, "unchanged")),
			       json_integer_value(json_object_get(report, "rejected")), published,
			       rc ? " - nothing stored" : "", o->dry_run ? " (dry run)" : "");
			if (rc && worst == EXIT_OK)
				worst = EXIT_REJECTED;
		}
		json_decref(report);
	}
	store_close(st);
	return worst;
}

static int cmd_export(struct opts *o)
{
	struct store *st;
	struct buf out;
	struct svc_err e = {0};
	int rc;
	if (!o->format || (strcmp(o->format, "json") && strcmp(o->format, "csv")))
		return usage_error("export needs --format json or --format csv");
	if ((rc = open_db(o->db, false, &st)))
		return rc;
	buf_init(&out, 0);
	rc = svc_export(st, &auth_system, o->drafts, o->org, !strcmp(o->format, "csv"), &out, &e);
	if (rc)
		fprintf(stderr, "aireg: %s\n", e.message);
	else if (fwrite(out.data ? out.data : "", 1, out.len, stdout) != out.len || fflush(stdout))
		rc = EXIT_RUNTIME;
	buf_cleanup(&out);
	store_close(st);
	return rc == 404 ? EXIT_USAGE : rc ? EXIT_RUNTIME : EXIT_OK;
}

static int print_org(void *ctx, const struct org *org)
{
	printf("%s\t%s\t%lld\t%s\n", org->code, org->type, org->algorithms, org->name);
	return 0;
}

static int svc_exit(const struct svc_err *e);

/* aireg org theme --org CODE (FILE | --clear) */
static int org_theme(struct opts *o)
{
	struct store *st;
	struct svc_err e = {0};
	struct svc_theme t;
	struct buf css;
	int rc;
	if (!o->org || o->clear == (o->nargs == 2) || o->nargs > 2)
		return usage_error("org theme needs --org CODE and either a FILE or --clear");
	buf_init(&css, (size_t)1 << 31);  /* the service names its own, smaller limit */
	if (!o->clear && read_file(o->args[1], &css)) {
		fprintf(stderr, "aireg: cannot read %s: %s\n", o->args[1], strerror(errno));
		buf_cleanup(&css);
		return EXIT_RUNTIME;
	}
	if ((rc = open_db(o->db, false, &st))) {
		buf_cleanup(&css);
		return rc;
	}
	if (o->clear)
		rc = svc_theme_clear(st, &auth_system, o->org, &e);
	else
		rc = svc_theme_set(st, &auth_system, o->org, buf_str(&css), css.len, &t, &e);
	if (rc)
		rc = svc_exit(&e);
	else if (o->clear)
		printf("aireg: house style of %s removed\n", o->org);
	else
		printf("aireg: house style of %s set: %d tokens, version %.16s\n", o->org, t.tokens, t.hash);
	buf_cleanup(&css);
	store_close(st);
	return rc;
}

static int cmd_org(struct opts *o)
{
	struct store *st;
	struct svc_err e = {0};
	int rc;
	const char *sub = o->nargs ? o->args[0] : "";
	if (strcmp(sub, "list") && strcmp(sub, "add") && strcmp(sub, "theme"))
		return usage_error("org needs list, add or theme, not \"%s\"", sub);
	if (!strcmp(sub, "theme"))
		return org_theme(o);
	if ((rc = open_db(o->db, true, &st)))
		return rc;
	if (!strcmp(sub, "list")) {
		rc = store_org_list(st, print_org, NULL) ? EXIT_RUNTIME : EXIT_OK;
	} else if (svc_org_create(st, &auth_system, o->code, o->name, o->type, &e)) {
		fprintf(stderr, "aireg: %s%s%s\n", e.message, e.errs.n ? ": " : "",
			e.errs.n ? e.errs.e[0].message : "");
		rc = e.status == 422 || e.status == 409 ? EXIT_REJECTED : EXIT_RUNTIME;
	} else {
		printf("aireg: organisation %s added\n", o->code);
	}
	store_close(st);
	return rc;
}

/* Reads one line (a password) from stdin without its newline. */
static int read_password(char *out, size_t outlen)
{
	if (!fgets(out, (int)outlen, stdin))
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static void print_link(const char *email, const char *secret)
{
	if (*secret)
		printf("one-time link for %s (valid %d hours, single use): /account/wachtwoord?link=%s\n", email,
		       ONETIME_SECONDS / 3600, secret);
}

static int svc_exit(const struct svc_err *e)
{
	fprintf(stderr, "aireg: %s%s%s\n", e->message, e->errs.n ? ": " : "", e->errs.n ? e->errs.e[0].message : "");
	return e->status >= 500 ? EXIT_RUNTIME : EXIT_REJECTED;
}

static int print_user(void *ctx, const struct user *u, json_t *roles)
{
	size_t i;
	json_t *r;
	printf("%s\t%s%s\t", u->email, u->disabled ? "disabled" : u->password_hash ? "active" : "invited",
	       u->operator ? ",operator" : "");
	json_array_foreach(roles, i, r)
		printf("%s%s:%s", i ? "," : "", json_string_value(json_object_get(r, "organisation")),
		       json_string_value(json_object_get(r, "role")));
	putchar('\n');
	return 0;
}

static int cmd_user(struct opts *o)
{
	struct store *st;
	struct svc_err e = {0};
	char link[64] = "", password[1100];
	const char *sub = o->nargs ? o->args[0] : "";
	int rc;
	if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "disable") && strcmp(sub, "reset"))
		return usage_error("user needs add, list, disable or reset, not \"%s\"", sub);
	if (strcmp(sub, "list") && !o->email)
		return usage_error("user %s needs --email", sub);
	if (!strcmp(sub, "add") && (!o->org || !o->role) && !o->operator)
		return usage_error("user add needs --org CODE and --role ROLE, or --operator");
	if (o->password_stdin && read_password(password, sizeof password))
		return usage_error("--password-stdin: no password on stdin");
	if ((rc = open_db(o->db, true, &st)))
		return rc;
	if (!strcmp(sub, "add")) {
		rc = svc_user_add(st, &auth_system, o->email, o->org, o->role, o->password_stdin ? password : NULL,
				  link, sizeof link, &e);
		if (!rc && o->operator)
			rc = svc_user_set_operator(st, &auth_system, o->email, &e);
	}
	else if (!strcmp(sub, "list"))
		rc = svc_user_list(st, &auth_system, o->org, print_user, NULL, &e);
	else if (!strcmp(sub, "disable"))
		rc = svc_user_disable(st, &auth_system, o->email, &e);
	else
		rc = svc_user_reset_link(st, &auth_system, o->email, link, sizeof link, &e);
	sodium_memzero(password, sizeof password);
	if (rc)
		rc = svc_exit(&e);
	else
		print_link(o->email ? o->email : "", link);
	sodium_memzero(link, sizeof link);
	store_close(st);
	return rc;
}

static int print_token(void *ctx, const struct token *t)
{
	printf("%lld\t%s\t%s\t%s\texpires %lld%s\n", t->id, t->name, t->org_code ? t->org_code : "*",
	       t->role ? t->role : "*", t->expires_at, t->revoked_at ? "\trevoked" : "");
	return 0;
}

static int cmd_token(struct opts *o)
{
	struct store *st;
	struct svc_err e = {0};
	const char *sub = o->nargs ? o->args[0] : "";
	long long days = 90, id = 0;
	char secret[64];
	int rc;
	if (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke"))
		return usage_error("token needs create, list or revoke, not \"%s\"", sub);
	if (strcmp(sub, "revoke") && !o->email)
		return usage_error("token %s needs --email", sub);
	if (o->expires && util_parse_int(o->expires, 1, 366, &days))
		return usage_error("--expires must be 1 to 366 days");
	if (!strcmp(sub, "revoke") && (o->nargs < 2 || util_parse_int(o->args[1], 1, (long long)1 << 62, &id)))
		return usage_error("token revoke needs the token's ID");
	if ((rc = open_db(o->db, true, &st)))
		return rc;
	if (!strcmp(sub, "create")) {
		rc = svc_token_create(st, &auth_system, o->email, o->name ? o->name : "cli", o->org, o->role, (int)days,
				      secret, &id, &e);
		if (!rc)
			printf("%s\n", secret);  /* shown once; only its hash is stored */
		sodium_memzero(secret, sizeof secret);
	} else if (!strcmp(sub, "list")) {
		rc = svc_token_list(st, &auth_system, o->email, print_token, NULL, &e);
	} else {
		rc = svc_token_revoke(st, &auth_system, id, &e);
	}
	if (rc)
		rc = svc_exit(&e);
	store_close(st);
	return rc;
}

static int cmd_audit(struct opts *o)
{
	struct store *st;
	const char *sub = o->nargs ? o->args[0] : "";
	char msg[256];
	int rc;
	if (strcmp(sub, "verify") && strcmp(sub, "export"))
		return usage_error("audit needs verify or export, not \"%s\"", sub);
	if ((rc = open_db(o->db, false, &st)))
		return rc;
	if (!strcmp(sub, "verify")) {
		rc = audit_verify(st, msg, sizeof msg) ? EXIT_TAMPERED : EXIT_OK;
		fprintf(rc ? stderr : stdout, "aireg: %s\n", msg);
		for (int i = 1; !rc && i < o->nargs; i++) {  /* earlier exports to check against */
			struct buf data;
			buf_init(&data, (size_t)1 << 31);
			if (read_file(o->args[i], &data)) {
				fprintf(stderr, "aireg: cannot read %s: %s\n", o->args[i], strerror(errno));
				rc = EXIT_RUNTIME;
			} else {
				rc = audit_verify_against(st, buf_str(&data), data.len, msg, sizeof msg) ? EXIT_TAMPERED : EXIT_OK;
				fprintf(rc ? stderr : stdout, "aireg: %s: %s\n", o->args[i], msg);
			}
			buf_cleanup(&data);
		}
	} else {
		struct buf out;
		buf_init(&out, 0);
		rc = audit_export(st, &out) ? EXIT_RUNTIME : EXIT_OK;
		if (!rc && fwrite(out.data ? out.data : "", 1, out.len, stdout) != out.len)
			rc = EXIT_RUNTIME;
		buf_cleanup(&out);
	}
	store_close(st);
	return rc;
}

/* The first problems one check found, for its one line. */
struct problems {
	struct buf text;
	size_t n;
};

static int add_problem(void *ctx, const char *problem)
{
	struct problems *p = ctx;
	if (p->n++ < 5)
		buf_printf(&p->text, "%s%s", p->n > 1 ? "; " : "", problem);
	return 0;
}

static void check_line(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints one check's line: on stdout when it passed, else on stderr. */
static void check_line(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	FILE *f = ok ? stdout : stderr;
	fflush(stdout);
	fprintf(f, "aireg: %s: ", name);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* Read-only: the database is opened as it is (no migration, no seeding) and
 * the audit key is read, never created. */
static int cmd_check(struct opts *o)
{
	static const struct {
		const char *name;
		enum store_check what;
	} checks[] = {{"integrity_check", STORE_CHECK_INTEGRITY}, {"foreign_key_check", STORE_CHECK_FOREIGN_KEYS},
		      {"public_counts", STORE_CHECK_COUNTS}};
	struct store *st;
	char err[512], msg[256];
	int worst = EXIT_OK, rc = store_open_readonly(o->db, &st, err, sizeof err);
	if (rc) {
		fprintf(stderr, "aireg: %s\n", err);
		return rc == STORE_NEWER ? EXIT_NEWER : EXIT_RUNTIME;
	}
	for (size_t i = 0; i < ARRAY_LEN(checks); i++) {
		struct problems p = {.n = 0};
		buf_init(&p.text, 0);
		if ((rc = store_check(st, checks[i].what, add_problem, &p)))
			check_line(false, checks[i].name, "%s", store_errmsg(st));
		else if (p.n)
			check_line(false, checks[i].name, "%zu problem%s: %s%s", p.n, p.n == 1 ? "" : "s",
				   buf_str(&p.text), p.n > 5 ? "; ..." : "");
		else
			check_line(true, checks[i].name, "ok");
		if (rc || p.n)
			worst = EXIT_DAMAGED;
		buf_cleanup(&p.text);
	}
	const char *why = audit_key_read(o->db, err, sizeof err) ? err : audit_verify(st, msg, sizeof msg) ? msg : NULL;
	check_line(!why, "audit_verify", "%s", why ? why : "ok");
	if (why && worst == EXIT_OK)
		worst = EXIT_TAMPERED;
	store_close(st);
	return worst;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct opts *);
	} commands[] = {
		{"serve", cmd_serve}, {"init", cmd_init}, {"import", cmd_import},
		{"export", cmd_export}, {"org", cmd_org}, {"user", cmd_user}, {"token", cmd_token},
		{"audit", cmd_audit}, {"reassess", cmd_reassess}, {"check", cmd_check},
	};
	/* Engine commands parse their own arguments. */
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} engine[] = {
		{"classify", cli_classify}, {"assess", cli_assess}, {"screen", cli_screen},
	};
	char err[256];
	if (sodium_init() < 0) {
		fprintf(stderr, "aireg: libsodium cannot start\n");
		return EXIT_RUNTIME;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("aireg %s\n", AIREG_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		struct opts o = {0};
		int rc = parse_opts(argc, argv, 2, &o);
		if (!rc && reg_init(err, sizeof err)) {
			fprintf(stderr, "aireg: %s\n", err);
			rc = EXIT_RUNTIME;
		}
		if (!rc)
			rc = commands[i].fn(&o);
		free(o.args);
		reg_cleanup();
		aia_pack_free();
		tmpl_cleanup();
		return rc;
	}
	for (size_t i = 0; i < ARRAY_LEN(engine); i++) {
		if (strcmp(argv[1], engine[i].name))
			continue;
		int rc = reg_init(err, sizeof err) ? (fprintf(stderr, "aireg: %s\n", err), EXIT_RUNTIME)
						   : engine[i].fn(argc - 2, argv + 2);
		reg_cleanup();
		return rc;
	}
	return usage_error("unknown command %s", argv[1]);
}
