/* auth.h - who is acting, and what they may do.
 *
 * Every service function receives the actor and checks organisation and action
 * itself, so the CLI, the API and the pages share one rule set. */
#ifndef AIREG_AUTH_H
#define AIREG_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* Roles per organisation (bit set). */
enum {
	ROLE_LEZER = 1,        /* reads drafts */
	ROLE_REDACTEUR = 2,    /* edits and releases */
	ROLE_GOEDKEURDER = 4,  /* approves, publishes, retracts, archives */
	ROLE_BEHEERDER = 8,    /* manages the organisation and its people */
};

/* Actions, each granted by the roles in its mask. */
enum perm {
	PERM_READ = ROLE_LEZER | ROLE_REDACTEUR | ROLE_GOEDKEURDER | ROLE_BEHEERDER,
	PERM_EDIT = ROLE_REDACTEUR,
	PERM_DECIDE = ROLE_GOEDKEURDER,
	PERM_MANAGE = ROLE_BEHEERDER,
};

enum actor_kind { ACTOR_ANONYMOUS, ACTOR_USER, ACTOR_SYSTEM };

#define ACTOR_MAX_ORGS 64

struct actor {
	enum actor_kind kind;
	long long user_id;
	char label[128];          /* e-mail, "cli" or "anonymous": the audit trail's "who" */
	bool operator;            /* platform role: manages organisations, sees no drafts */
	size_t norgs;
	struct {
		long long org_id;
		char code[65];
		unsigned roles;
	} orgs[ACTOR_MAX_ORGS];
	char csrf[65];            /* the session's CSRF token; empty for bearer tokens */
	bool token;               /* acting with an API token */
	long long scope_org;      /* the token's organisation, or 0 */
	unsigned scope_role;      /* the token's role, or 0 */
};

extern const struct actor auth_anonymous;
/* The CLI: the person with the database file in hand may do everything. */
extern const struct actor auth_system;

/* Parses "lezer", "redacteur", "goedkeurder", "beheerder"; 0 when unknown. */
unsigned auth_role_parse(const char *name);
const char *auth_role_name(unsigned role);

/* True when the actor may perform perm in the organisation. */
bool auth_can(const struct actor *a, long long org_id, enum perm perm);
/* True when the actor holds any role in the organisation. */
bool auth_member(const struct actor *a, long long org_id);

/* Loads a user's memberships into a (kind ACTOR_USER), narrowed to one
 * organisation when only_org is set and to one role when role_cap is set (token
 * scope): the role must be held, except lezer (reading), which any role allows. */
int auth_actor_load(struct store *st, long long user_id, long long only_org, unsigned role_cap,
		    struct actor *a);

/* BLAKE2b-256 of a secret, as 64 hex characters (what the database stores). */
void auth_hash_secret(const char *secret, char out[65]);
/* A new random secret: prefix + 43 base64url characters (256 bits). */
void auth_new_secret(const char *prefix, char *out, size_t outlen);

/* argon2id (libsodium crypto_pwhash_str, interactive limits). */
int auth_password_hash(const char *password, char out[128]);
/* 0 when the password matches; *rehash tells whether the hash's parameters are outdated. */
int auth_password_verify(const char *hash, const char *password, bool *rehash);

#endif
