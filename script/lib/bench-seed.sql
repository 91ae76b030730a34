-- SPDX-License-Identifier: MIT
-- script/lib/bench-seed.sql: the benchmarks' posts (script/bench,
-- script/bench-hosts). Run with psql -v n=N as a superuser on a migrated
-- database: it replaces every post, tag and user with N generated posts,
-- in one INSERT statement (data-modifying CTEs), then VACUUM ANALYZE.
--
-- Everything derives from hashint8() of the row numbers, so a given N
-- gives the same posts on every run. One author; 20 tags (the topics),
-- one to three per post; a title naming the topic (so a search for a
-- topic word finds about 1 post in 20: the search word is not in the body
-- vocabulary); a summary of two sentences; a body of 7 to 9 paragraphs
-- (3 to 5 KB) drawn from a pool of 240 generated paragraphs, and
-- body_html as md_render makes it for plain paragraphs; published,
-- spread over the past three years.

SET client_min_messages = warning;
-- The stack runs with synchronous_commit off; the seed commits
-- for real so VACUUM below can mark its pages all-visible (else
-- index-only scans go back to the table, and autovacuum redoes
-- the work under the measurement).
SET synchronous_commit = on;
-- One transaction from the TRUNCATE to the last row: autovacuum cannot
-- look at posts in between.  Seeding a table a committed TRUNCATE had
-- emptied, it once counted the INSERT's pages with none of its rows
-- visible yet (reltuples 0), and the foreign key checks of
-- post_passages planned on that walked a whole index per passage: a
-- 100,000-post seed ran for over twenty minutes instead of five.
BEGIN;
TRUNCATE post_tags, comments, post_revisions, post_passages, posts, tags,
    sessions, api_tokens, media_variants, media, users RESTART IDENTITY;
INSERT INTO settings (key, value) VALUES ('posts_per_page', '10')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value,
    updated_at = now();

