-- SPDX-License-Identifier: MIT
-- 0009_revisions: the history of every post's text.  Each save (admin
-- form, write API), each restore and the editor's autosaves keep the
-- title, summary and Markdown body as they were, with who and when.
-- Readers never see revisions, so this table does not bump the content
-- version: an autosave leaves every cached page as it is.  The writer
-- keeps at most the setting revisions_keep of a post (1 to 1000), and of
-- its autosaves only each user's newest since their last save.
CREATE TABLE post_revisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id     bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    kind        text NOT NULL CHECK (kind IN ('save', 'autosave', 'restore')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    title       text NOT NULL CHECK (length(title) <= 1000),
    summary     text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
    body_md     text NOT NULL DEFAULT '' CHECK (length(body_md) <= 1048576)
);
CREATE INDEX post_revisions_post ON post_revisions (post_id, id);

INSERT INTO settings (key, value) VALUES ('revisions_keep', '50')
    ON CONFLICT (key) DO NOTHING;
