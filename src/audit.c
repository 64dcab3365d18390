/* audit.c - the append-only, hash-chained audit trail.
 *
 * Each organisation has its own chain (0 is the platform's: users, tokens,
 * organisations). A row's hash is keyed BLAKE2b-256 over the previous row's
 * hash and the row's fields, each length-prefixed so that no two rows encode
 * alike. The key lives outside the database, so that someone who can write the
 * database still cannot forge a row that verifies: a changed, deleted,
 * inserted or reordered row breaks the chain at that row. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "svc_internal.h"
#include "util.h"

static unsigned char audit_key[32];
static bool key_loaded;

static int key_load(const char *db_path, bool create, char *err, size_t errlen)
{
	const char *hex = getenv("AIREG_AUDIT_KEY");
	char path[4096];
	size_t len;
	if (hex && *hex) {
		unsigned char k[sizeof audit_key];
		if (sodium_hex2bin(k, sizeof k, hex, strlen(hex), NULL, &len, NULL) || len != sizeof k) {
			snprintf(err, errlen, "AIREG_AUDIT_KEY must be 64 hexadecimal characters");
			return -1;
		}
		memcpy(audit_key, k, sizeof k);
		sodium_memzero(k, sizeof k);
		key_loaded = true;
		return 0;
	}
	snprintf(path, sizeof path, "%s.audit-key", db_path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		/* O_EXCL: two processes starting at once cannot both write a key. */
		randombytes_buf(audit_key, sizeof audit_key);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			bool ok = write(fd, audit_key, sizeof audit_key) == (ssize_t)sizeof audit_key &&
				  fsync(fd) == 0;
			close(fd);
			if (ok) {
				key_loaded = true;
				return 0;
			}
			unlink(path);
		} else if (errno == EEXIST) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
		}
	}
	if (fd < 0 || read(fd, audit_key, sizeof audit_key) != (ssize_t)sizeof audit_key) {
		snprintf(err, errlen, "cannot read the audit key %s: %s", path, fd < 0 ? strerror(errno) : "too short");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	key_loaded = true;
	return 0;
}

int audit_key_load(const char *db_path, char *err, size_t errlen)
{
	return key_load(db_path, true, err, errlen);
}

int audit_key_read(const char *db_path, char *err, size_t errlen)
{
	return key_load(db_path, false, err, errlen);
}

static void put_field(crypto_generichash_state *h, const char *s)
{
	unsigned char len[8];
	size_t n = s ? strlen(s) : 0;
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (8 * i));
	crypto_generichash_update(h, len, sizeof len);
	crypto_generichash_update(h, (const unsigned char *)(s ? s : ""), n);
}

static void row_hash(const struct audit_row *r, char out[65])
{
	crypto_generichash_state h;
	unsigned char bin[32];
	char chain[24], seq[24];
	snprintf(chain, sizeof chain, "%lld", r->chain);
	snprintf(seq, sizeof seq, "%lld", r->seq);
	crypto_generichash_init(&h, audit_key, sizeof audit_key, sizeof bin);
	const char *fields[] = {r->prev_hash, chain, seq, r->at, r->actor, r->action, r->entity, r->entity_id,
				r->changes};
	for (size_t i = 0; i < ARRAY_LEN(fields); i++)
		put_field(&h, fields[i]);
	crypto_generichash_final(&h, bin, sizeof bin);
	sodium_bin2hex(out, 65, bin, sizeof bin);
}

int svc_audit(struct store *st, const struct actor *a, long long chain, const char *action,
	      const char *entity, const char *entity_id, json_t *changes, struct svc_err *e)
{
	struct audit_row r = {.chain = chain, .actor = a->label, .action = action, .entity = entity,
			      .entity_id = entity_id ? entity_id : ""};
	char at[21], prev[65], hash[65];
	int rc;
	if (!key_loaded)
		return svc_fail(e, 500, "audit_unavailable", "the audit key is not loaded");
	if ((rc = store_audit_tail(st, chain, &r.seq, prev)))
		return svc_store_err(e, st, rc);
	util_now_iso(at);
	char *ch = changes ? json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	r.seq++;
	r.at = at;
	r.prev_hash = prev;
	r.changes = ch ? ch : "{}";
	row_hash(&r, hash);
	r.hash = hash;
	rc = store_audit_insert(st, &r);
	free(ch);
	return rc ? svc_store_err(e, st, rc) : 0;
}

struct verify_ctx {
	struct store *st;
	long long chain, seq;
	char prev[65];
	char *msg;
	size_t msglen;
	bool broken;
};

static int record_of(void *ctx, const struct algo *a)
{
	*(char **)ctx = xstrdup(a->record);
	return 0;
}

/* A row that stands for a new algorithm version (an import's) holds the
 * version's number and the BLAKE2b-256 of its record, not the record: true
 * when the version no longer holds that record. */
static bool version_differs(struct store *st, const struct audit_row *r)
{
	if (strcmp(r->entity, "algorithm") || !strstr(r->changes, "\"record_hash\""))
		return false;
	json_t *ch = json_loads(r->changes, 0, NULL);
	const char *want = json_string_value(json_object_get(ch, "record_hash"));
	int version = (int)json_integer_value(json_object_get(ch, "version"));
	char *record = NULL, have[65] = "";
	if (version > 0 && !store_algo_get(st, r->entity_id, version, record_of, &record))
		auth_hash_secret(record, have);
	bool differs = !want || strcmp(want, have);
	free(record);
	json_decref(ch);
	return differs;
}

