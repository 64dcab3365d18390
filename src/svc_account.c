/* svc_account.c - people, roles, log-in, sessions, API tokens, one-time links. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "svc_internal.h"
#include "text.h"
#include "util.h"

/* Log-in throttling: after THROTTLE_FREE failures for an account or an address,
 * each next attempt waits 2^(failures - THROTTLE_FREE) seconds, at most
 * THROTTLE_MAX_WAIT; a success clears the account's count. */
#define THROTTLE_FREE 3
#define THROTTLE_MAX_WAIT 900
#define THROTTLE_FORGET 3600   /* failures older than this no longer count */
#define PASSWORD_MIN 12
#define PASSWORD_MAX 1024

static long long now_unix(void)
{
	return (long long)time(NULL);
}

struct user_ref {
	long long id;
	bool disabled, has_password, operator;
	char email[256];
	char hash[256];
};

static int user_ref_cb(void *ctx, const struct user *u)
{
	struct user_ref *r = ctx;
	r->id = u->id;
	r->disabled = u->disabled;
	r->operator = u->operator;
	r->has_password = u->password_hash != NULL;
	snprintf(r->email, sizeof r->email, "%s", u->email);
	snprintf(r->hash, sizeof r->hash, "%s", u->password_hash ? u->password_hash : "");
	return 0;
}

static bool email_valid(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;
	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || strlen(s) > 254)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"')
			return false;
	return true;
}

static int field_error(struct svc_err *e, const char *field, const char *code, const char *msg)
{
	memset(&e->errs, 0, sizeof e->errs);
	reg_error_add(&e->errs, field, code, "%s", msg);
	return svc_fail(e, 422, "validation_failed", "%s", msg);
}

static int password_check(const char *password, struct svc_err *e)
{
	size_t n = password ? text_utf8_len(password, strlen(password)) : 0;
	if (n < PASSWORD_MIN || strlen(password) > PASSWORD_MAX)
		return field_error(e, "password", "too_short", "a password needs at least 12 characters");
	return 0;
}

/* Issues a one-time link secret for the user (activation or reset). */
static int onetime(struct store *st, long long user_id, const char *purpose, char *out, size_t outlen,
		   struct svc_err *e)
{
	char secret[64], hash[65];
	auth_new_secret("", secret, sizeof secret);
	auth_hash_secret(secret, hash);
	int rc = store_onetime_insert(st, hash, user_id, purpose, now_unix() + ONETIME_SECONDS);
	if (!rc && out)
		snprintf(out, outlen, "%s", secret);
	sodium_memzero(secret, sizeof secret);
	return rc ? svc_store_err(e, st, rc) : 0;
}

struct role_held {
	long long org_id;
	const char *role;
	bool held;
};

static int role_held_cb(void *ctx, const struct membership *m)
{
	struct role_held *h = ctx;
	h->held |= m->org_id == h->org_id && !strcmp(m->role, h->role);
	return 0;
}

