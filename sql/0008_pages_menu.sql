-- SPDX-License-Identifier: MIT
-- 0008_pages_menu: standalone pages and the navigation menu.
--
-- A page (About, Contact, Colophon) is a post of kind 'page': the same
-- Markdown, drafts, scheduling and author as a post, so the editor, the
-- write path and the export serve both.  It is shown at /pages/SLUG, never in the listings, feeds, search or the
-- posts API: every reader query of a post says kind = 'post'.  Slugs
-- stay unique across both kinds, so one slug names one thing whichever
-- editor it was typed in.
--
-- The menu is one setting, 'menu': a JSON array of {"label", "url"}.
-- Every page already reads the settings, so the menu costs no query; a
-- change bumps the content version through the settings trigger, and
-- the export carries it with the other settings.  The application
-- checks each item (content/menu.c); the CHECK below only keeps it an
-- array, and a reader skips an item that does not pass.

ALTER TABLE posts ADD COLUMN kind text NOT NULL DEFAULT 'post'
    CHECK (kind IN ('post', 'page'));
CREATE INDEX posts_pages_idx ON posts (slug) WHERE kind = 'page';

ALTER TABLE settings ADD CONSTRAINT settings_menu_array
    CHECK (CASE WHEN key = 'menu' THEN json_typeof(value::json) = 'array'
           ELSE true END);

INSERT INTO settings (key, value) VALUES
    ('menu', '[{"label":"Home","url":"/"},{"label":"Archive","url":"/archive"},{"label":"Feed","url":"/feed.atom"}]')
ON CONFLICT (key) DO NOTHING;
