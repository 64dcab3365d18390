-- 003: the AI Act classification of an algorithm: the Beslishulp answers, the
-- profile, and the assessment with the rule-pack version that made it.
CREATE TABLE classifications (
	algorithm_id INTEGER PRIMARY KEY REFERENCES algorithms(id),
	answers      TEXT NOT NULL DEFAULT '',   -- "1.1=0,1.2=3,...", possibly stopping before a conclusion
	conclusion   TEXT,                       -- the tree's conclusion id, once reached
	labels       TEXT NOT NULL DEFAULT '[]',
	profile      TEXT,                       -- the AI Act profile (JSON): the assessment's input
	timeline     TEXT,                       -- NULL: the pack's default
	pack_version TEXT NOT NULL,
	assessment   TEXT,                       -- JSON
	previous     TEXT,                       -- the assessment before the last re-evaluation
	public_assessment TEXT,                  -- what the public sees: copied when a version is published
	public_conclusion TEXT,
	changes      TEXT,                       -- what that re-evaluation changed: {"key": [old, new]}
	risk_group   TEXT,
	updated_at   TEXT NOT NULL,
	updated_by   TEXT NOT NULL
);
CREATE INDEX classifications_pack ON classifications(pack_version);