int svc_user_add(struct store *st, const struct actor *a, const char *email, const char *org_code,
		 const char *role, const char *password, char *link_out, size_t linklen, struct svc_err *e)
{
	struct org_ref org = {0};
	struct user_ref u = {0};
	struct role_held held = {0};
	unsigned r = auth_role_parse(role);
	char now[21];
	int rc;
	if (link_out && linklen)
		link_out[0] = '\0';
	if (!email_valid(email))
		return field_error(e, "email", "invalid_format", "a valid e-mail address is required");
	if (org_code && (rc = svc_org_ref(st, org_code, &org, e)))
		return rc;
	if (org_code && !r)
		return field_error(e, "role", "not_allowed_value",
				   "role must be beheerder, goedkeurder, redacteur or lezer");
	if (!org_code && a->kind != ACTOR_SYSTEM)
		return field_error(e, "organisation", "required", "give the organisation of the new role");
	if (a->kind != ACTOR_SYSTEM && !auth_can(a, org.id, PERM_MANAGE))
		return svc_denied_public(e, a, "only a beheerder of the organisation adds people");
	if (password && (rc = password_check(password, e)))
		return rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	util_now_iso(now);
	rc = store_user_by_email(st, email, user_ref_cb, &u);
	bool created = rc == STORE_NOTFOUND;
	if (created) {
		rc = store_user_insert(st, email, "", false, now, &u.id);
		json_t *ch = json_pack("{s:[n,s]}", "email", email);
		if (!rc)
			rc = svc_audit(st, a, 0, "user.create", "user", email, ch, e);
		json_decref(ch);
	}
	if (rc > 0 || (rc && (rc = svc_store_err(e, st, rc))))
		goto out;
	/* A role already held is not granted (nor audited) again: the proxy's
	 * first requests for one new person may come at once. */
	held.org_id = org.id;
	held.role = role;
	if (org_code && !created && (rc = store_memberships(st, u.id, role_held_cb, &held))) {
		rc = svc_store_err(e, st, rc);
		goto out;
	}
	if (org_code && !held.held) {
		json_t *ch = json_pack("{s:[n,s]}", "role", role);
		if ((rc = store_membership_add(st, u.id, org.id, role, now)))
			rc = svc_store_err(e, st, rc);
		else
			rc = svc_audit(st, a, org.id, "role.grant", "user", email, ch, e);
		json_decref(ch);
		if (rc)
			goto out;
	}
	if (password && (created || a->kind == ACTOR_SYSTEM)) {
		/* Only a new account gets its password here: an existing person's
		 * password is theirs (or the CLI's) to set. */
		char hash[128];
		if (auth_password_hash(password, hash)) {
			rc = svc_fail(e, 500, "hash_failed", "the password could not be hashed (out of memory)");
			goto out;
		}
		if ((rc = store_user_set_password(st, u.id, hash)) ||
		    (rc = svc_audit(st, a, 0, "user.password", "user", email, NULL, e)))
			rc = rc > 0 ? rc : svc_store_err(e, st, rc);
		sodium_memzero(hash, sizeof hash);
	} else if (link_out && !u.has_password && (created || a->kind == ACTOR_SYSTEM)) {
		/* Only who created the account gets its activation link: a pending
		 * account of another organisation stays that organisation's. No one
		 * is shown a link made for the proxy: it makes none. */
		rc = onetime(st, u.id, "activate", link_out, linklen, e);
	}
out:
	return svc_finish(st, rc, e);
}

/* The CLI, or a beheerder of every organisation the user has a role in: a
 * person who also works for another body is not theirs alone to disable or
 * to reset, or a beheerder could take over an account by adding it to their
 * own organisation first. */
static bool manages_user(struct store *st, const struct actor *a, long long user_id)
{
	struct actor them;
	if (a->kind == ACTOR_SYSTEM)
		return true;
	if (auth_actor_load(st, user_id, 0, 0, &them) || !them.norgs)
		return false;
	for (size_t i = 0; i < them.norgs; i++)
		if (!auth_can(a, them.orgs[i].org_id, PERM_MANAGE))
			return false;
	return true;
}

static int find_user(struct store *st, const struct actor *a, const char *email, struct user_ref *u,
		     struct svc_err *e)
{
	memset(u, 0, sizeof *u);
	int rc = email ? store_user_by_email(st, email, user_ref_cb, u) : STORE_NOTFOUND;
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "log in first");
	if (rc == STORE_NOTFOUND || (!rc && !manages_user(st, a, u->id)))
		return svc_fail(e, 404, "not_found", "no such user");
	return rc ? svc_store_err(e, st, rc) : 0;
}

int svc_user_disable(struct store *st, const struct actor *a, const char *email, struct svc_err *e)
{
	struct user_ref u;
	int rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	if (!(rc = find_user(st, a, email, &u, e))) {
		json_t *ch = json_pack("{s:[b,b]}", "disabled", u.disabled, 1);
		if ((rc = store_user_set_disabled(st, u.id, true)) || (rc = store_session_delete_user(st, u.id)))
			rc = svc_store_err(e, st, rc);
		else
			rc = svc_audit(st, a, 0, "user.disable", "user", email, ch, e);
		json_decref(ch);
	}
	return svc_finish(st, rc, e);
}

int svc_user_set_operator(struct store *st, const struct actor *a, const char *email, struct svc_err *e)
{
	struct user_ref u;
	int rc;
	if (a->kind != ACTOR_SYSTEM)
		return svc_fail(e, 403, "forbidden", "operators are made on the command line");
	if ((rc = svc_begin(st, e)))
		return rc;
	if (!(rc = find_user(st, a, email, &u, e))) {
		json_t *ch = json_pack("{s:[b,b]}", "operator", u.operator, 1);
		if ((rc = store_user_set_operator(st, u.id, true)))
			rc = svc_store_err(e, st, rc);
		else
			rc = svc_audit(st, a, 0, "user.operator", "user", email, ch, e);
		json_decref(ch);
	}
	return svc_finish(st, rc, e);
}

