-- 001: organisations, algorithms with immutable versions, full-text search.
CREATE TABLE orgs (
	id         INTEGER PRIMARY KEY,
	code       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL UNIQUE,   -- text_name_key(name): matches spellings of one name
	type       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

-- Other spellings of an organisation's name as used in published registers.
CREATE TABLE org_aliases (
	name_key TEXT PRIMARY KEY,
	org_id   INTEGER NOT NULL REFERENCES orgs(id)
) WITHOUT ROWID;

-- One row per algorithm: identity, workflow state and a copy of the latest
-- version's list columns (so listing never parses JSON).
CREATE TABLE algorithms (
	id                   INTEGER PRIMARY KEY,
	lars                 TEXT NOT NULL UNIQUE,   -- the register's 8-digit algorithm ID
	org_id               INTEGER NOT NULL REFERENCES orgs(id),
	source_id            TEXT,
	-- the workflow state of the latest version, or gearchiveerd
	state                TEXT NOT NULL CHECK (state IN ('concept', 'ter beoordeling', 'gepubliceerd',
	                                                    'teruggetrokken', 'gearchiveerd')),
	version              INTEGER NOT NULL,
	name                 TEXT NOT NULL,
	description_short    TEXT,
	status               TEXT,
	publication_category TEXT,
	category             TEXT NOT NULL DEFAULT '[]',   -- JSON array
	completeness         INTEGER NOT NULL,
	publishable          INTEGER NOT NULL,
	import_meta          TEXT,                         -- JSON object or NULL
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL
);
CREATE UNIQUE INDEX algorithms_source ON algorithms(org_id, source_id) WHERE source_id IS NOT NULL;
CREATE INDEX algorithms_org ON algorithms(org_id, name);
CREATE INDEX algorithms_name ON algorithms(name COLLATE NOCASE, lars);

CREATE TABLE algorithm_versions (
	algorithm_id INTEGER NOT NULL REFERENCES algorithms(id),
	version      INTEGER NOT NULL,
	record       TEXT NOT NULL,      -- canonical JSON with the v1.0 API keys
	missing      TEXT NOT NULL,      -- JSON array of required fields this version lacks
	completeness INTEGER NOT NULL,
	created_at   TEXT NOT NULL,
	PRIMARY KEY (algorithm_id, version)
) WITHOUT ROWID;

CREATE TRIGGER algorithm_versions_no_update BEFORE UPDATE ON algorithm_versions
BEGIN SELECT RAISE(ABORT, 'algorithm versions are immutable'); END;
CREATE TRIGGER algorithm_versions_no_delete BEFORE DELETE ON algorithm_versions
BEGIN SELECT RAISE(ABORT, 'algorithm versions are immutable'); END;
-- INSERT OR REPLACE deletes without firing DELETE triggers (recursive_triggers is off).
CREATE TRIGGER algorithm_versions_no_replace BEFORE INSERT ON algorithm_versions
WHEN EXISTS (SELECT 1 FROM algorithm_versions
	     WHERE algorithm_id = NEW.algorithm_id AND version = NEW.version)
BEGIN SELECT RAISE(ABORT, 'algorithm versions are immutable'); END;

-- rowid = algorithms.id. remove_diacritics 2 folds accents ("Fryslan" finds "Fryslân").
CREATE VIRTUAL TABLE algorithms_fts USING fts5(
	name, description_short, goal, organisation, tags,
	tokenize = 'unicode61 remove_diacritics 2'
);