WITH
vocab AS (
    SELECT ARRAY[
        'the', 'a', 'of', 'and', 'to', 'in', 'is', 'that', 'it',
        'for', 'with', 'as', 'on', 'this', 'by', 'from', 'we', 'an',
        'server', 'request', 'page', 'query', 'index', 'table', 'row',
        'process', 'worker', 'memory', 'buffer', 'socket', 'file',
        'latency', 'throughput', 'header', 'response', 'client',
        'connection', 'timeout', 'error', 'message', 'string', 'value',
        'function', 'pointer', 'allocation', 'arena', 'parser', 'token',
        'output', 'input', 'config', 'setting', 'default', 'option',
        'version', 'release', 'commit', 'branch', 'build', 'compile',
        'binary', 'library', 'module', 'interface', 'design', 'change',
        'problem', 'solution', 'reason', 'question', 'answer', 'idea',
        'simple', 'small', 'fast', 'slow', 'careful', 'obvious', 'clear',
        'quiet', 'steady', 'reliable', 'boring', 'useful', 'strange',
        'measure', 'count', 'read', 'write', 'send', 'receive', 'store',
        'return', 'check', 'keep', 'drop', 'start', 'stop', 'wait',
        'because', 'when', 'while', 'after', 'before', 'every', 'never',
        'often', 'rarely', 'usually', 'almost', 'only', 'still', 'again',
        'morning', 'evening', 'week', 'month', 'year', 'team', 'reader',
        'writer', 'author', 'draft', 'post', 'story', 'note', 'list',
        'number', 'limit', 'budget', 'target', 'graph', 'chart', 'test',
        'case', 'example', 'detail', 'summary', 'chapter', 'section',
        'garden', 'river', 'window', 'kitchen', 'bicycle', 'coffee',
        'mountain', 'harbour', 'library', 'lantern', 'journey', 'weather'
    ] AS w
),
-- 240 paragraphs of 64 to 88 words, sentences of 12 words.
pool AS (
    SELECT array_agg(para ORDER BY p) AS a FROM (
        SELECT p, string_agg(
            CASE WHEN k % 12 = 1 THEN initcap(word) ELSE word END ||
            CASE WHEN k % 12 = 0 OR k = nw THEN '.' ELSE '' END,
            ' ' ORDER BY k) AS para
        FROM generate_series(0, 239) p
        CROSS JOIN LATERAL (SELECT 64 + abs(hashint8(p)) % 25 AS nw) x
        CROSS JOIN LATERAL generate_series(1, x.nw) k
        CROSS JOIN LATERAL (
            SELECT v.w[1 + abs(hashint8(p * 1000 + k)) % cardinality(v.w)]
                AS word FROM vocab v) y
        GROUP BY p
    ) s
),
topics AS (
    SELECT ARRAY[
        'postgresql', 'nginx', 'fastcgi', 'redis', 'caching',
        'markdown', 'templates', 'security', 'testing', 'debugging',
        'profiling', 'packaging', 'deployment', 'backups',
        'replication', 'monitoring', 'logging', 'unicode',
        'networking', 'compilers'
    ] AS slug,
    ARRAY[
        'PostgreSQL', 'nginx', 'FastCGI', 'Redis', 'Caching',
        'Markdown', 'Templates', 'Security', 'Testing', 'Debugging',
        'Profiling', 'Packaging', 'Deployment', 'Backups',
        'Replication', 'Monitoring', 'Logging', 'Unicode',
        'Networking', 'Compilers'
    ] AS name,
    ARRAY[
        'what a year in production taught us',
        'a practical checklist',
        'the parts nobody tells you about',
        'notes from a long weekend',
        'small changes with large effects',
        'mistakes I made so you do not have to',
        'measuring before guessing',
        'a field guide for the impatient',
        'how we cut the latency in half',
        'an honest comparison',
        'ten things to check first',
        'from first principles',
        'the boring way that works',
        'what the documentation leaves out',
        'lessons from an outage',
        'a gentle introduction'
    ] AS phrase
),
u AS (
    INSERT INTO users (username, display_name, email, bio, role)
    VALUES ('bench', 'Bench Writer', 'bench@example.org',
            'Writes the posts the benchmark reads.', 'admin')
    RETURNING id
),
t AS (
    INSERT INTO tags (slug, name)
    SELECT s, nm FROM topics, unnest(topics.slug, topics.name) AS z (s, nm)
    RETURNING id, slug
),
src AS (
    SELECT i,
        topics.slug[ti] || '-' ||
            trim(both '-' FROM regexp_replace(lower(topics.phrase[ph]),
                '[^a-z0-9]+', '-', 'g')) || '-' || i AS slug,
        topics.name[ti] || ': ' || topics.phrase[ph] AS title,
        7 + abs(hashint8(i * 7 + 2)) % 3 AS npara,
        -- the post's topic, one more tag, and a third for 1 post in 3
        ARRAY[topics.slug[ti],
              topics.slug[1 + abs(hashint8(i * 7 + 3)) % 20],
              CASE WHEN i % 3 = 0 THEN
                  topics.slug[1 + abs(hashint8(i * 7 + 4)) % 20] END]
            AS tags,
        now() - interval '1095 days' * ((i - 1)::float8 / :n)
            - interval '1 second' * (60 + abs(hashint8(i * 7 + 5)) % 3600)
            AS at
    FROM generate_series(1, :n) i, topics,
    LATERAL (SELECT 1 + (i - 1) % 20 AS ti,
                    1 + abs(hashint8(i * 7 + 1)) % 16 AS ph) x
),
body AS (
    SELECT src.*,
        ARRAY(SELECT pool.a[1 + abs(hashint8(i * 16 + j)) % 240]
              FROM generate_series(1, npara) j ORDER BY j) AS paras
    FROM src, pool
),
p AS (
    INSERT INTO posts (author_id, slug, title, summary, body_md,
        body_html, status, published_at, created_at, updated_at)
    SELECT u.id, slug, title,
        (regexp_match(paras[1], '^[^.]*\.[^.]*\.'))[1],
        array_to_string(paras, E'\n\n') || E'\n',
        (SELECT string_agg('<p>' || x || E'</p>\n', '' ORDER BY o)
         FROM unnest(paras) WITH ORDINALITY AS q (x, o)),
        'published', at, at, at
    FROM body, u
    RETURNING id, slug
)
INSERT INTO post_tags (post_id, tag_id)
SELECT DISTINCT p.id, t.id
FROM p JOIN src ON src.slug = p.slug JOIN t ON t.slug = ANY (src.tags);
COMMIT;

-- post_passages too (filled by the trigger on posts, 0015): until
-- autovacuum counted them, a minute or so later, searches were planned
-- for 434 passages a post, not 10 (a bitmap scan, not the primary
-- key's index scan), and a bench measures in that first minute.
VACUUM (ANALYZE) users, tags, posts, post_tags, post_passages, settings;
