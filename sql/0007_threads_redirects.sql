-- SPDX-License-Identifier: MIT
-- 0007_threads_redirects: what a complete import and a restore need.
--
-- Comments answer comments: parent_id names the comment replied to (on
-- the same post; NULL for a comment on the post itself).  Deleting a
-- comment keeps its replies, as top-level comments.
--
-- redirects holds old addresses and where they live now: a WordPress
-- import records each post's old permalink here, and an export carries
-- them.  from_path is a path (with no scheme, host or query); to_path is
-- a path on this site or an absolute http(s) URL.
--
-- The content version is taken from the clock (microseconds since the
-- epoch) whenever that is ahead of version + 1.  Caches key pages by
-- this number, so it must never go back to one a cache may still hold:
-- a database restored to an earlier point starts again from the clock,
-- above every number handed out before the restore.

ALTER TABLE comments ADD COLUMN parent_id bigint
    REFERENCES comments (id) ON DELETE SET NULL;
CREATE INDEX comments_parent_idx ON comments (parent_id)
    WHERE parent_id IS NOT NULL;

CREATE TABLE redirects (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_path   text NOT NULL UNIQUE
                CHECK (from_path ~ '^/[^?#[:space:]]*$' AND length(from_path) <= 2000),
    to_path     text NOT NULL
                CHECK ((to_path ~ '^/[^[:space:]]*$' OR to_path ~ '^https?://[^[:space:]]+$')
                       AND length(to_path) <= 2000),
    code        smallint NOT NULL DEFAULT 301 CHECK (code IN (301, 302, 307, 308)),
    source      text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'wxr', 'slug')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON redirects
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();

CREATE OR REPLACE FUNCTION content_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_version
       SET version = greatest(version + 1,
                              (extract(epoch FROM clock_timestamp()) * 1000000)::bigint),
           changed_at = now();
    RETURN NULL;
END
$$;

UPDATE content_version
   SET version = greatest(version + 1,
                          (extract(epoch FROM clock_timestamp()) * 1000000)::bigint),
       changed_at = now();
