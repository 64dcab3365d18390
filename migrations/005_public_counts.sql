-- 005: what the public register's pages would otherwise count on every request.
--
-- public_counts holds the number of published entries per value of each facet of
-- the public search ('total' with value '' is the whole register; 'org' is keyed
-- by the organisation's id). Triggers keep it exact in the transaction that
-- publishes or retracts; a value whose count reaches zero is removed, as a
-- GROUP BY would not list it.
--
-- public_state.generation changes with everything the public pages show, so a
-- response cache (src/rcache.c) can tell, with one read, that its copy is stale.
CREATE TABLE public_counts (
	facet TEXT NOT NULL,
	value TEXT NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (facet, value)
) WITHOUT ROWID;

-- Counting under a filter reads this narrow index instead of the rows (which
-- carry the short description): a fraction of the pages.
CREATE INDEX public_algorithms_facets ON public_algorithms(status, publication_category, org_id, category);

CREATE TABLE public_state (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	generation INTEGER NOT NULL
);
INSERT INTO public_state (id, generation) VALUES (1, 1);

-- The facet values of one public row, as the search's facets read them.
CREATE VIEW public_facet_values AS
	SELECT a.id, 'total' AS facet, '' AS value FROM public_algorithms a
	UNION ALL SELECT a.id, 'org', CAST(a.org_id AS TEXT) FROM public_algorithms a
	UNION ALL SELECT a.id, 'org_type', o.type FROM public_algorithms a JOIN orgs o ON o.id = a.org_id
	UNION ALL SELECT a.id, 'status', a.status FROM public_algorithms a WHERE a.status IS NOT NULL
	UNION ALL SELECT a.id, 'publication_category', a.publication_category FROM public_algorithms a
		WHERE a.publication_category IS NOT NULL
	UNION ALL SELECT a.id, 'category', j.value FROM public_algorithms a, json_each(a.category) j
		WHERE j.value IS NOT NULL;

INSERT INTO public_counts (facet, value, n)
	SELECT facet, value, count(*) FROM public_facet_values GROUP BY facet, value;

CREATE TRIGGER public_counts_insert AFTER INSERT ON public_algorithms BEGIN
	INSERT INTO public_counts (facet, value, n)
		SELECT facet, value, 1 FROM public_facet_values WHERE id = NEW.id
		ON CONFLICT (facet, value) DO UPDATE SET n = n + 1;
	UPDATE public_state SET generation = generation + 1;
END;

CREATE TRIGGER public_counts_delete AFTER DELETE ON public_algorithms BEGIN
	UPDATE public_counts SET n = n - 1 WHERE (facet, value) IN (
		SELECT 'total', '' UNION ALL SELECT 'org', CAST(OLD.org_id AS TEXT)
		UNION ALL SELECT 'org_type', type FROM orgs WHERE id = OLD.org_id
		UNION ALL SELECT 'status', OLD.status UNION ALL SELECT 'publication_category', OLD.publication_category);
	-- a category listed twice counts twice, as in the insert
	UPDATE public_counts SET n = n - (SELECT count(*) FROM json_each(OLD.category) j WHERE j.value = public_counts.value)
		WHERE facet = 'category' AND value IN (SELECT value FROM json_each(OLD.category));
	DELETE FROM public_counts WHERE n <= 0;
	UPDATE public_state SET generation = generation + 1;
END;

-- The register writes public rows by delete and insert; an update is refused so
-- that the counts cannot drift.
CREATE TRIGGER public_algorithms_no_update BEFORE UPDATE ON public_algorithms BEGIN
	SELECT RAISE(ABORT, 'public_algorithms rows are replaced, not updated');
END;

-- An organisation that changes its type moves its entries to the other value.
CREATE TRIGGER public_counts_org_type AFTER UPDATE OF type ON orgs WHEN OLD.type <> NEW.type BEGIN
	INSERT INTO public_counts (facet, value, n)
		SELECT 'org_type', NEW.type, n FROM public_counts WHERE facet = 'org' AND value = CAST(NEW.id AS TEXT)
		ON CONFLICT (facet, value) DO UPDATE SET n = n + excluded.n;
	UPDATE public_counts SET n = n - coalesce((SELECT n FROM public_counts WHERE facet = 'org' AND value = CAST(NEW.id AS TEXT)), 0)
		WHERE facet = 'org_type' AND value = OLD.type;
	DELETE FROM public_counts WHERE n <= 0;
END;

CREATE TRIGGER public_state_orgs_insert AFTER INSERT ON orgs BEGIN
	UPDATE public_state SET generation = generation + 1;
END;
CREATE TRIGGER public_state_orgs_update AFTER UPDATE ON orgs BEGIN
	UPDATE public_state SET generation = generation + 1;
END;
CREATE TRIGGER public_state_orgs_delete AFTER DELETE ON orgs BEGIN
	UPDATE public_state SET generation = generation + 1;
END;
CREATE TRIGGER public_state_publications_insert AFTER INSERT ON publications BEGIN
	UPDATE public_state SET generation = generation + 1;
END;
CREATE TRIGGER public_state_publications_update AFTER UPDATE ON publications BEGIN
	UPDATE public_state SET generation = generation + 1;
END;
CREATE TRIGGER public_state_classification AFTER UPDATE OF public_assessment, public_conclusion
	ON classifications BEGIN
	UPDATE public_state SET generation = generation + 1;
END;
