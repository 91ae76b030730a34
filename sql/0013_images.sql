-- SPDX-License-Identifier: MIT
-- 0013_images: what inkwell knows of an uploaded picture, the sizes it
-- serves of it, and the picture a post leads with.
--
-- An upload is decoded and written again (without its metadata) before
-- it is stored, so media.bytes holds the clean full-size picture and
-- width and height say how big it is (NULL for media stored before this
-- migration, until they are processed again).  alt is the text that
-- stands for the picture where it is used without one of its own.
--
-- media_variants holds the smaller copies made from it: each width in
-- the picture's own format and in the modern ones, named so that a
-- name never stands for two different contents (it carries part of
-- the picture's hash), which lets them be served as immutable.  They
-- go with their picture (ON DELETE CASCADE) and are never exported:
-- they are made again from media.bytes.
--
-- posts.feature_media is the picture a post leads with, shown on the
-- post, in listings and as its og:image.  Deleting the picture takes
-- it off the post, never the post with it.

ALTER TABLE media
    ADD COLUMN width  int CHECK (width BETWEEN 1 AND 100000),
    ADD COLUMN height int CHECK (height BETWEEN 1 AND 100000),
    ADD COLUMN alt    text NOT NULL DEFAULT ''
                      CHECK (length(alt) <= 1000);

CREATE TABLE media_variants (
    media_id      bigint NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    name          text NOT NULL UNIQUE
                  CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,239}$'),
    content_type  text NOT NULL,
    width         int NOT NULL CHECK (width BETWEEN 1 AND 100000),
    height        int NOT NULL CHECK (height BETWEEN 1 AND 100000),
    bytes         bytea NOT NULL,
    PRIMARY KEY (media_id, content_type, width)
);

CREATE TRIGGER content_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON media_variants
    FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump();

ALTER TABLE posts
    ADD COLUMN feature_media bigint REFERENCES media (id) ON DELETE SET NULL;
CREATE INDEX posts_feature_media_idx ON posts (feature_media)
    WHERE feature_media IS NOT NULL;