int svc_user_reset_link(struct store *st, const struct actor *a, const char *email, char *link_out,
			size_t linklen, struct svc_err *e)
{
	struct user_ref u;
	int rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	if (!(rc = find_user(st, a, email, &u, e)) && !(rc = onetime(st, u.id, "reset", link_out, linklen, e)))
		rc = svc_audit(st, a, 0, "user.reset_link", "user", email, NULL, e);
	return svc_finish(st, rc, e);
}

int svc_user_set_password(struct store *st, const char *link_secret, const char *password, struct svc_err *e)
{
	char hash[65], now[21], pw[128], purpose[16];
	long long user_id;
	struct user_ref u = {0};
	int rc;
	if ((rc = password_check(password, e)))
		return rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	auth_hash_secret(link_secret ? link_secret : "", hash);
	util_now_iso(now);
	rc = store_onetime_take(st, hash, now_unix(), now, &user_id, purpose);
	if (rc == STORE_NOTFOUND) {
		rc = svc_fail(e, 404, "link_invalid", "this link is unknown, used or expired; ask for a new one");
		goto out;
	}
	if (rc || (rc = store_user_get(st, user_id, user_ref_cb, &u))) {
		rc = svc_store_err(e, st, rc);
		goto out;
	}
	if (auth_password_hash(password, pw)) {
		rc = svc_fail(e, 500, "hash_failed", "the password could not be hashed (out of memory)");
		goto out;
	}
	/* A new password ends every session of the account. */
	if ((rc = store_user_set_password(st, user_id, pw)) || (rc = store_session_delete_user(st, user_id)))
		rc = svc_store_err(e, st, rc);
	else {
		struct actor self = {.kind = ACTOR_USER, .user_id = user_id};
		snprintf(self.label, sizeof self.label, "%s", u.email);
		rc = svc_audit(st, &self, 0, strcmp(purpose, "reset") ? "user.activate" : "user.reset", "user",
			       u.email, NULL, e);
	}
	sodium_memzero(pw, sizeof pw);
out:
	return svc_finish(st, rc, e);
}

struct list_ctx {
	struct store *st;
	int (*cb)(void *, const struct user *, json_t *);
	void *ctx;
};

static int role_cb(void *ctx, const struct membership *m)
{
	json_array_append_new(ctx, json_pack("{s:s,s:s}", "organisation", m->org_code, "role", m->role));
	return 0;
}

static int list_cb(void *ctx, const struct user *u)
{
	struct list_ctx *l = ctx;
	json_t *roles = json_array();
	int rc = store_memberships(l->st, u->id, role_cb, roles);
	if (!rc)
		rc = l->cb(l->ctx, u, roles);
	json_decref(roles);
	return rc;
}

int svc_user_list(struct store *st, const struct actor *a, const char *org_code,
		  int (*cb)(void *, const struct user *, json_t *roles), void *ctx, struct svc_err *e)
{
	struct org_ref org = {0};
	int rc;
	if (org_code && (rc = svc_org_ref(st, org_code, &org, e)))
		return rc;
	if (a->kind != ACTOR_SYSTEM && !(org_code ? auth_can(a, org.id, PERM_MANAGE) : a->operator))
		return svc_denied_public(e, a, "only a beheerder of the organisation sees its people");
	struct list_ctx l = {st, cb, ctx};
	rc = store_user_list(st, org.id, list_cb, &l);
	return rc ? svc_store_err(e, st, rc) : 0;
}

/* ---- log-in ---- */

static long long throttle_wait(struct store *st, const char *key, long long now)
{
	long long failures, last;
	if (store_throttle_get(st, key, &failures, &last) || failures < THROTTLE_FREE || now - last > THROTTLE_FORGET)
		return 0;
	long long shift = failures - THROTTLE_FREE, wait = shift >= 10 ? THROTTLE_MAX_WAIT : 1LL << shift;
	wait = wait > THROTTLE_MAX_WAIT ? THROTTLE_MAX_WAIT : wait;
	return last + wait > now ? last + wait - now : 0;
}

