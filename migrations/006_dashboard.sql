-- 006: what the workspace dashboard counts and lists, kept so that its cost
-- does not grow with the size of an organisation's register: the counts are
-- kept per organisation, the lists come from an index in their order, and the
-- deadlines from one row per obligation of the organisation's classifications.

-- dash_counts holds, per organisation, the number of algorithms per workflow
-- state, publication category ('' when not filled in) and risk group of the
-- classification ('' when not classified), with their completeness summed and
-- how many are publishable. Triggers keep it exact in the transaction that
-- writes an algorithm or its classification; a combination whose count reaches
-- zero is removed, as a GROUP BY would not list it.
CREATE TABLE dash_counts (
	org_id               INTEGER NOT NULL,
	state                TEXT NOT NULL,
	publication_category TEXT NOT NULL,
	risk_group           TEXT NOT NULL,
	algorithms           INTEGER NOT NULL,
	completeness         INTEGER NOT NULL,
	publishable          INTEGER NOT NULL,
	PRIMARY KEY (org_id, state, publication_category, risk_group)
) WITHOUT ROWID;

INSERT INTO dash_counts (org_id, state, publication_category, risk_group, algorithms, completeness, publishable)
	SELECT a.org_id, a.state, coalesce(a.publication_category, ''), coalesce(c.risk_group, ''), count(*),
	       sum(a.completeness), sum(a.publishable)
	FROM algorithms a LEFT JOIN classifications c ON c.algorithm_id = a.id
	GROUP BY 1, 2, 3, 4;

CREATE TRIGGER dash_counts_algorithm_insert AFTER INSERT ON algorithms BEGIN
	INSERT INTO dash_counts (org_id, state, publication_category, risk_group, algorithms, completeness, publishable)
		VALUES (NEW.org_id, NEW.state, coalesce(NEW.publication_category, ''), '', 1, NEW.completeness,
			NEW.publishable)
		ON CONFLICT DO UPDATE SET algorithms = algorithms + 1, completeness = completeness + excluded.completeness,
			publishable = publishable + excluded.publishable;
END;

CREATE TRIGGER dash_counts_algorithm_update AFTER UPDATE OF org_id, state, publication_category, completeness,
	publishable ON algorithms BEGIN
	UPDATE dash_counts SET algorithms = algorithms - 1, completeness = completeness - OLD.completeness,
		publishable = publishable - OLD.publishable
		WHERE org_id = OLD.org_id AND state = OLD.state
		AND publication_category = coalesce(OLD.publication_category, '')
		AND risk_group = coalesce((SELECT risk_group FROM classifications WHERE algorithm_id = OLD.id), '');
	DELETE FROM dash_counts WHERE org_id = OLD.org_id AND state = OLD.state
		AND publication_category = coalesce(OLD.publication_category, '') AND algorithms = 0;
	INSERT INTO dash_counts (org_id, state, publication_category, risk_group, algorithms, completeness, publishable)
		VALUES (NEW.org_id, NEW.state, coalesce(NEW.publication_category, ''),
			coalesce((SELECT risk_group FROM classifications WHERE algorithm_id = NEW.id), ''), 1,
			NEW.completeness, NEW.publishable)
		ON CONFLICT DO UPDATE SET algorithms = algorithms + 1, completeness = completeness + excluded.completeness,
			publishable = publishable + excluded.publishable;
END;

-- A classification moves its algorithm from one risk group (or none) to another.
CREATE VIEW dash_count_moves AS
	SELECT c.algorithm_id, a.org_id, a.state, coalesce(a.publication_category, '') AS publication_category,
	       a.completeness, a.publishable
	FROM classifications c JOIN algorithms a ON a.id = c.algorithm_id;

CREATE TRIGGER dash_counts_classification_insert AFTER INSERT ON classifications BEGIN
	UPDATE dash_counts SET algorithms = dash_counts.algorithms - 1,
		completeness = dash_counts.completeness - m.completeness, publishable = dash_counts.publishable - m.publishable
		FROM (SELECT * FROM dash_count_moves WHERE algorithm_id = NEW.algorithm_id) m
		WHERE dash_counts.org_id = m.org_id AND dash_counts.state = m.state
		AND dash_counts.publication_category = m.publication_category AND dash_counts.risk_group = '';
	INSERT INTO dash_counts (org_id, state, publication_category, risk_group, algorithms, completeness, publishable)
		SELECT org_id, state, publication_category, coalesce(NEW.risk_group, ''), 1, completeness, publishable
		FROM dash_count_moves WHERE algorithm_id = NEW.algorithm_id
		ON CONFLICT DO UPDATE SET algorithms = algorithms + 1, completeness = completeness + excluded.completeness,
			publishable = publishable + excluded.publishable;
	DELETE FROM dash_counts WHERE algorithms = 0 AND risk_group = ''
		AND org_id = (SELECT org_id FROM algorithms WHERE id = NEW.algorithm_id);
END;

