-- SPDX-License-Identifier: MIT
-- 0015_search_passages: what a search's snippets are made from.
--
-- A snippet used to be ts_headline() over a post's whole text (title,
-- summary and Markdown body): PostgreSQL parses and stems every word of
-- it, about a microsecond and a half a word, so ten 600-word posts took
-- 7 of the 10 ms a search cost.  Now each post's text is kept here cut
-- into passages of 64 words, each with its lexemes (stripped of
-- positions: only which words are there).  A search picks, for each
-- post it shows, the two passages with most of the words looked for,
-- and the worker makes the snippet from them (src/content/snippet.c).
--
-- The cut: runs of 64 words (runs of non-space characters, with the
-- space between them as it was), one after the other, by one regular
-- expression, cheap enough for a whole import (1,000 posts of 600 words
-- in about a second).  Cutting at sentences read better but cost three
-- times as much, and the worker picks the best 30 words of a passage
-- anyway.  A post of 600 words has about 10 passages; the table is
-- about as large as the posts' text again.
--
-- Kept by triggers on posts, for every writer (admin, API, import,
-- revisions, psql) alike, one statement at a time: the new rows'
-- passages are made in one INSERT whatever the number of rows.

CREATE FUNCTION post_passages_split(doc text)
    RETURNS TABLE (n int, body text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (m.n - 1)::int, m.t[1]
    FROM regexp_matches(doc, '(\S+(?:\s+\S+){0,63})', 'g')
        WITH ORDINALITY m (t, n)
$$;

CREATE TABLE post_passages (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    n       int NOT NULL,
    body    text NOT NULL,
    lexemes tsvector NOT NULL,
    PRIMARY KEY (post_id, n)
);

CREATE FUNCTION post_passages_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO post_passages (post_id, n, body, lexemes)
    SELECT p.id, s.n, s.body, strip(to_tsvector('english', s.body))
    FROM new_rows p,
        LATERAL post_passages_split(p.title || ' ' || p.summary || ' ' ||
            p.body_md) s;
    RETURN NULL;
END
$$;

CREATE FUNCTION post_passages_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM post_passages x USING old_rows o, new_rows p
    WHERE x.post_id = o.id AND p.id = o.id
      AND (o.title, o.summary, o.body_md)
          IS DISTINCT FROM (p.title, p.summary, p.body_md);
    INSERT INTO post_passages (post_id, n, body, lexemes)
    SELECT p.id, s.n, s.body, strip(to_tsvector('english', s.body))
    FROM old_rows o JOIN new_rows p ON p.id = o.id,
        LATERAL post_passages_split(p.title || ' ' || p.summary || ' ' ||
            p.body_md) s
    WHERE (o.title, o.summary, o.body_md)
          IS DISTINCT FROM (p.title, p.summary, p.body_md);
    RETURN NULL;
END
$$;

CREATE TRIGGER post_passages_insert AFTER INSERT ON posts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION post_passages_insert();
CREATE TRIGGER post_passages_update AFTER UPDATE ON posts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION post_passages_update();

INSERT INTO post_passages (post_id, n, body, lexemes)
SELECT p.id, s.n, s.body, strip(to_tsvector('english', s.body))
FROM posts p,
    LATERAL post_passages_split(p.title || ' ' || p.summary || ' ' ||
        p.body_md) s;

-- The search's first step finds the oldest of the newest SEARCH_WINDOW
-- live posts: with kind in the predicate this is an index-only walk,
-- where posts_live_idx has to visit each row for its kind (on a small
-- blog the planner sorted the whole table instead: 1 ms of a search).
CREATE INDEX posts_live_post_idx ON posts (published_at DESC, id DESC)
    WHERE status <> 'draft' AND kind = 'post';