static void throttle_keys(const char *email, const char *addr, char ukey[300], char akey[80])
{
	struct buf b;
	buf_init(&b, 0);
	text_name_key(&b, email ? email : "");  /* one key per address, however it is capitalised */
	snprintf(ukey, 300, "u:%s", buf_str(&b));
	snprintf(akey, 80, "a:%s", addr ? addr : "");
	buf_cleanup(&b);
}

int svc_login(struct store *st, const char *email, const char *password, const char *addr,
	      char session_out[64], char csrf_out[65], struct svc_err *e)
{
	struct user_ref u = {0};
	char ukey[300], akey[80], hash[65], now[21];
	long long now_s = now_unix();
	bool rehash = false;
	int rc;
	throttle_keys(email, addr, ukey, akey);
	long long wait = throttle_wait(st, ukey, now_s), await = throttle_wait(st, akey, now_s);
	if (wait || await) {
		e->retry_after = (int)(wait > await ? wait : await);
		return svc_fail(e, 429, "too_many_attempts", "too many failed log-ins; try again in %d seconds",
				e->retry_after);
	}
	rc = email ? store_user_by_email(st, email, user_ref_cb, &u) : STORE_NOTFOUND;
	if (rc && rc != STORE_NOTFOUND)
		return svc_store_err(e, st, rc);
	/* The same work whether or not the account exists, so timing tells nothing. */
	static const char dummy[] = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
				    "0l6cF1ns5mrrJwJ1UkbBA4eHcMfLQhA7tiwzDJgr+l4";
	bool ok = !auth_password_verify(u.has_password ? u.hash : dummy, password ? password : "", &rehash) &&
		  !rc && u.has_password && !u.disabled;
	sodium_memzero(u.hash, sizeof u.hash);
	if ((rc = svc_begin(st, e)))
		return rc;
	util_now_iso(now);
	if (!ok) {
		struct actor who = {.kind = ACTOR_ANONYMOUS};
		snprintf(who.label, sizeof who.label, "anonymous@%s", addr ? addr : "");
		json_t *ch = json_pack("{s:[n,s]}", "email", email ? email : "");
		/* Old failures are forgotten, so that one typo much later starts afresh. */
		long long f, last;
		const char *keys[] = {ukey, akey};
		for (int k = 0; k < 2; k++)
			if (!store_throttle_get(st, keys[k], &f, &last) && f && now_s - last > THROTTLE_FORGET)
				store_throttle_clear(st, keys[k]);
		if ((rc = store_throttle_fail(st, ukey, now_s)) || (rc = store_throttle_fail(st, akey, now_s)))
			rc = svc_store_err(e, st, rc);
		else
			rc = svc_audit(st, &who, 0, "user.login_failed", "user", email ? email : "", ch, e);
		json_decref(ch);
		rc = svc_finish(st, rc, e);
		return rc ? rc : svc_fail(e, 401, "login_failed", "e-mail address or password is wrong");
	}
	if (rehash) {
		char pw[128];
		if (!auth_password_hash(password, pw))
			store_user_set_password(st, u.id, pw);
		sodium_memzero(pw, sizeof pw);
	}
	/* A fresh session id at every log-in: an id planted before cannot be used. */
	auth_new_secret("s_", session_out, 64);
	auth_new_secret("", csrf_out, 65);
	auth_hash_secret(session_out, hash);
	struct actor self = {.kind = ACTOR_USER, .user_id = u.id};
	snprintf(self.label, sizeof self.label, "%s", u.email);
	json_t *ch = json_pack("{s:s}", "address", addr ? addr : "");
	if ((rc = store_session_insert(st, hash, u.id, csrf_out, now_s)) || (rc = store_throttle_clear(st, ukey)))
		rc = svc_store_err(e, st, rc);
	else
		rc = svc_audit(st, &self, 0, "user.login", "user", u.email, ch, e);
	json_decref(ch);
	return svc_finish(st, rc, e);
}