CREATE TRIGGER dash_counts_classification_update AFTER UPDATE OF risk_group ON classifications
	WHEN OLD.risk_group IS NOT NEW.risk_group BEGIN
	UPDATE dash_counts SET algorithms = dash_counts.algorithms - 1,
		completeness = dash_counts.completeness - m.completeness, publishable = dash_counts.publishable - m.publishable
		FROM (SELECT * FROM dash_count_moves WHERE algorithm_id = NEW.algorithm_id) m
		WHERE dash_counts.org_id = m.org_id AND dash_counts.state = m.state
		AND dash_counts.publication_category = m.publication_category
		AND dash_counts.risk_group = coalesce(OLD.risk_group, '');
	INSERT INTO dash_counts (org_id, state, publication_category, risk_group, algorithms, completeness, publishable)
		SELECT org_id, state, publication_category, coalesce(NEW.risk_group, ''), 1, completeness, publishable
		FROM dash_count_moves WHERE algorithm_id = NEW.algorithm_id
		ON CONFLICT DO UPDATE SET algorithms = algorithms + 1, completeness = completeness + excluded.completeness,
			publishable = publishable + excluded.publishable;
	DELETE FROM dash_counts WHERE algorithms = 0 AND risk_group = coalesce(OLD.risk_group, '')
		AND org_id = (SELECT org_id FROM algorithms WHERE id = NEW.algorithm_id);
END;

-- The drafts and released algorithms the dashboard lists come out of this index
-- in name order per organisation and state.
CREATE INDEX algorithms_dash ON algorithms(org_id, state, publishable, name COLLATE NOCASE, lars);

-- One row per dated obligation of a stored assessment, with the algorithm's
-- organisation (an algorithm never changes organisation), kept by the triggers
-- below: the deadlines and overdue obligations are counted and listed from here
-- without parsing assessments. Titles fall back as the pages do: an obligation
-- without a title shows its id, an assessment without a timeline title its
-- timeline's id.
CREATE TABLE classification_obligations (
	algorithm_id INTEGER NOT NULL REFERENCES classifications(algorithm_id),
	seq          INTEGER NOT NULL,   -- position in the assessment's obligations
	org_id       INTEGER NOT NULL,
	applies_from TEXT NOT NULL,      -- YYYY-MM-DD
	article      TEXT,
	title_nl     TEXT,
	title_en     TEXT,
	timeline_nl  TEXT,               -- the assessment's timeline
	timeline_en  TEXT,
	PRIMARY KEY (algorithm_id, seq)
) WITHOUT ROWID;
-- The counts per date and timeline read this index alone.
CREATE INDEX classification_obligations_org ON classification_obligations(org_id, applies_from, timeline_nl,
									  timeline_en);

CREATE VIEW classification_obligation_rows AS
	SELECT c.algorithm_id, o.key AS seq, a.org_id, json_extract(o.value, '$.applies_from') AS applies_from,
	       json_extract(o.value, '$.article') AS article,
	       coalesce(json_extract(o.value, '$.title_nl'), json_extract(o.value, '$.id')) AS title_nl,
	       coalesce(json_extract(o.value, '$.title_en'), json_extract(o.value, '$.id')) AS title_en,
	       coalesce(json_extract(c.assessment, '$.rules.timeline_title_nl'),
			json_extract(c.assessment, '$.rules.timeline')) AS timeline_nl,
	       coalesce(json_extract(c.assessment, '$.rules.timeline_title_en'),
			json_extract(c.assessment, '$.rules.timeline')) AS timeline_en
	FROM classifications c JOIN algorithms a ON a.id = c.algorithm_id, json_each(c.assessment, '$.obligations') o
	WHERE json_extract(o.value, '$.applies_from') IS NOT NULL;

INSERT INTO classification_obligations (algorithm_id, seq, org_id, applies_from, article, title_nl, title_en,
					timeline_nl, timeline_en)
	SELECT algorithm_id, seq, org_id, applies_from, article, title_nl, title_en, timeline_nl, timeline_en
	FROM classification_obligation_rows;

CREATE TRIGGER classification_obligations_insert AFTER INSERT ON classifications BEGIN
	INSERT INTO classification_obligations (algorithm_id, seq, org_id, applies_from, article, title_nl, title_en,
						timeline_nl, timeline_en)
		SELECT algorithm_id, seq, org_id, applies_from, article, title_nl, title_en, timeline_nl, timeline_en
		FROM classification_obligation_rows WHERE algorithm_id = NEW.algorithm_id;
END;

CREATE TRIGGER classification_obligations_update AFTER UPDATE OF assessment ON classifications
	WHEN OLD.assessment IS NOT NEW.assessment BEGIN
	DELETE FROM classification_obligations WHERE algorithm_id = OLD.algorithm_id;
	INSERT INTO classification_obligations (algorithm_id, seq, org_id, applies_from, article, title_nl, title_en,
						timeline_nl, timeline_en)
		SELECT algorithm_id, seq, org_id, applies_from, article, title_nl, title_en, timeline_nl, timeline_en
		FROM classification_obligation_rows WHERE algorithm_id = NEW.algorithm_id;
END;
