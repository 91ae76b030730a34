-- SPDX-License-Identifier: MIT
-- 0002_blog: everything a blog stores.  PostgreSQL is the one source of
-- truth; every limit the application enforces is also a CHECK here, so no
-- path around the application can store what it would refuse.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL UNIQUE
                  CHECK (username ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    email         text UNIQUE CHECK (length(email) <= 254),
    bio           text NOT NULL DEFAULT '' CHECK (length(bio) <= 5000),
    role          text NOT NULL DEFAULT 'author' CHECK (role IN ('admin', 'author')),
    password_hash text,             -- Argon2id string; NULL: cannot sign in
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A post is live when it is not a draft and its time has come: a
-- scheduled post goes live by itself, with no cron, because every read
-- compares published_at with now().
CREATE TABLE posts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id     bigint NOT NULL REFERENCES users (id),
    slug          text NOT NULL UNIQUE
                  CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 200),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
    summary       text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
    body_md       text NOT NULL DEFAULT '' CHECK (length(body_md) <= 1048576),
    body_html     text NOT NULL DEFAULT '',   -- md4c output, raw HTML disabled
    status        text NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'published', 'scheduled')),
    published_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (
                      setweight(to_tsvector('english', title), 'A') ||
                      setweight(to_tsvector('english', summary), 'B') ||
                      setweight(to_tsvector('english', body_md), 'C')) STORED,
    CHECK (status = 'draft' OR published_at IS NOT NULL)
);
CREATE INDEX posts_search_idx ON posts USING gin (search);
CREATE INDEX posts_live_idx ON posts (published_at DESC, id DESC)
    WHERE status <> 'draft';
CREATE INDEX posts_author_idx ON posts (author_id, published_at DESC);

CREATE TABLE tags (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug  text NOT NULL UNIQUE
          CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
    name  text NOT NULL CHECK (length(name) BETWEEN 1 AND 100)
);

CREATE TABLE post_tags (
    post_id  bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id   bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag_idx ON post_tags (tag_id, post_id);

CREATE TABLE comments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id       bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_name   text NOT NULL CHECK (length(author_name) BETWEEN 1 AND 100),
    author_email  text NOT NULL DEFAULT '' CHECK (length(author_email) <= 254),
    author_url    text NOT NULL DEFAULT ''
                  CHECK (author_url = '' OR author_url ~ '^https?://'),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'approved', 'spam')),
    remote_addr   inet,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_post_idx ON comments (post_id, created_at) WHERE status = 'approved';
CREATE INDEX comments_pending_idx ON comments (created_at) WHERE status = 'pending';

CREATE TABLE media (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE
                  CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$'),
    content_type  text NOT NULL,
    bytes         bytea NOT NULL,
    sha256        bytea NOT NULL,
    uploaded_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Sessions and API tokens are stored as hashes of the secret the client
-- holds: a leaked table grants nothing.
CREATE TABLE sessions (
    token_hash    bytea PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

INSERT INTO settings (key, value) VALUES
    ('language', 'en'),
    ('feed_items', '20')
ON CONFLICT (key) DO NOTHING;
