/* svc.c - what the services share, and organisations. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "embedded.h"
#include "jsonw.h"
#include "log.h"
#include "svc_internal.h"
#include "text.h"
#include "util.h"


int svc_fail(struct svc_err *e, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	e->status = status;
	snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return status;
}

int svc_store_err(struct svc_err *e, struct store *st, int rc)
{
	/* Every store failure of a service passes here, whichever face answers it
	 * (the pages show no cause): the log names it, once. */
	log_error("store", "answered %d: %s", rc == STORE_BUSY ? 503 : 500, store_errmsg(st));
	if (rc == STORE_BUSY)
		return svc_fail(e, 503, "busy", "the database is busy; try again");
	return svc_fail(e, 500, "database_error", "database error: %s", store_errmsg(st));
}

int svc_begin(struct store *st, struct svc_err *e)
{
	int rc = store_begin(st);
	return rc ? svc_store_err(e, st, rc) : 0;
}

int svc_finish(struct store *st, int rc, struct svc_err *e)
{
	if (!rc && (rc = store_commit(st)))
		rc = svc_store_err(e, st, rc);
	if (rc)
		store_rollback(st);
	return rc;
}

int svc_denied(struct svc_err *e, const struct actor *a, long long org_id, const char *what)
{
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "log in first");
	if (!auth_member(a, org_id))
		return svc_fail(e, 404, "not_found", "no such %s", what);
	return svc_fail(e, 403, "forbidden", "your role in this organisation does not allow this");
}

int svc_denied_public(struct svc_err *e, const struct actor *a, const char *why)
{
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "log in first");
	return svc_fail(e, 403, "forbidden", "%s", why);
}

/* ---- organisations ---- */

/* The organisation lists compiled in, with the type of each file. */
static const struct {
	const char *path, *type;
} org_lists[] = {
	{"data/orgs/Gemeenten.csv", "gemeente"},
	{"data/orgs/Provincies.csv", "provincie"},
	{"data/orgs/Waterschappen.csv", "waterschap"},
	{"data/orgs/Veiligheidsregios.csv", "veiligheidsregio"},
	{"data/orgs/Omgevingsdiensten.csv", "omgevingsdienst"},
};

static const char *const org_types[] = {
	"gemeente", "provincie", "waterschap", "veiligheidsregio", "omgevingsdienst", "overig",
};

bool svc_org_type_valid(const char *type)
{
	for (size_t i = 0; i < ARRAY_LEN(org_types); i++)
		if (type && !strcmp(type, org_types[i]))
			return true;
	return false;
}

static int org_id_cb(void *ctx, const struct org *o)
{
	*(long long *)ctx = o->id;
	return 0;
}

static int insert_org(struct store *st, const char *code, const char *name, const char *type,
		      const char *now, long long *id)
{
	struct buf key;
	buf_init(&key, 0);
	text_name_key(&key, name);
	int rc = store_org_insert(st, code, name, buf_str(&key), type, now, id);
	buf_cleanup(&key);
	return rc;
}

/* Reads "name;identifier[;...]" rows of an embedded list, calling fn per row. */
static int each_org_row(const char *path, int (*fn)(void *, char **, size_t), void *ctx)
{
	const struct embedded_file *f = embedded_find(path);
	struct csv_reader r;
	int rc = 0, n;
	if (!f)
		return -1;
	csv_reader_init(&r, f->data, f->len, ';');
	for (bool header = true; !rc && (n = csv_reader_next(&r)) == 1; header = false)
		if (!header && r.nfields >= 2)
			rc = fn(ctx, r.fields, r.nfields);
	csv_reader_cleanup(&r);
	return rc ? rc : n < 0 ? -1 : 0;
}

struct seed_ctx {
	struct store *st;
	const char *type, *now;
};

static int seed_row(void *ctx, char **f, size_t n)
{
	struct seed_ctx *s = ctx;
	return insert_org(s->st, f[1], f[0], s->type, s->now, NULL);
}

static int alias_row(void *ctx, char **f, size_t n)
{
	struct seed_ctx *s = ctx;
	long long id = 0;
	struct buf key;
	int rc = store_org_get(s->st, f[1], org_id_cb, &id);
	if (rc)
		return rc;
	buf_init(&key, 0);
	text_name_key(&key, f[0]);
	rc = store_org_alias(s->st, buf_str(&key), id);
	buf_cleanup(&key);
	return rc;
}

int svc_org_seed(struct store *st, struct svc_err *e)
{
	long long n;
	char now[21];
	int rc;
	if ((rc = store_org_count(st, &n)))
		return svc_store_err(e, st, rc);
	if (n)
		return 0;
	util_now_iso(now);
	if ((rc = store_begin(st)))
		return svc_store_err(e, st, rc);
	struct seed_ctx s = {.st = st, .now = now};
	for (size_t i = 0; i < ARRAY_LEN(org_lists); i++) {
		s.type = org_lists[i].type;
		if ((rc = each_org_row(org_lists[i].path, seed_row, &s)))
			goto fail;
	}
	if ((rc = each_org_row("data/orgs/aliases.csv", alias_row, &s)) || (rc = store_commit(st)))
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return rc == -1 ? svc_fail(e, 500, "seed_failed", "an embedded organisation list is malformed")
			: svc_store_err(e, st, rc);
}

