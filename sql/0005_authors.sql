-- SPDX-License-Identifier: MIT
-- 0005_authors: what signing in and writing need besides the tables of
-- 0002.  None of it is content: no trigger bumps the content version.

-- Fixed-window counters for everything that must be rate-limited across
-- every worker and every host: sign-in failures per account and per
-- address, comments per address.  A bucket is "<what>:<who>"; a row
-- whose window has passed counts as empty and is reset on its next hit.
CREATE TABLE throttle (
    bucket        text PRIMARY KEY CHECK (length(bucket) <= 300),
    hits          integer NOT NULL CHECK (hits >= 0),
    window_start  timestamptz NOT NULL
);
CREATE INDEX throttle_window_idx ON throttle (window_start);

-- Keys the site signs with (comment form tokens), made once by the first
-- worker that needs one, the same on every host that shares the
-- database.
CREATE TABLE site_keys (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,63}$'),
    key         bytea NOT NULL CHECK (length(key) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The author's own list in the admin pages, newest change first.
CREATE INDEX posts_updated_idx ON posts (updated_at DESC, id DESC);
-- Sessions of one user, for signing them all out.
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Readers see approved comments only: a comment held for moderation, or
-- marked as spam, changes no page, so it must not empty the page cache
-- (else anyone could keep every page uncached by posting comments).
DROP TRIGGER content_version_bump ON comments;
CREATE TRIGGER content_version_bump_insert
    AFTER INSERT ON comments FOR EACH ROW
    WHEN (NEW.status = 'approved')
    EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump_update
    AFTER UPDATE ON comments FOR EACH ROW
    WHEN (OLD.status = 'approved' OR NEW.status = 'approved')
    EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump_delete
    AFTER DELETE ON comments FOR EACH ROW
    WHEN (OLD.status = 'approved')
    EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump_truncate
    AFTER TRUNCATE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();

-- Comments are held for moderation unless an admin says otherwise
-- (held, open or closed).
INSERT INTO settings (key, value) VALUES ('comments', 'held')
ON CONFLICT (key) DO NOTHING;
