/* Unit tests for auth.c and the credentials of svc_account.c: role names, the
 * permission matrix (every role and every action, in one's own organisation and
 * another's, for the system, the anonymous and operators), loading an actor,
 * API token scope, expiry and revocation, secrets and their hashes (only hashes
 * are stored), and argon2id passwords.
 *
 * argon2id is slow on purpose (~0.1 s a hash), so the tests hash few passwords. */
#include "testutil.h"

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "reg.h"
#include "store.h"
#include "svc.h"

struct fx {
	char dir[64], path[128];
	struct store *st;
	long long org_a, org_b;
};

static void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

static int org_id_cb(void *ctx, const struct org *o)
{
	*(long long *)ctx = o->id;
	return 0;
}

static int user_id_cb(void *ctx, const struct user *u)
{
	*(long long *)ctx = u->id;
	return 0;
}

static int setup(void **state)
{
	char err[256];
	struct svc_err e = {0};
	struct fx *f = calloc(1, sizeof *f);
	if (!f || reg_init(err, sizeof err))
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/aireg-test-auth-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/a.db", f->dir);
	if (audit_key_load(f->path, err, sizeof err) || store_open(f->path, true, &f->st, err, sizeof err)) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	if (svc_org_create(f->st, &auth_system, "org-a", "Gemeente Aadorp", "gemeente", &e) ||
	    svc_org_create(f->st, &auth_system, "org-b", "Gemeente Beestad", "gemeente", &e)) {
		fprintf(stderr, "setup: %s\n", e.message);
		return -1;
	}
	store_org_get(f->st, "org-a", org_id_cb, &f->org_a);
	store_org_get(f->st, "org-b", org_id_cb, &f->org_b);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	remove_db(f->path);
	rmdir(f->dir);
	free(f);
	reg_cleanup();
	return 0;
}

static void grant(struct fx *f, const char *email, const char *org, const char *role)
{
	struct svc_err e = {0};
	int rc = svc_user_add(f->st, &auth_system, email, org, role, NULL, NULL, 0, &e);
	CHECK(rc == 0, "user add %s %s %s: %d %s", email, org ? org : "-", role ? role : "-", rc, e.message);
}

static long long user_id(struct fx *f, const char *email)
{
	long long id = 0;
	CHECK(store_user_by_email(f->st, email, user_id_cb, &id) == STORE_OK, "no user %s", email);
	return id;
}

/* ---- roles ---- */

static void test_role_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned role;
	} cases[] = {
		{"lezer", ROLE_LEZER}, {"redacteur", ROLE_REDACTEUR}, {"goedkeurder", ROLE_GOEDKEURDER},
		{"beheerder", ROLE_BEHEERDER},
		{"Lezer", 0}, {"REDACTEUR", 0}, {" lezer", 0}, {"lezer ", 0}, {"", 0}, {NULL, 0}, {"operator", 0},
		{"admin", 0}, {"lezers", 0}, {"lez", 0}, {"beheerder\n", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		unsigned r = auth_role_parse(cases[i].name);
		CHECK(r == cases[i].role, "parse \"%s\": %u, want %u", cases[i].name ? cases[i].name : "(null)", r,
		      cases[i].role);
		if (cases[i].role)
			CHECK(!strcmp(auth_role_name(r), cases[i].name), "name of %u: %s", r, auth_role_name(r));
	}
	/* Only single roles have a name. */
	static const unsigned nameless[] = {0, ROLE_LEZER | ROLE_REDACTEUR, 16, 0x80000000u, ~0u};
	for (size_t i = 0; i < sizeof nameless / sizeof *nameless; i++)
		CHECK(!auth_role_name(nameless[i]), "role %u has a name: %s", nameless[i], auth_role_name(nameless[i]));
	/* The four roles are distinct bits. */
	assert_int_equal(ROLE_LEZER | ROLE_REDACTEUR | ROLE_GOEDKEURDER | ROLE_BEHEERDER, 15);
}

/* ---- the permission matrix ---- */

#define OWN 11
#define FOREIGN 22

static const struct {
	unsigned role;
	const char *name;
} roles[] = {
	{ROLE_LEZER, "lezer"}, {ROLE_REDACTEUR, "redacteur"}, {ROLE_GOEDKEURDER, "goedkeurder"},
	{ROLE_BEHEERDER, "beheerder"},
};

static const struct {
	enum perm perm;
	const char *name;
} perms[] = {
	{PERM_READ, "read"}, {PERM_EDIT, "edit"}, {PERM_DECIDE, "decide"}, {PERM_MANAGE, "manage"},
};