int svc_logout(struct store *st, const char *session_secret)
{
	char hash[65];
	struct actor self;
	struct svc_err e = {0};
	bool known = !svc_session_actor(st, session_secret, &self, &e);
	auth_hash_secret(session_secret ? session_secret : "", hash);
	int rc = store_begin(st);
	if (!rc && (rc = store_session_delete(st, hash)) == STORE_NOTFOUND)
		rc = 0;
	if (!rc && known)
		rc = svc_audit(st, &self, 0, "user.logout", "user", self.label, NULL, &e);
	return svc_finish(st, rc, &e) ? -1 : 0;
}

static int session_cb(void *ctx, const struct session *s)
{
	struct session *out = ctx;
	*out = *s;
	out->csrf = NULL;
	return 0;
}

struct session_csrf {
	struct session s;
	char csrf[65];
};

static int session_csrf_cb(void *ctx, const struct session *s)
{
	struct session_csrf *x = ctx;
	session_cb(&x->s, s);
	snprintf(x->csrf, sizeof x->csrf, "%s", s->csrf);
	return 0;
}

int svc_session_actor(struct store *st, const char *session_secret, struct actor *a, struct svc_err *e)
{
	struct session_csrf x = {0};
	char hash[65];
	long long now = now_unix();
	auth_hash_secret(session_secret ? session_secret : "", hash);
	int rc = store_session_get(st, hash, session_csrf_cb, &x);
	if (!rc && (now - x.s.seen_at > SESSION_IDLE_SECONDS || now - x.s.created_at > SESSION_ABSOLUTE_SECONDS)) {
		store_session_delete(st, hash);
		rc = STORE_NOTFOUND;
	}
	if (!rc && (rc = auth_actor_load(st, x.s.user_id, 0, 0, a)) == 0 && now - x.s.seen_at >= 60)
		store_session_touch(st, hash, now); /* at most once a minute: reads stay reads */
	if (rc == STORE_NOTFOUND)
		return svc_fail(e, 401, "unauthorized", "the session has ended; log in again");
	if (rc)
		return svc_store_err(e, st, rc);
	snprintf(a->csrf, sizeof a->csrf, "%s", x.csrf);
	return 0;
}

struct token_ref {
	long long id, user_id, org_id, expires_at;
	bool revoked;
	char role[16];
};

static int token_ref_cb(void *ctx, const struct token *tk)
{
	struct token_ref *t = ctx;
	t->id = tk->id;
	t->user_id = tk->user_id;
	t->org_id = tk->org_id;
	t->expires_at = tk->expires_at;
	t->revoked = tk->revoked_at != NULL;
	snprintf(t->role, sizeof t->role, "%s", tk->role ? tk->role : "");
	return 0;
}

int svc_token_actor(struct store *st, const char *token, struct actor *a, struct svc_err *e)
{
	struct token_ref t = {0};
	char hash[65];
	auth_hash_secret(token ? token : "", hash);
	int rc = store_token_by_hash(st, hash, token_ref_cb, &t);
	if (!rc && (t.revoked || t.expires_at <= now_unix()))
		rc = STORE_NOTFOUND;
	if (!rc)
		rc = auth_actor_load(st, t.user_id, t.org_id, auth_role_parse(t.role), a);
	a->token = true;
	if (rc == STORE_NOTFOUND)
		return svc_fail(e, 401, "unauthorized", "the token is unknown, expired or revoked");
	if (rc)
		return svc_store_err(e, st, rc);
	char now[21];
	util_now_iso(now);
	store_token_used(st, t.id, now);
	return 0;
}

int svc_proxy_actor(struct store *st, const char *email, const char *default_org, const char *default_role,
		    struct actor *a, struct svc_err *e)
{
	struct user_ref u = {0};
	int rc = email_valid(email) ? store_user_by_email(st, email, user_ref_cb, &u) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND && default_org && default_role) {
		/* Provisioning: the proxy vouched for the person; the default role applies. */
		struct actor proxy = {.kind = ACTOR_SYSTEM, .operator = true};
		snprintf(proxy.label, sizeof proxy.label, "proxy");
		if ((rc = svc_user_add(st, &proxy, email, default_org, default_role, NULL, NULL, 0, e)))
			return rc;
		rc = store_user_by_email(st, email, user_ref_cb, &u);
	}
	if (!rc && u.disabled)
		rc = STORE_NOTFOUND;
	if (!rc)
		rc = auth_actor_load(st, u.id, 0, 0, a);
	if (rc == STORE_NOTFOUND)
		return svc_fail(e, 403, "unknown_user", "this account is not known to aireg or is disabled");
	return rc ? svc_store_err(e, st, rc) : 0;
}

