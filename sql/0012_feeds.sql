-- SPDX-License-Identifier: MIT
-- 0012_feeds: what every feed carries of a post.
--
-- feed_content is 'full' (the whole post, as the feeds always carried)
-- or 'summary' (the post's summary only, for a site that wants readers
-- to come to the page).  The admin form checks the value; the CHECK
-- keeps an import or psql from storing one the feeds cannot honour.
-- The settings trigger (0003) moves the content version, so every
-- cached feed is made again after a change.

INSERT INTO settings (key, value) VALUES ('feed_content', 'full')
ON CONFLICT (key) DO NOTHING;

ALTER TABLE settings ADD CONSTRAINT settings_feed_content_check
    CHECK (key <> 'feed_content' OR value IN ('full', 'summary'));