/* What each role may do (rows: roles as above; columns: perms as above). */
static const bool may[4][4] = {
	/*              read   edit   decide manage */
	/* lezer */     {true, false, false, false},
	/* redacteur */ {true, true, false, false},
	/* goedkeurder*/{true, false, true, false},
	/* beheerder */ {true, false, false, true},
};

static struct actor *member_of(unsigned roles_bits, bool operator)
{
	struct actor *a = calloc(1, sizeof *a);
	a->kind = ACTOR_USER;
	a->user_id = 7;
	a->operator = operator;
	snprintf(a->label, sizeof a->label, "someone@example.nl");
	a->norgs = 1;
	a->orgs[0].org_id = OWN;
	snprintf(a->orgs[0].code, sizeof a->orgs[0].code, "own");
	a->orgs[0].roles = roles_bits;
	return a;
}

static void test_can_matrix(void **state)
{
	(void)state;
	for (int op = 0; op <= 1; op++)
		for (size_t r = 0; r < sizeof roles / sizeof *roles; r++) {
			struct actor *a = member_of(roles[r].role, op);
			for (size_t p = 0; p < sizeof perms / sizeof *perms; p++) {
				bool own = auth_can(a, OWN, perms[p].perm), foreign = auth_can(a, FOREIGN, perms[p].perm);
				CHECK(own == may[r][p], "%s%s may %s in own organisation: %d", roles[r].name,
				      op ? " (operator)" : "", perms[p].name, own);
				CHECK(!foreign, "%s%s may %s in a foreign organisation", roles[r].name, op ? " (operator)" : "",
				      perms[p].name);
				CHECK(!auth_can(a, 0, perms[p].perm), "%s may %s in organisation 0", roles[r].name,
				      perms[p].name);
			}
			CHECK(auth_member(a, OWN) && !auth_member(a, FOREIGN), "%s: membership", roles[r].name);
			free(a);
		}
	/* Several roles in one organisation add up; another organisation's roles do not leak. */
	struct actor *a = member_of(ROLE_REDACTEUR | ROLE_GOEDKEURDER, false);
	a->norgs = 2;
	a->orgs[1].org_id = FOREIGN;
	a->orgs[1].roles = ROLE_LEZER;
	for (size_t p = 0; p < sizeof perms / sizeof *perms; p++) {
		bool want_own = may[1][p] || may[2][p], want_foreign = may[0][p];
		CHECK(auth_can(a, OWN, perms[p].perm) == want_own, "redacteur+goedkeurder: %s", perms[p].name);
		CHECK(auth_can(a, FOREIGN, perms[p].perm) == want_foreign, "lezer elsewhere: %s", perms[p].name);
	}
	free(a);
	/* A membership without roles grants nothing. */
	a = member_of(0, false);
	for (size_t p = 0; p < sizeof perms / sizeof *perms; p++)
		CHECK(!auth_can(a, OWN, perms[p].perm), "no roles: %s", perms[p].name);
	assert_false(auth_member(a, OWN));
	free(a);

	/* The system may do everything everywhere; the anonymous nothing; an operator
	 * without a role in an organisation nothing there. */
	struct actor *op = member_of(0, true);
	op->norgs = 0;
	const long long orgs[] = {OWN, FOREIGN, 0, -1};
	for (size_t o = 0; o < sizeof orgs / sizeof *orgs; o++)
		for (size_t p = 0; p < sizeof perms / sizeof *perms; p++) {
			CHECK(auth_can(&auth_system, orgs[o], perms[p].perm), "system may not %s in %lld", perms[p].name,
			      orgs[o]);
			CHECK(!auth_can(&auth_anonymous, orgs[o], perms[p].perm), "anonymous may %s in %lld", perms[p].name,
			      orgs[o]);
			CHECK(!auth_can(op, orgs[o], perms[p].perm), "operator may %s in %lld", perms[p].name, orgs[o]);
		}
	assert_true(auth_member(&auth_system, OWN));
	assert_false(auth_member(&auth_anonymous, OWN));
	assert_false(auth_member(op, OWN));
	free(op);
	assert_int_equal(auth_system.kind, ACTOR_SYSTEM);
	assert_true(auth_system.operator);
	assert_int_equal(auth_anonymous.kind, ACTOR_ANONYMOUS);
	assert_false(auth_anonymous.operator);
	assert_int_equal(auth_anonymous.norgs, 0);
}

/* ---- actors from the database ---- */