/* ---- API tokens ---- */

int svc_token_create(struct store *st, const struct actor *a, const char *email, const char *name,
		     const char *org_code, const char *role, int days, char secret_out[64], long long *id,
		     struct svc_err *e)
{
	struct user_ref u = {0};
	struct org_ref org = {0};
	struct actor owner;
	char hash[65], now[21];
	int rc;
	/* A stolen token must not be able to outlive its revocation by minting a
	 * successor: tokens come from a log-in (session) or the CLI. */
	if (a->token)
		return svc_fail(e, 403, "forbidden", "tokens are created from a log-in, not with another token");
	if (days < 1 || days > 366)
		return field_error(e, "expires", "not_allowed_value", "a token expires after 1 to 366 days");
	if (role && !auth_role_parse(role))
		return field_error(e, "role", "not_allowed_value",
				   "role must be beheerder, goedkeurder, redacteur or lezer");
	if (org_code && (rc = svc_org_ref(st, org_code, &org, e)))
		return rc;
	rc = email ? store_user_by_email(st, email, user_ref_cb, &u) : STORE_NOTFOUND;
	/* Personal tokens: people create their own; the CLI creates them for anyone. */
	if (rc == STORE_NOTFOUND || (!rc && a->kind != ACTOR_SYSTEM && u.id != a->user_id))
		return svc_fail(e, 404, "not_found", "no such user");
	if (rc)
		return svc_store_err(e, st, rc);
	if (u.disabled)
		return svc_fail(e, 409, "disabled", "the user is disabled");
	/* A token never grants more than its owner holds. */
	if ((rc = auth_actor_load(st, u.id, 0, 0, &owner)))
		return svc_store_err(e, st, rc);
	unsigned r = auth_role_parse(role);
	if (org_code && !auth_can(&owner, org.id, r && r != ROLE_LEZER ? (enum perm)r : PERM_READ))
		return field_error(e, role ? "role" : "organisation", "not_held",
				   "the user does not hold this role in this organisation");
	if ((rc = svc_begin(st, e)))
		return rc;
	auth_new_secret("aireg_", secret_out, 64);
	auth_hash_secret(secret_out, hash);
	util_now_iso(now);
	json_t *ch = json_pack("{s:s,s:s?,s:s?,s:i}", "name", name ? name : "", "organisation", org_code, "role",
			       role, "days", days);
	if ((rc = store_token_insert(st, hash, u.id, name ? name : "", org.id, role, now,
				     now_unix() + (long long)days * 86400, id)))
		rc = svc_store_err(e, st, rc);
	else
		rc = svc_audit(st, a, 0, "token.create", "user", u.email, ch, e);
	json_decref(ch);
	if ((rc = svc_finish(st, rc, e)))
		sodium_memzero(secret_out, 64);
	return rc;
}

int svc_token_list(struct store *st, const struct actor *a, const char *email,
		   int (*cb)(void *, const struct token *), void *ctx, struct svc_err *e)
{
	struct user_ref u = {0};
	int rc = email ? store_user_by_email(st, email, user_ref_cb, &u) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND || (!rc && a->kind != ACTOR_SYSTEM && u.id != a->user_id))
		return svc_fail(e, 404, "not_found", "no such user");
	if (!rc)
		rc = store_token_list(st, u.id, cb, ctx);
	return rc ? svc_store_err(e, st, rc) : 0;
}

int svc_token_revoke(struct store *st, const struct actor *a, long long id, struct svc_err *e)
{
	char now[21], ids[24];
	int rc;
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "log in first");
	if ((rc = svc_begin(st, e)))
		return rc;
	util_now_iso(now);
	snprintf(ids, sizeof ids, "%lld", id);
	rc = store_token_revoke(st, id, a->kind == ACTOR_SYSTEM ? 0 : a->user_id, now);
	if (rc == STORE_NOTFOUND)
		rc = svc_fail(e, 404, "not_found", "no such active token of yours");
	else if (rc)
		rc = svc_store_err(e, st, rc);
	else
		rc = svc_audit(st, a, 0, "token.revoke", "token", ids, NULL, e);
	return svc_finish(st, rc, e);
}
