-- SPDX-License-Identifier: MIT
-- 0003_content_version: one number that changes whenever anything a reader
-- can see changes, however the change is made (inkwell, inkwellctl, or an
-- operator's psql).  The page cache in Redis keys its entries by this
-- version, so a write invalidates every cached page at once, and a worker
-- that finds Redis's copy of the number behind PostgreSQL's puts it right.
-- Sessions and API tokens are not content and do not bump it.

CREATE TABLE content_version (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version    bigint NOT NULL DEFAULT 1,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO content_version DEFAULT VALUES;

-- Statement level: one bump per statement however many rows it touched.
-- The UPDATE takes the row lock, so concurrent writers queue here until
-- the first commits; every committed write gets a version of its own.
CREATE FUNCTION content_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_version SET version = version + 1, changed_at = now();
    RETURN NULL;
END
$$;

CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON post_tags
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON media
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();