static void test_actor_load(void **state)
{
	struct fx *f = *state;
	struct actor a;
	grant(f, "anna@example.nl", "org-a", "redacteur");
	grant(f, "anna@example.nl", "org-a", "goedkeurder");
	grant(f, "anna@example.nl", "org-b", "lezer");
	grant(f, "anna@example.nl", "org-a", "redacteur");   /* twice: the same */
	long long anna = user_id(f, "anna@example.nl");
	assert_int_equal(auth_actor_load(f->st, anna, 0, 0, &a), STORE_OK);
	assert_int_equal(a.kind, ACTOR_USER);
	assert_int_equal(a.user_id, anna);
	assert_string_equal(a.label, "anna@example.nl");
	assert_false(a.operator);
	assert_int_equal(a.norgs, 2);
	assert_string_equal(a.csrf, "");
	static const struct {
		long long only;
		unsigned cap;
		unsigned want_a, want_b;   /* roles in org-a and org-b */
	} cases[] = {
		{0, 0, ROLE_REDACTEUR | ROLE_GOEDKEURDER, ROLE_LEZER},
		{1, 0, ROLE_REDACTEUR | ROLE_GOEDKEURDER, 0},                /* 1: org-a, 2: org-b */
		{2, 0, 0, ROLE_LEZER},
		{0, ROLE_REDACTEUR, ROLE_REDACTEUR, 0},
		/* Narrowed to lezer: reading in every organisation where any role is
		 * held (any role includes reading), and nothing more. */
		{0, ROLE_LEZER, ROLE_LEZER, ROLE_LEZER},
		{1, ROLE_LEZER, ROLE_LEZER, 0},
		{2, ROLE_LEZER, 0, ROLE_LEZER},
		{1, ROLE_GOEDKEURDER, ROLE_GOEDKEURDER, 0},
		{2, ROLE_REDACTEUR, 0, 0},
		{0, ROLE_BEHEERDER, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		long long only = cases[i].only == 1 ? f->org_a : cases[i].only == 2 ? f->org_b : 0;
		assert_int_equal(auth_actor_load(f->st, anna, only, cases[i].cap, &a), STORE_OK);
		unsigned got_a = 0, got_b = 0;
		for (size_t k = 0; k < a.norgs; k++) {
			if (a.orgs[k].org_id == f->org_a) {
				got_a = a.orgs[k].roles;
				CHECK(!strcmp(a.orgs[k].code, "org-a"), "case %zu: code %s", i, a.orgs[k].code);
			} else if (a.orgs[k].org_id == f->org_b) {
				got_b = a.orgs[k].roles;
			} else {
				fail_msg("case %zu: organisation %lld", i, a.orgs[k].org_id);
			}
		}
		CHECK(got_a == cases[i].want_a && got_b == cases[i].want_b, "case %zu: roles %u/%u, want %u/%u", i, got_a,
		      got_b, cases[i].want_a, cases[i].want_b);
		/* The scope is kept on the actor; loading is not acting with a token. */
		CHECK(a.scope_org == only && a.scope_role == cases[i].cap, "case %zu: scope %lld/%u, want %lld/%u", i,
		      a.scope_org, a.scope_role, only, cases[i].cap);
		CHECK(!a.token, "case %zu: loaded as a token", i);
	}
	/* Unknown and disabled users are not loaded. */
	assert_int_equal(auth_actor_load(f->st, 424242, 0, 0, &a), STORE_NOTFOUND);
	struct svc_err e = {0};
	assert_int_equal(svc_user_disable(f->st, &auth_system, "anna@example.nl", &e), 0);
	assert_int_not_equal(auth_actor_load(f->st, anna, 0, 0, &a), STORE_OK);
	/* The operator flag comes from the user. */
	grant(f, "op@example.nl", NULL, NULL);
	long long op = user_id(f, "op@example.nl");
	assert_int_equal(store_user_set_operator(f->st, op, true), STORE_OK);
	assert_int_equal(auth_actor_load(f->st, op, 0, 0, &a), STORE_OK);
	assert_true(a.operator);
	assert_int_equal(a.norgs, 0);
	/* Narrowed (a token's scope), even to reading only, it carries no platform powers. */
	assert_int_equal(auth_actor_load(f->st, op, 0, ROLE_LEZER, &a), STORE_OK);
	assert_false(a.operator);
	assert_int_equal(a.norgs, 0);
}

/* ---- API tokens ---- */

struct token_seen {
	int n;
	char name[64], role[16], org[16], last_used[32];
	long long id, expires_at;
	bool revoked;
};

static int token_seen_cb(void *ctx, const struct token *t)
{
	struct token_seen *s = ctx;
	s->n++;
	s->id = t->id;
	s->expires_at = t->expires_at;
	s->revoked = t->revoked_at != NULL;
	snprintf(s->name, sizeof s->name, "%s", t->name);
	snprintf(s->role, sizeof s->role, "%s", t->role ? t->role : "");
	snprintf(s->org, sizeof s->org, "%s", t->org_code ? t->org_code : "");
	snprintf(s->last_used, sizeof s->last_used, "%s", t->last_used_at ? t->last_used_at : "");
	return 0;
}

static unsigned roles_in(const struct actor *a, long long org)
{
	for (size_t i = 0; i < a->norgs; i++)
		if (a->orgs[i].org_id == org)
			return a->orgs[i].roles;
	return 0;
}

static void test_token_scope(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	grant(f, "anna@example.nl", "org-a", "redacteur");
	grant(f, "anna@example.nl", "org-a", "beheerder");
	grant(f, "anna@example.nl", "org-b", "lezer");
	grant(f, "bert@example.nl", "org-a", "redacteur");
	struct actor anna, bert;
	assert_int_equal(auth_actor_load(f->st, user_id(f, "anna@example.nl"), 0, 0, &anna), STORE_OK);
	assert_int_equal(auth_actor_load(f->st, user_id(f, "bert@example.nl"), 0, 0, &bert), STORE_OK);

	/* What a token grants: never more than its owner holds, capped by its scope. */
	static const struct {
		const char *org, *role;
		int status;
		unsigned want_a, want_b;
	} cases[] = {
		{NULL, NULL, 0, ROLE_REDACTEUR | ROLE_BEHEERDER, ROLE_LEZER},
		{"org-a", NULL, 0, ROLE_REDACTEUR | ROLE_BEHEERDER, 0},
		{"org-b", NULL, 0, 0, ROLE_LEZER},
		{"org-a", "redacteur", 0, ROLE_REDACTEUR, 0},
		{"org-a", "beheerder", 0, ROLE_BEHEERDER, 0},
		{"org-b", "lezer", 0, 0, ROLE_LEZER},
		{NULL, "redacteur", 0, ROLE_REDACTEUR, 0},
		/* lezer needs any role in the organisation, not lezer itself. */
		{NULL, "lezer", 0, ROLE_LEZER, ROLE_LEZER},
		{"org-a", "lezer", 0, ROLE_LEZER, 0},
		{"org-a", "goedkeurder", 422, 0, 0},   /* not held */
		{"org-b", "redacteur", 422, 0, 0},
		{"org-a", "eigenaar", 422, 0, 0},      /* no such role */
		{"org-c", NULL, 404, 0, 0},            /* no such organisation */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char secret[64] = "";
		long long id = 0;
		memset(&e, 0, sizeof e);
		int rc = svc_token_create(f->st, &anna, "anna@example.nl", "test", cases[i].org, cases[i].role, 30, secret,
					  &id, &e);
		CHECK(rc == cases[i].status, "case %zu (%s %s): %d %s", i, cases[i].org ? cases[i].org : "-",
		      cases[i].role ? cases[i].role : "-", rc, e.message);
		if (rc) {
			CHECK(!*secret, "case %zu: a secret for a refused token", i);
			continue;
		}
		CHECK(!strncmp(secret, "aireg_", 6) && strlen(secret) == 6 + 43, "case %zu: secret %s", i, secret);
		struct actor t;
		memset(&e, 0, sizeof e);
		rc = svc_token_actor(f->st, secret, &t, &e);
		CHECK(rc == 0, "case %zu: token actor %d %s", i, rc, e.message);
		CHECK(t.kind == ACTOR_USER && t.user_id == anna.user_id && !strcmp(t.label, "anna@example.nl"),
		      "case %zu: actor %s", i, t.label);
		CHECK(roles_in(&t, f->org_a) == cases[i].want_a && roles_in(&t, f->org_b) == cases[i].want_b,
		      "case %zu: roles %u/%u, want %u/%u", i, roles_in(&t, f->org_a), roles_in(&t, f->org_b),
		      cases[i].want_a, cases[i].want_b);
		CHECK(!t.csrf[0], "case %zu: a bearer token has no CSRF token", i);
		/* It acts as a token, with its scope on the actor. */
		long long want_org = !cases[i].org ? 0 : !strcmp(cases[i].org, "org-a") ? f->org_a : f->org_b;
		CHECK(t.token && t.scope_org == want_org && t.scope_role == auth_role_parse(cases[i].role),
		      "case %zu: token %d, scope %lld/%u", i, t.token, t.scope_org, t.scope_role);
	}
	/* lezer needs some role in that organisation: bert has none in org-b. */
	{
		char secret[64] = "";
		long long id = 0;
		memset(&e, 0, sizeof e);
		assert_int_equal(svc_token_create(f->st, &bert, "bert@example.nl", "x", "org-b", "lezer", 30, secret, &id,
						  &e), 422);
		assert_int_equal(e.errs.n, 1);
		assert_string_equal(e.errs.e[0].field, "role");
		assert_string_equal(e.errs.e[0].code, "not_held");
		assert_string_equal(secret, "");
	}
	/* A narrowed token never makes a wider one (403, nothing stored). */
	{
		char narrow[64] = "", secret[64] = "";
		long long id = 0;
		struct actor via;
		memset(&e, 0, sizeof e);
		assert_int_equal(svc_token_create(f->st, &auth_system, "anna@example.nl", "smal", "org-b", "lezer", 30,
						  narrow, &id, &e), 0);
		assert_int_equal(svc_token_actor(f->st, narrow, &via, &e), 0);
		struct token_seen before = {0}, after = {0};
		assert_int_equal(svc_token_list(f->st, &anna, "anna@example.nl", token_seen_cb, &before, &e), 0);
		static const struct {
			const char *org, *role;
		} wider[] = {
			{"org-a", NULL}, {"org-a", "lezer"}, {"org-a", "redacteur"}, {"org-b", "redacteur"},
			{"org-b", "beheerder"}, {NULL, "redacteur"},
		};
		for (size_t i = 0; i < sizeof wider / sizeof *wider; i++) {
			memset(&e, 0, sizeof e);
			int rc = svc_token_create(f->st, &via, "anna@example.nl", "wijder", wider[i].org, wider[i].role, 30,
						  secret, &id, &e);
			CHECK(rc == 403 && !strcmp(e.code, "forbidden") && !*secret, "org-b lezer token makes %s %s: %d %s",
			      wider[i].org ? wider[i].org : "-", wider[i].role ? wider[i].role : "-", rc, e.message);
		}
		/* Narrowed to a role only: not another role. */
		char red[64] = "";
		assert_int_equal(svc_token_create(f->st, &auth_system, "anna@example.nl", "red", NULL, "redacteur", 30,
						  red, &id, &e), 0);
		assert_int_equal(svc_token_actor(f->st, red, &via, &e), 0);
		memset(&e, 0, sizeof e);
		assert_int_equal(svc_token_create(f->st, &via, "anna@example.nl", "wijder", "org-a", "beheerder", 30, secret,
						  &id, &e), 403);
		assert_string_equal(e.code, "forbidden");
		assert_string_equal(secret, "");
		assert_int_equal(svc_token_list(f->st, &anna, "anna@example.nl", token_seen_cb, &after, &e), 0);
		assert_int_equal(after.n, before.n + 1);   /* only "red", made by the CLI */
		sodium_memzero(narrow, sizeof narrow);
		sodium_memzero(red, sizeof red);
	}

	/* Expiry: 1..366 days. */
	static const int bad_days[] = {0, -1, 367, 100000};
	for (size_t i = 0; i < sizeof bad_days / sizeof *bad_days; i++) {
		char secret[64];
		long long id;
		memset(&e, 0, sizeof e);
		CHECK(svc_token_create(f->st, &anna, "anna@example.nl", "x", NULL, NULL, bad_days[i], secret, &id, &e) ==
		      422, "%d days accepted", bad_days[i]);
	}
	/* Personal: not for someone else, except by the CLI; not for the anonymous. */
	char secret[64];
	long long id;
	assert_int_equal(svc_token_create(f->st, &bert, "anna@example.nl", "x", NULL, NULL, 30, secret, &id, &e), 404);
	assert_int_equal(svc_token_create(f->st, &auth_anonymous, "anna@example.nl", "x", NULL, NULL, 30, secret, &id,
					  &e), 404);
	assert_int_equal(svc_token_create(f->st, &auth_system, "nobody@example.nl", "x", NULL, NULL, 30, secret, &id,
					  &e), 404);
	assert_int_equal(svc_token_create(f->st, &auth_system, "bert@example.nl", "cli", "org-a", "redacteur", 1,
					  secret, &id, &e), 0);
	long long bert_token = id;
	struct actor t;
	assert_int_equal(svc_token_actor(f->st, secret, &t, &e), 0);
	assert_string_equal(t.label, "bert@example.nl");
	/* It is listed, with when it was last used, and never with its secret. */
	struct token_seen seen = {0};
	assert_int_equal(svc_token_list(f->st, &bert, "bert@example.nl", token_seen_cb, &seen, &e), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.id, bert_token);
	assert_string_equal(seen.name, "cli");
	assert_string_equal(seen.org, "org-a");
	assert_string_equal(seen.role, "redacteur");
	CHECK(seen.last_used[0], "last_used_at not set after use");
	assert_false(seen.revoked);
	long long now = (long long)time(NULL);
	CHECK(seen.expires_at > now && seen.expires_at <= now + 86400 + 5, "expires_at %lld, now %lld", seen.expires_at,
	      now);
	assert_int_equal(svc_token_list(f->st, &anna, "bert@example.nl", token_seen_cb, &seen, &e), 404);

	/* Revocation: only one's own (or the CLI); then the token is dead. */
	assert_int_equal(svc_token_revoke(f->st, &anna, bert_token, &e), 404);
	assert_int_equal(svc_token_revoke(f->st, &auth_anonymous, bert_token, &e), 401);
	assert_int_equal(svc_token_actor(f->st, secret, &t, &e), 0);
	assert_int_equal(svc_token_revoke(f->st, &bert, bert_token, &e), 0);
	memset(&e, 0, sizeof e);
	assert_int_equal(svc_token_actor(f->st, secret, &t, &e), 401);
	assert_string_equal(e.code, "unauthorized");
	assert_int_equal(svc_token_revoke(f->st, &bert, bert_token, &e), 404);   /* not twice */
	memset(&seen, 0, sizeof seen);
	assert_int_equal(svc_token_list(f->st, &auth_system, "bert@example.nl", token_seen_cb, &seen, &e), 0);
	assert_true(seen.revoked);

	/* An expired token is dead (stored as a service would, expired a second ago). */
	char old[64], hash[65], now_iso[32];
	long long old_id;
	auth_new_secret("aireg_", old, sizeof old);
	auth_hash_secret(old, hash);
	snprintf(now_iso, sizeof now_iso, "2024-01-01T00:00:00Z");
	assert_int_equal(store_token_insert(f->st, hash, bert.user_id, "oud", 0, NULL, now_iso, now - 1, &old_id),
			 STORE_OK);
	assert_int_equal(svc_token_actor(f->st, old, &t, &e), 401);
	/* Unknown, empty and NULL tokens. */
	static const char *const unknown[] = {"aireg_onbekend", "", NULL, "aireg_"};
	for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
		memset(&e, 0, sizeof e);
		CHECK(svc_token_actor(f->st, unknown[i], &t, &e) == 401, "token %zu accepted", i);
	}
	/* A disabled owner's tokens are dead. */
	assert_int_equal(svc_token_create(f->st, &anna, "anna@example.nl", "x", NULL, NULL, 30, secret, &id, &e), 0);
	assert_int_equal(svc_token_actor(f->st, secret, &t, &e), 0);
	assert_int_equal(svc_user_disable(f->st, &auth_system, "anna@example.nl", &e), 0);
	assert_int_equal(svc_token_actor(f->st, secret, &t, &e), 401);
	assert_int_equal(svc_token_create(f->st, &auth_system, "anna@example.nl", "x", NULL, NULL, 30, secret, &id, &e),
			 409);
}

