-- SPDX-License-Identifier: MIT
-- 0014_reading_time: how many words a post has, for its reading time.
--
-- words counts the runs of non-space characters of body_md: every run
-- is replaced by one character, and the count is what that adds over
-- the text with the runs removed.  Markdown's marks (#, ```, |) count
-- as words when they stand alone; a reading time is an estimate, and
-- counting the source keeps the column a pure function of one column,
-- kept by PostgreSQL itself (a STORED generated column) on every write,
-- import and psql UPDATE alike.  The view turns it into minutes.
ALTER TABLE posts
    ADD COLUMN words int NOT NULL GENERATED ALWAYS AS (
        length(regexp_replace(body_md, '\S+', 'x', 'g'))
        - length(regexp_replace(body_md, '\S+', '', 'g'))) STORED;
