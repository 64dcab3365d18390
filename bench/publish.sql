-- bench/publish.sql - publishes every concept of a benchmark database in one go.
--
-- Why: `aireg import` of the register's v1.0 API shape stores concepts (drafts), even
-- for an operator (src/svc_import.c, map_item: state "concept"); only the scraped
-- listing shape is imported as published. Publishing a million entries through the
-- API (release + publish, two people) would take hours, so bench/run does what the
-- store does on a publication (src/store_sqlite.c: S_PUB_SET, S_ALGO_WORKFLOW,
-- S_PUBLIC_INSERT, S_PUBLIC_FTS_INSERT; migration 002 does the same set-wise), for all
-- rows at once. No audit rows are written: this database is for load tests only.
-- Run with: sqlite3 DB < bench/publish.sql
PRAGMA cache_size = -524288;
BEGIN IMMEDIATE;
INSERT INTO publications (algorithm_id, version, status, decided_by, decided_at, reason)
	SELECT id, version, 'gepubliceerd', 'bench', updated_at, 'bench/publish.sql'
	FROM algorithms WHERE state = 'concept' AND published_version IS NULL
	ON CONFLICT (algorithm_id, version) DO NOTHING;
CREATE TEMP TABLE bench_new AS SELECT id FROM algorithms WHERE state = 'concept' AND published_version IS NULL;
UPDATE algorithms SET state = 'gepubliceerd', published_version = version
	WHERE id IN (SELECT id FROM bench_new);
INSERT INTO public_algorithms (id, lars, org_id, version, name, description_short, status,
	publication_category, category, completeness, publishable, updated_at)
	SELECT a.id, a.lars, a.org_id, v.version, json_extract(v.record, '$.name'),
	       json_extract(v.record, '$.description_short'), json_extract(v.record, '$.status'),
	       json_extract(v.record, '$.publication_category'),
	       coalesce(json_extract(v.record, '$.category'), '[]'), v.completeness,
	       v.missing = '[]', a.updated_at
	FROM bench_new n JOIN algorithms a ON a.id = n.id
	JOIN algorithm_versions v ON v.algorithm_id = a.id AND v.version = a.version;
INSERT INTO public_fts (rowid, name, description_short, goal, organisation, tags)
	SELECT a.id, json_extract(v.record, '$.name'), json_extract(v.record, '$.description_short'),
	       json_extract(v.record, '$.goal'), o.name, json_extract(v.record, '$.tags')
	FROM bench_new n JOIN algorithms a ON a.id = n.id
	JOIN algorithm_versions v ON v.algorithm_id = a.id AND v.version = a.version
	JOIN orgs o ON o.id = a.org_id;
COMMIT;
SELECT 'published ' || (SELECT count(*) FROM bench_new) || ', public ' || (SELECT count(*) FROM public_algorithms);
