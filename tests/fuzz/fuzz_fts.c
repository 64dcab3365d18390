/* fuzz_fts.c - the search query: svc_fts_query turns the "q" argument of the public
 * search (any bytes but NUL, as libmicrohttpd decodes them) into an FTS5 expression.
 *
 * Properties: the expression is accepted by SQLite's FTS5 with the store's tokenizer
 * (unicode61 remove_diacritics 2) - a syntax error there would be a 500 or, worse,
 * an injected FTS5 operator; it is at most 16 quoted prefix terms; it is empty
 * exactly when the function says there are no words. */
#include <sqlite3.h>

#include "buf.h"
#include "fuzz.h"
#include "svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sqlite3 *db;
	static sqlite3_stmt *q;
	if (!db) {
		if (sqlite3_open(":memory:", &db) ||
		    sqlite3_exec(db,
				 "CREATE VIRTUAL TABLE t USING fts5(name, goal, tokenize='unicode61 remove_diacritics 2');"
				 "INSERT INTO t VALUES('Parkeerbeheer', 'Parkeervergunningen toekennen'),"
				 "('Slimme camera''s', 'Kentekenherkenning in de binnenstad'),('Fraudedetectie', 'Risico''s op bijstand');",
				 NULL, NULL, NULL) ||
		    sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &q, NULL)) {
			fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
			abort();
		}
	}
	char *in = fuzz_strndup(data, size);
	struct buf out;
	buf_init(&out, 0);
	bool words = svc_fts_query(in, &out);
	FUZZ_CHECK(words == (out.len > 0), "words %d with %zu bytes", words, out.len);
	if (words) {
		size_t quotes = 0;
		for (size_t i = 0; i < out.len; i++)
			quotes += out.data[i] == '"';
		FUZZ_CHECK(quotes % 2 == 0 && quotes / 2 <= 16, "%zu quotes", quotes);
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, out.data, (int)out.len, SQLITE_STATIC);
		int rc = sqlite3_step(q);
		if (rc != SQLITE_ROW) {
			fuzz_dump("q", in, strlen(in));
			fuzz_dump("expression", out.data, out.len);
			FUZZ_CHECK(0, "FTS5 refuses the expression: %s", sqlite3_errmsg(db));
		}
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
	}
	buf_cleanup(&out);
	free(in);
	return 0;
}
