-- SPDX-License-Identifier: MIT
-- 0001_core: site settings, the table every page reads first.
-- Values are text; the code that reads a key owns its type.
CREATE TABLE settings (
    key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    value       text NOT NULL CHECK (length(value) <= 65536),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO settings (key, value) VALUES
    ('title', 'inkwell'),
    ('description', 'A fast, self-hosted blog'),
    ('posts_per_page', '10');
