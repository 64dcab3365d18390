/* auth.c - actors, roles and secrets. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "util.h"

const struct actor auth_anonymous = {.kind = ACTOR_ANONYMOUS, .label = "anonymous"};
const struct actor auth_system = {.kind = ACTOR_SYSTEM, .label = "cli", .operator = true};

static const char *const role_names[] = {"lezer", "redacteur", "goedkeurder", "beheerder"};

unsigned auth_role_parse(const char *name)
{
	for (unsigned i = 0; name && i < ARRAY_LEN(role_names); i++)
		if (!strcmp(name, role_names[i]))
			return 1u << i;
	return 0;
}

const char *auth_role_name(unsigned role)
{
	for (unsigned i = 0; i < ARRAY_LEN(role_names); i++)
		if (role == 1u << i)
			return role_names[i];
	return NULL;
}

bool auth_can(const struct actor *a, long long org_id, enum perm perm)
{
	if (a->kind == ACTOR_SYSTEM)
		return true;
	for (size_t i = 0; i < a->norgs; i++)
		if (a->orgs[i].org_id == org_id)
			return (a->orgs[i].roles & (unsigned)perm) != 0;
	return false;
}

bool auth_member(const struct actor *a, long long org_id)
{
	return auth_can(a, org_id, PERM_READ);
}

struct load_ctx {
	struct actor *a;
	long long only_org;
	unsigned cap;
};

static int user_cb(void *ctx, const struct user *u)
{
	struct actor *a = ctx;
	snprintf(a->label, sizeof a->label, "%s", u->email);
	a->operator = u->operator;
	return u->disabled ? STORE_NOTFOUND : 0;
}

static int membership_cb(void *ctx, const struct membership *m)
{
	struct load_ctx *l = ctx;
	struct actor *a = l->a;
	unsigned role = auth_role_parse(m->role);
	if (l->cap == ROLE_LEZER)
		role = ROLE_LEZER;  /* any role includes reading */
	if ((l->only_org && m->org_id != l->only_org) || (l->cap && role != l->cap))
		return 0;
	for (size_t i = 0; i < a->norgs; i++)
		if (a->orgs[i].org_id == m->org_id) {
			a->orgs[i].roles |= role;
			return 0;
		}
	if (a->norgs < ACTOR_MAX_ORGS) {
		a->orgs[a->norgs].org_id = m->org_id;
		snprintf(a->orgs[a->norgs].code, sizeof a->orgs[0].code, "%s", m->org_code);
		a->orgs[a->norgs++].roles = role;
	}
	return 0;
}

int auth_actor_load(struct store *st, long long user_id, long long only_org, unsigned role_cap,
		    struct actor *a)
{
	memset(a, 0, sizeof *a);
	a->kind = ACTOR_USER;
	a->user_id = user_id;
	int rc = store_user_get(st, user_id, user_cb, a);
	if (rc)
		return rc;
	/* A token narrowed to an organisation or a role carries no platform powers. */
	if (only_org || role_cap)
		a->operator = false;
	a->scope_org = only_org;
	a->scope_role = role_cap;
	struct load_ctx l = {a, only_org, role_cap};
	return store_memberships(st, user_id, membership_cb, &l);
}

void auth_hash_secret(const char *secret, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

void auth_new_secret(const char *prefix, char *out, size_t outlen)
{
	unsigned char raw[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, outlen, "%s%s", prefix, b64);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(b64, sizeof b64);
}

/* An argon2id computation takes 64 MiB (MEMLIMIT_INTERACTIVE) and a core for
 * 0.1-0.4 s. At most half the cores' worth run at once (1 to AUTH_HASH_MAX), so
 * that a burst of log-ins takes neither the memory nor the cores that serve the
 * reads (bench/blocking: on 2 cores, 2 at once made the reads' p99 4-8 times that
 * of 1 at once); the others wait their turn. */
#define AUTH_HASH_MAX 4
static pthread_mutex_t hash_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hash_done = PTHREAD_COND_INITIALIZER;
static int hashing, hash_max;

static void hash_enter(void)
{
	pthread_mutex_lock(&hash_lock);
	if (!hash_max) {
		long half = sysconf(_SC_NPROCESSORS_ONLN) / 2;
		hash_max = half < 1 ? 1 : half > AUTH_HASH_MAX ? AUTH_HASH_MAX : (int)half;
	}
	while (hashing >= hash_max)
		pthread_cond_wait(&hash_done, &hash_lock);
	hashing++;
	pthread_mutex_unlock(&hash_lock);
}

static void hash_leave(void)
{
	pthread_mutex_lock(&hash_lock);
	hashing--;
	pthread_cond_signal(&hash_done);
	pthread_mutex_unlock(&hash_lock);
}

int auth_password_hash(const char *password, char out[128])
{
	_Static_assert(crypto_pwhash_STRBYTES <= 128, "hash buffer");
	hash_enter();
	int rc = crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				       crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
	hash_leave();
	return rc ? -1 : 0;
}

int auth_password_verify(const char *hash, const char *password, bool *rehash)
{
	*rehash = false;
	if (!hash)
		return -1;
	hash_enter();
	int rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	hash_leave();
	if (rc)
		return -1;
	*rehash = crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
						 crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
	return 0;
}