static int verify_cb(void *ctx, const struct audit_row *r)
{
	struct verify_ctx *v = ctx;
	char want[65];
	const char *why = NULL;
	if (r->chain != v->chain) {
		v->chain = r->chain;
		v->seq = 0;
		v->prev[0] = '\0';
	}
	row_hash(r, want);
	if (r->seq != v->seq + 1)
		why = r->seq <= v->seq ? "sequence goes back (a row was reordered or inserted)"
				       : "sequence has a gap (a row was deleted)";
	else if (strcmp(r->prev_hash, v->prev))
		why = "previous hash does not match (a row before it was changed or removed)";
	else if (strcmp(r->hash, want))
		why = "hash does not match the row (the row was changed or forged)";
	else if (version_differs(v->st, r))
		why = "the algorithm version it records holds another record (the version was changed)";
	if (why) {
		snprintf(v->msg, v->msglen, "audit row id %lld (chain %lld, seq %lld): %s", r->id, r->chain, r->seq,
			 why);
		v->broken = true;
		return 1;
	}
	v->seq = r->seq;
	snprintf(v->prev, sizeof v->prev, "%s", r->hash);
	return 0;
}

int audit_verify(struct store *st, char *msg, size_t msglen)
{
	struct verify_ctx v = {.st = st, .chain = -1, .msg = msg, .msglen = msglen};
	if (!key_loaded) {
		snprintf(msg, msglen, "the audit key is not loaded");
		return 1;
	}
	int rc = store_audit_rows(st, -1, verify_cb, &v);
	if (rc < 0) {
		snprintf(msg, msglen, "cannot read the audit log: %s", store_errmsg(st));
		return 1;
	}
	if (!v.broken)
		snprintf(msg, msglen, "audit trail intact");
	return v.broken;
}

static int export_cb(void *ctx, const struct audit_row *r)
{
	struct buf *out = ctx;
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_open(&w);
	jsonw_key(&w, "id");
	jsonw_int(&w, r->id);
	jsonw_key(&w, "chain");
	jsonw_int(&w, r->chain);
	jsonw_key(&w, "seq");
	jsonw_int(&w, r->seq);
	jsonw_key(&w, "at");
	jsonw_str(&w, r->at);
	jsonw_key(&w, "actor");
	jsonw_str(&w, r->actor);
	jsonw_key(&w, "action");
	jsonw_str(&w, r->action);
	jsonw_key(&w, "entity");
	jsonw_str(&w, r->entity);
	jsonw_key(&w, "entity_id");
	jsonw_str(&w, r->entity_id);
	jsonw_key(&w, "changes");
	jsonw_raw(&w, r->changes, strlen(r->changes));
	jsonw_key(&w, "prev_hash");
	jsonw_str(&w, r->prev_hash);
	jsonw_key(&w, "hash");
	jsonw_str(&w, r->hash);
	jsonw_obj_close(&w);
	return jsonw_error(&w) || buf_putc(out, '\n');
}

int audit_export(struct store *st, struct buf *out)
{
	return store_audit_rows(st, -1, export_cb, out);
}

static int index_cb(void *ctx, const struct audit_row *r)
{
	char key[48];
	snprintf(key, sizeof key, "%lld:%lld", r->chain, r->seq);
	json_object_set_new(ctx, key, json_string(r->hash));
	return 0;
}

int audit_verify_against(struct store *st, const char *jsonl, size_t len, char *msg, size_t msglen)
{
	json_t *have = json_object();
	size_t lineno = 0, n = 0;
	int broken = 0;
	if (store_audit_rows(st, -1, index_cb, have) < 0) {
		snprintf(msg, msglen, "cannot read the audit log: %s", store_errmsg(st));
		json_decref(have);
		return 1;
	}
	for (const char *p = jsonl, *end = jsonl + len; p < end && !broken;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (ln) {
			json_t *row = json_loadb(p, ln, 0, NULL);
			char key[48];
			snprintf(key, sizeof key, "%lld:%lld", (long long)json_integer_value(json_object_get(row, "chain")),
				 (long long)json_integer_value(json_object_get(row, "seq")));
			const char *want = json_string_value(json_object_get(row, "hash"));
			const char *got = json_string_value(json_object_get(have, key));
			if (!want) {
				snprintf(msg, msglen, "line %zu of the earlier export is not an audit row", lineno);
				broken = 1;
			} else if (!got || strcmp(got, want)) {
				snprintf(msg, msglen, "audit row chain %s (line %zu of the earlier export) is %s", key, lineno,
					 got ? "changed" : "missing: the log was cut short or rows were removed");
				broken = 1;
			}
			n++;
			json_decref(row);
		}
		p = nl ? nl + 1 : end;
	}
	if (!broken)
		snprintf(msg, msglen, "all %zu rows of the earlier export are present and unchanged", n);
	json_decref(have);
	return broken;
}
