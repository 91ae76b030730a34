-- SPDX-License-Identifier: MIT
-- 0017_words_on_change: posts.words is counted again only when the body
-- changed.
--
-- As a generated column (0014) it was counted on every UPDATE that
-- names body_md, and the writers name every column of the post: an
-- edit of a summary counted a 600-word body again, two regular
-- expressions over it, about 0.3 ms of PostgreSQL's time.  A trigger
-- now counts the same way, on an INSERT and on an UPDATE whose body_md
-- differs; a value written to words itself is counted over, so the
-- column still says what the body holds, whoever writes.

ALTER TABLE posts ALTER COLUMN words DROP EXPRESSION;

CREATE FUNCTION posts_words() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.body_md IS DISTINCT FROM OLD.body_md
       OR NEW.words IS DISTINCT FROM OLD.words THEN
        NEW.words := length(regexp_replace(NEW.body_md, '\S+', 'x', 'g'))
            - length(regexp_replace(NEW.body_md, '\S+', '', 'g'));
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER posts_words BEFORE INSERT OR UPDATE OF body_md, words
    ON posts FOR EACH ROW EXECUTE FUNCTION posts_words();