/* ---- secrets ---- */

static bool is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static void test_hash_secret(void **state)
{
	(void)state;
	static const char *const inputs[] = {"", "a", "a ", "A", "aireg_x", "s_abc", "\xc3\xa9", "aireg_0123456789"};
	char seen[sizeof inputs / sizeof *inputs][65];
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		char h[65], again[65];
		memset(h, 'Z', sizeof h);
		auth_hash_secret(inputs[i], h);
		CHECK(is_lower_hex(h, 64), "hash of \"%s\": %s", inputs[i], h);
		auth_hash_secret(inputs[i], again);
		CHECK(!strcmp(h, again), "hash of \"%s\" is not deterministic", inputs[i]);
		/* BLAKE2b-256, unkeyed, of the bytes. */
		unsigned char bin[32];
		char want[65];
		crypto_generichash(bin, sizeof bin, (const unsigned char *)inputs[i], strlen(inputs[i]), NULL, 0);
		sodium_bin2hex(want, sizeof want, bin, sizeof bin);
		CHECK(!strcmp(h, want), "hash of \"%s\": %s, want BLAKE2b-256 %s", inputs[i], h, want);
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(seen[k], h), "\"%s\" and \"%s\" hash alike", inputs[k], inputs[i]);
		snprintf(seen[i], sizeof seen[i], "%s", h);
	}
}

