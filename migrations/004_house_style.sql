-- 004: an organisation's house style: its own design tokens (CSS custom
-- properties only) that its public pages load after the default theme, so that
-- what it leaves unset falls back. svc_theme.c validates the uploaded file and
-- stores only the stylesheet it rebuilt from the parsed declarations.

-- The version the organisation's pages link (NULL: none). It lives on the
-- organisation's row because it changes what its public pages say: a change
-- of house style is a change of the organisation.
ALTER TABLE orgs ADD COLUMN theme_hash TEXT;  -- BLAKE2b-256 of org_themes.css, hex: URL version and ETag

CREATE TABLE org_themes (
	org_id     INTEGER PRIMARY KEY REFERENCES orgs(id),
	css        TEXT NOT NULL,   -- the stylesheet served: the declarations rebuilt, in one rule
	tokens     INTEGER NOT NULL,
	updated_at TEXT NOT NULL,
	updated_by TEXT NOT NULL
);
