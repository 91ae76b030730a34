-- SPDX-License-Identifier: MIT
-- 0004_read_indexes: indexes that let two of the reader's queries
-- (src/db/db_blog.c) stop after a page or a row, however many posts there
-- are, instead of sorting an author's posts or reading every live post.

-- An author's page: the author's live posts newest first, read in index
-- order and stopped at the LIMIT.  posts_author_idx stays: it has drafts
-- too, for the foreign key.
CREATE INDEX posts_author_live_idx
    ON posts (author_id, published_at DESC, id DESC)
    WHERE status <> 'draft';

-- Last-Modified of the feeds: the newest change among live posts is the
-- first entry here that is live (scheduled posts, which are not yet,
-- sort before it; there are few of them).
CREATE INDEX posts_changed_idx
    ON posts ((greatest(updated_at, published_at)) DESC)
    WHERE status <> 'draft';