static bool base64url(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_new_secret(void **state)
{
	(void)state;
	enum { N = 1000 };
	static const char *const prefixes[] = {"", "s_", "aireg_"};
	for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
		char **all = calloc(N, sizeof *all);
		size_t plen = strlen(prefixes[p]);
		size_t bits_set[8] = {0};   /* per bit of the first decoded byte: how often it is 1 */
		for (int i = 0; i < N; i++) {
			char s[64];
			auth_new_secret(prefixes[p], s, sizeof s);
			CHECK(strlen(s) == plen + 43, "secret %s: length %zu", s, strlen(s));
			CHECK(!strncmp(s, prefixes[p], plen), "secret %s: prefix", s);
			CHECK(base64url(s + plen), "secret %s: not base64url", s);
			unsigned char raw[33];
			size_t len = 0;
			CHECK(!sodium_base642bin(raw, sizeof raw, s + plen, 43, NULL, &len, NULL,
						 sodium_base64_VARIANT_URLSAFE_NO_PADDING) && len == 32,
			      "secret %s does not decode to 32 bytes", s);
			for (int b = 0; b < 8; b++)
				bits_set[b] += (raw[0] >> b) & 1;
			all[i] = strdup(s);
		}
		qsort(all, N, sizeof *all, cmp_str);
		for (int i = 1; i < N; i++)
			CHECK(strcmp(all[i - 1], all[i]), "the secret %s was drawn twice", all[i]);
		/* Not constant: every bit varies (a fixed bit would show 0 or N). */
		for (int b = 0; b < 8; b++)
			CHECK(bits_set[b] > N / 4 && bits_set[b] < 3 * N / 4, "bit %d of the first byte set %zu of %d times", b,
			      bits_set[b], N);
		for (int i = 0; i < N; i++)
			free(all[i]);
		free(all);
	}
	/* A short buffer gets a terminated, cut string, and nothing past it. */
	char small[16];
	memset(small, 'X', sizeof small);
	auth_new_secret("aireg_", small, 10);
	assert_int_equal(strlen(small), 9);
	assert_int_equal(small[10], 'X');
}

