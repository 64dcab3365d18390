-- 002: people, roles, sessions, API tokens, the publication workflow, the audit trail.

-- two-step: a redacteur releases, another person (goedkeurder) publishes.
-- one-step: for very small organisations; allowed, and shown as such.
ALTER TABLE orgs ADD COLUMN publication_mode TEXT NOT NULL DEFAULT 'two-step'
	CHECK (publication_mode IN ('two-step', 'one-step'));

-- The version the public sees; NULL while nothing is published.
ALTER TABLE algorithms ADD COLUMN published_version INTEGER;
UPDATE algorithms SET published_version = version WHERE state = 'gepubliceerd';

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name          TEXT NOT NULL DEFAULT '',
	password_hash TEXT,                -- argon2id (crypto_pwhash_str); NULL until set by a one-time link
	operator      INTEGER NOT NULL DEFAULT 0,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
);

CREATE TABLE memberships (
	user_id    INTEGER NOT NULL REFERENCES users(id),
	org_id     INTEGER NOT NULL REFERENCES orgs(id),
	role       TEXT NOT NULL CHECK (role IN ('beheerder', 'goedkeurder', 'redacteur', 'lezer')),
	created_at TEXT NOT NULL,
	PRIMARY KEY (user_id, org_id, role)
) WITHOUT ROWID;
CREATE INDEX memberships_org ON memberships(org_id);

-- Only hashes of secrets are stored (BLAKE2b-256, hex).
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	csrf       TEXT NOT NULL,       -- synchronizer token, sent in forms and X-CSRF-Token
	created_at INTEGER NOT NULL,    -- unix seconds: absolute timeout
	seen_at    INTEGER NOT NULL     -- unix seconds: idle timeout
) WITHOUT ROWID;

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	token_hash   TEXT NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users(id),
	name         TEXT NOT NULL,
	org_id       INTEGER REFERENCES orgs(id),   -- NULL: every organisation of the user
	role         TEXT CHECK (role IN ('beheerder', 'goedkeurder', 'redacteur', 'lezer')),  -- NULL: the user's roles
	created_at   TEXT NOT NULL,
	expires_at   INTEGER NOT NULL,              -- unix seconds
	revoked_at   TEXT,
	last_used_at TEXT
);

CREATE TABLE onetime_links (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	purpose    TEXT NOT NULL CHECK (purpose IN ('activate', 'reset')),
	expires_at INTEGER NOT NULL,
	used_at    TEXT
) WITHOUT ROWID;

-- Failed log-ins per account ("u:" + e-mail) and per address ("a:" + IP).
CREATE TABLE login_throttle (
	key      TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- The workflow of each version; a version without a row is a concept.
CREATE TABLE publications (
	algorithm_id INTEGER NOT NULL REFERENCES algorithms(id),
	version      INTEGER NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('ter beoordeling', 'gepubliceerd', 'vervangen',
	                                             'teruggetrokken', 'afgewezen')),
	released_by  TEXT,
	released_at  TEXT,
	decided_by   TEXT,
	decided_at   TEXT,
	reason       TEXT,
	PRIMARY KEY (algorithm_id, version)
) WITHOUT ROWID;
INSERT INTO publications (algorithm_id, version, status, decided_by, decided_at, reason)
	SELECT id, version, 'gepubliceerd', 'import', created_at, 'published in the national register'
	FROM algorithms WHERE state = 'gepubliceerd';

-- Append-only and hash-chained per organisation (chain 0: the platform).
CREATE TABLE audit_log (
	id        INTEGER PRIMARY KEY,
	chain     INTEGER NOT NULL,      -- orgs.id, or 0
	seq       INTEGER NOT NULL,      -- position in the chain, from 1
	at        TEXT NOT NULL,
	actor     TEXT NOT NULL,         -- e-mail, "cli", "anonymous", "proxy:..."
	action    TEXT NOT NULL,         -- e.g. algorithm.update, user.login_failed
	entity    TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	changes   TEXT NOT NULL,         -- JSON object {"field": [old, new]}
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL,         -- keyed BLAKE2b-256 over prev_hash and the row
	UNIQUE (chain, seq)
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- INSERT OR REPLACE deletes without firing DELETE triggers: refuse any clash.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE (chain = NEW.chain AND seq = NEW.seq) OR id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- What the public sees: the published version's list columns and search index,
-- kept apart from the latest (draft) version's so that listing stays one query.
CREATE TABLE public_algorithms (
	id                   INTEGER PRIMARY KEY REFERENCES algorithms(id),
	lars                 TEXT NOT NULL UNIQUE,
	org_id               INTEGER NOT NULL REFERENCES orgs(id),
	state                TEXT NOT NULL DEFAULT 'gepubliceerd',
	version              INTEGER NOT NULL,
	name                 TEXT NOT NULL,
	description_short    TEXT,
	status               TEXT,
	publication_category TEXT,
	category             TEXT NOT NULL DEFAULT '[]',
	completeness         INTEGER NOT NULL,
	publishable          INTEGER NOT NULL,
	updated_at           TEXT NOT NULL
);
CREATE INDEX public_algorithms_org ON public_algorithms(org_id, name);
CREATE INDEX public_algorithms_name ON public_algorithms(name COLLATE NOCASE, lars);
INSERT INTO public_algorithms (id, lars, org_id, version, name, description_short, status,
	publication_category, category, completeness, publishable, updated_at)
	SELECT id, lars, org_id, version, name, description_short, status, publication_category,
	       category, completeness, publishable, updated_at
	FROM algorithms WHERE published_version IS NOT NULL;

CREATE VIRTUAL TABLE public_fts USING fts5(
	name, description_short, goal, organisation, tags,
	tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO public_fts (rowid, name, description_short, goal, organisation, tags)
	SELECT f.rowid, f.name, f.description_short, f.goal, f.organisation, f.tags
	FROM algorithms_fts f JOIN algorithms a ON a.id = f.rowid WHERE a.published_version IS NOT NULL;