int svc_org_create(struct store *st, const struct actor *a, const char *code, const char *name,
		   const char *type, struct svc_err *e)
{
	if (!a->operator)
		return svc_fail(e, a->kind == ACTOR_ANONYMOUS ? 401 : 403, a->kind == ACTOR_ANONYMOUS
				? "unauthorized" : "forbidden", "only operators add organisations");
	memset(&e->errs, 0, sizeof e->errs);
	if (!code || !*code || strlen(code) > 64)
		reg_error_add(&e->errs, "code", code && *code ? "too_long" : "required",
			      "code is required and at most 64 characters");
	else
		for (const char *p = code; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
				reg_error_add(&e->errs, "code", "invalid_format",
					      "code may hold only letters, digits, '-' and '_'");
				break;
			}
	/* The name becomes the records' "organization", so it has that field's limit. */
	size_t max = reg_field("organization")->max_length;
	if (!name || !*name || text_utf8_len(name, strlen(name)) > max)
		reg_error_add(&e->errs, "name", name && *name ? "too_long" : "required",
			      "name is required and at most %zu characters", max);
	if (!svc_org_type_valid(type))
		reg_error_add(&e->errs, "type", "not_allowed_value",
			      "type must be one of gemeente, provincie, waterschap, veiligheidsregio, "
			      "omgevingsdienst, overig");
	if (e->errs.n)
		return svc_fail(e, 422, "validation_failed", "the organisation is not valid");
	char now[21];
	long long id;
	util_now_iso(now);
	int rc = store_begin(st);
	if (!rc)
		rc = insert_org(st, code, name, type, now, &id);
	if (rc == STORE_EXISTS) {
		store_rollback(st);
		return svc_fail(e, 409, "already_exists", "an organisation with this code or name exists");
	}
	json_t *changes = json_pack("{s:[n,s],s:[n,s],s:[n,s]}", "code", code, "name", name, "type", type);
	if (!rc)
		rc = svc_audit(st, a, 0, "organisation.create", "organisation", code, changes, e);
	json_decref(changes);
	if (!rc && (rc = store_commit(st)))
		rc = svc_store_err(e, st, rc);
	if (rc) {
		store_rollback(st);
		return e->status ? e->status : svc_store_err(e, st, rc);
	}
	return 0;
}

static bool mode_valid(const char *mode)
{
	return mode && (!strcmp(mode, "two-step") || !strcmp(mode, "one-step"));
}

int svc_org_set_mode(struct store *st, const struct actor *a, const char *code, const char *mode,
		     struct svc_err *e)
{
	struct org_ref o;
	int rc = svc_org_ref(st, code, &o, e);
	if (rc)
		return rc;
	if (!auth_can(a, o.id, PERM_MANAGE))
		return svc_denied_public(e, a, "only a beheerder of the organisation sets this");
	if (!mode_valid(mode)) {
		memset(&e->errs, 0, sizeof e->errs);
		reg_error_add(&e->errs, "publication_mode", "not_allowed_value",
			      "publication_mode must be two-step or one-step");
		return svc_fail(e, 422, "validation_failed", "the setting is not valid");
	}
	if ((rc = store_begin(st)))
		return svc_store_err(e, st, rc);
	json_t *changes = json_pack("{s:[s,s]}", "publication_mode", o.mode, mode);
	rc = store_org_set_mode(st, o.id, mode);
	rc = rc ? svc_store_err(e, st, rc) : svc_audit(st, a, o.id, "organisation.mode", "organisation", code,
							 changes, e);
	json_decref(changes);
	if (!rc && (rc = store_commit(st)))
		rc = svc_store_err(e, st, rc);
	if (rc)
		store_rollback(st);
	return rc;
}

/* The type of an organisation not on the lists, from how Dutch bodies are named. */
static const char *guess_org_type(const char *name)
{
	static const struct {
		const char *prefix, *type;
	} guesses[] = {
		{"Gemeente ", "gemeente"}, {"Provincie ", "provincie"}, {"Waterschap ", "waterschap"},
		{"Hoogheemraadschap ", "waterschap"}, {"Wetterskip ", "waterschap"},
		{"Veiligheidsregio ", "veiligheidsregio"}, {"Omgevingsdienst ", "omgevingsdienst"},
	};
	for (size_t i = 0; i < ARRAY_LEN(guesses); i++)
		if (!strncasecmp(name, guesses[i].prefix, strlen(guesses[i].prefix)))
			return guesses[i].type;
	return "overig";
}

int svc_org_resolve(struct store *st, const char *name, const char *now, long long *id)
{
	struct buf key, code;
	int rc;
	buf_init(&key, 0);
	buf_init(&code, 0);
	text_name_key(&key, name);
	rc = store_org_find(st, buf_str(&key), org_id_cb, id);
	if (rc == STORE_NOTFOUND) {
		text_slug(&code, name, 56);
		/* A slug can collide with another body's; number it until free. */
		size_t base = code.len;
		for (int i = 2; (rc = store_org_insert(st, buf_str(&code), name, buf_str(&key),
						       guess_org_type(name), now, id)) == STORE_EXISTS && i < 100; i++) {
			code.len = base;
			buf_printf(&code, "-%d", i);
		}
	}
	buf_cleanup(&key);
	buf_cleanup(&code);
	return rc;
}

static int org_ref_cb(void *ctx, const struct org *o)
{
	struct org_ref *r = ctx;
	r->id = o->id;
	snprintf(r->code, sizeof r->code, "%s", o->code);
	snprintf(r->name, sizeof r->name, "%s", o->name);
	snprintf(r->mode, sizeof r->mode, "%s", o->publication_mode);
	return 0;
}

int svc_org_ref(struct store *st, const char *code, struct org_ref *o, struct svc_err *e)
{
	memset(o, 0, sizeof *o);
	int rc = code ? store_org_get(st, code, org_ref_cb, o) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		return svc_fail(e, 404, "not_found", "no organisation with code %.64s", code ? code : "");
	return rc ? svc_store_err(e, st, rc) : 0;
}