static void read_all(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	if (!fp)
		return;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(b, chunk, n);
	fclose(fp);
}

static bool contains(const struct buf *b, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; n && i + n <= b->len; i++)
		if (b->data[i] == needle[0] && !memcmp(b->data + i, needle, n))
			return true;
	return false;
}

static long long raw_count(const char *path, const char *sql, const char *arg)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long n = -1;
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "open %s", path);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
	}
	CHECK(n >= 0, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* The database file (and its WAL) never holds a secret: not the session, the
 * token, the one-time link, nor the password; it holds their hashes. */
static void test_only_hashes_stored(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	const char *password = "correct horse battery staple";
	char session[64], csrf[65], token[64], link[64], reset[64];
	long long token_id;
	/* A user with a password (one hash), a log-in (one verification), a token,
	 * an activation link and a reset link. */
	assert_int_equal(svc_user_add(f->st, &auth_system, "anna@example.nl", "org-a", "redacteur", password, NULL, 0,
				      &e), 0);
	assert_int_equal(svc_login(f->st, "anna@example.nl", password, "192.0.2.7", session, csrf, &e), 0);
	assert_int_equal(svc_token_create(f->st, &auth_system, "anna@example.nl", "t", NULL, NULL, 30, token, &token_id,
					  &e), 0);
	assert_int_equal(svc_user_add(f->st, &auth_system, "bert@example.nl", "org-a", "lezer", NULL, link, sizeof link,
				      &e), 0);
	assert_int_equal(svc_user_reset_link(f->st, &auth_system, "anna@example.nl", reset, sizeof reset, &e), 0);
	CHECK(strlen(session) > 40 && strlen(token) > 40 && strlen(link) >= 43 && strlen(reset) >= 43,
	      "secrets: %s %s %s %s", session, token, link, reset);
	/* The secrets work, so they are the real ones. */
	struct actor a;
	assert_int_equal(svc_session_actor(f->st, session, &a, &e), 0);
	assert_string_equal(a.csrf, csrf);
	assert_int_equal(svc_token_actor(f->st, token, &a, &e), 0);

	/* Their hashes are in the tables they belong to. */
	static const struct {
		const char *table;
		int which;   /* 0 session, 1 token, 2 activation link, 3 reset link */
	} where[] = {{"sessions", 0}, {"api_tokens", 1}, {"onetime_links", 2}, {"onetime_links", 3}};
	const char *secrets[] = {session, token, link, reset};
	for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
		char hash[65], sql[128];
		auth_hash_secret(secrets[where[i].which], hash);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE token_hash = ?", where[i].table);
		CHECK(raw_count(f->path, sql, hash) == 1, "%s holds no hash of the secret", where[i].table);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE instr(token_hash, ?) > 0", where[i].table);
		CHECK(raw_count(f->path, sql, secrets[where[i].which]) == 0, "%s holds the secret", where[i].table);
	}
	/* And nowhere in the files is a secret, or the password. */
	struct buf bytes;
	char wal[160];
	buf_init(&bytes, 0);
	read_all(f->path, &bytes);
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	read_all(wal, &bytes);
	assert_true(bytes.len > 0);
	const char *needles[] = {session, token, link, reset, password, session + 2, token + 6};
	const char *names[] = {"session", "token", "activation link", "reset link", "password", "session (no prefix)",
			       "token (no prefix)"};
	for (size_t i = 0; i < sizeof needles / sizeof *needles; i++)
		CHECK(!contains(&bytes, needles[i]), "the database files hold the %s in the clear", names[i]);
	/* ...while the stored hash is there (the search itself works). */
	char hash[65];
	auth_hash_secret(token, hash);
	assert_true(contains(&bytes, hash));
	buf_cleanup(&bytes);
	assert_int_equal(raw_count(f->path, "SELECT count(*) FROM users WHERE password_hash LIKE ?", "$argon2id$%"), 1);

	/* A one-time link works once. */
	assert_int_equal(svc_user_set_password(f->st, link, "kort", &e), 422);   /* too short: link kept */
	assert_int_equal(svc_user_set_password(f->st, "verzonnen-link", "lang genoeg wachtwoord", &e), 404);
	assert_int_equal(svc_logout(f->st, session), 0);
	assert_int_equal(svc_session_actor(f->st, session, &a, &e), 401);
}

/* ---- passwords ---- */

static int hash_cb(void *ctx, const struct user *u)
{
	snprintf(ctx, 160, "%s", u->password_hash ? u->password_hash : "");
	return 0;
}

static void test_password(void **state)
{
	struct fx *f = *state;
	char h1[128], h2[128];
	bool rehash = true;
	assert_int_equal(auth_password_hash("een goed wachtwoord", h1), 0);
	CHECK(!strncmp(h1, "$argon2id$", 10), "hash %s is not argon2id", h1);
	assert_int_equal(auth_password_verify(h1, "een goed wachtwoord", &rehash), 0);
	assert_false(rehash);
	rehash = true;
	assert_int_equal(auth_password_verify(h1, "een goed wachtwoorD", &rehash), -1);
	assert_false(rehash);
	assert_int_equal(auth_password_verify(NULL, "een goed wachtwoord", &rehash), -1);
	assert_int_equal(auth_password_verify("", "een goed wachtwoord", &rehash), -1);
	assert_int_equal(auth_password_verify("$argon2id$kapot", "een goed wachtwoord", &rehash), -1);
	/* Salted: the same password hashes differently. */
	assert_int_equal(auth_password_hash("een goed wachtwoord", h2), 0);
	assert_string_not_equal(h1, h2);

	/* A hash with weaker parameters verifies and asks for a rehash (cheap to make). */
	char weak[crypto_pwhash_STRBYTES];
	assert_int_equal(crypto_pwhash_str_alg(weak, "oud wachtwoord", strlen("oud wachtwoord"),
					       crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
					       crypto_pwhash_ALG_ARGON2ID13), 0);
	rehash = false;
	assert_int_equal(auth_password_verify(weak, "oud wachtwoord", &rehash), 0);
	assert_true(rehash);
	rehash = true;
	assert_int_equal(auth_password_verify(weak, "nieuw wachtwoord", &rehash), -1);
	assert_false(rehash);

	/* Logging in with it replaces the stored hash by one with today's parameters. */
	struct svc_err e = {0};
	char session[64], csrf[65];
	grant(f, "oud@example.nl", "org-a", "lezer");
	long long id = user_id(f, "oud@example.nl");
	assert_int_equal(store_user_set_password(f->st, id, weak), STORE_OK);
	assert_int_equal(svc_login(f->st, "oud@example.nl", "oud wachtwoord", "192.0.2.9", session, csrf, &e), 0);
	char stored[160] = "";
	assert_int_equal(store_user_get(f->st, id, hash_cb, stored), STORE_OK);
	CHECK(strcmp(stored, weak) && !strncmp(stored, "$argon2id$", 10), "stored hash after log-in: %s", stored);
	rehash = true;
	assert_int_equal(auth_password_verify(stored, "oud wachtwoord", &rehash), 0);
	assert_false(rehash);
}

int main(void)
{
	setenv("AIREG_AUDIT_KEY", "0f1e2d3c4b5a69788796a5b4c3d2e1f000112233445566778899aabbccddeeff", 1);
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_can_matrix),
		cmocka_unit_test_setup_teardown(test_actor_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_scope, setup, teardown),
		cmocka_unit_test(test_hash_secret),
		cmocka_unit_test(test_new_secret),
		cmocka_unit_test_setup_teardown(test_only_hashes_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
