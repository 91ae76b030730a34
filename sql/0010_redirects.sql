-- SPDX-License-Identifier: MIT
-- 0010_redirects: redirects are served, match a prefix as well as a
-- whole path, and follow a post whose slug changes.
--
-- match: 'exact' (the whole path) or 'prefix' (the path starts with
-- from_path; what follows is appended to to_path).  A column rather than
-- a pattern syntax in from_path ("/old/*"): a path may hold any of the
-- characters a syntax would need, and the lookup stays two plain
-- comparisons.  The worker picks the exact match first, else the
-- longest prefix (src/db/db_redirect.c).
--
-- Only an admin types a full URL: redirects inkwell makes itself (a
-- WordPress import, a slug change) lead to a path on this site, never to
-- "//host" which browsers read as another site.  NOT VALID: rows from
-- before are not checked again, new ones are.
--
-- public_path(kind, slug) is the one place that says where content of a
-- kind lives; the slug trigger below asks it, with the row's kind when
-- posts has one and 'post' otherwise.

ALTER TABLE redirects ADD COLUMN match text NOT NULL DEFAULT 'exact'
    CHECK (match IN ('exact', 'prefix'));

ALTER TABLE redirects ADD CONSTRAINT redirects_site_path_unless_manual
    CHECK (source = 'manual' OR (to_path ~ '^/' AND to_path !~ '^/[/\\]'))
    NOT VALID;

CREATE FUNCTION public_path(kind text, slug text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind WHEN 'page' THEN '/pages/' || slug
                     ELSE '/posts/' || slug END
$$;

-- Would a redirect from p_from to p_to (p_match) send a reader round in
-- a circle?  Follows p_to through the redirects there are, as the
-- worker would (exact first, then the longest prefix), with the new one
-- among them; coming back to the new one, or 50 steps, is a loop.  A
-- full URL leaves the site: no loop.
CREATE FUNCTION redirect_loops(p_from text, p_to text, p_match text)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
    cur   text := p_to;
    r     record;
BEGIN
    FOR i IN 1 .. 50 LOOP
        IF cur !~ '^/' THEN
            RETURN false;
        END IF;
        cur := split_part(cur, '?', 1);
        SELECT x.from_path, x.to_path, x.match, x.mine INTO r FROM (
            SELECT from_path, to_path, match, false AS mine FROM redirects
             WHERE from_path <> p_from
            UNION ALL
            SELECT p_from, p_to, p_match, true) x
         WHERE (x.match = 'exact' AND x.from_path = cur)
            OR (x.match = 'prefix' AND left(cur, length(x.from_path)) = x.from_path)
         ORDER BY x.match = 'exact' DESC, length(x.from_path) DESC
         LIMIT 1;
        IF NOT FOUND THEN
            RETURN false;
        END IF;
        IF r.mine THEN
            RETURN true;
        END IF;
        cur := r.to_path || CASE WHEN r.match = 'prefix'
                                 THEN substr(cur, length(r.from_path) + 1)
                                 ELSE '' END;
    END LOOP;
    RETURN true;
END
$$;

-- A post that readers may have seen changes its slug: its old address
-- redirects to the new one, redirects that led to the old address now
-- lead straight to the new one (no chains), and a redirect from the new
-- address goes (the content is there now).  In the transaction of the
-- slug change; the statement trigger on redirects moves the content
-- version.
CREATE FUNCTION redirect_slug_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind      text := coalesce(to_jsonb(NEW) ->> 'kind', 'post');
    old_path  text := public_path(coalesce(to_jsonb(OLD) ->> 'kind', 'post'),
                                  OLD.slug);
    new_path  text := public_path(kind, NEW.slug);
BEGIN
    DELETE FROM redirects WHERE from_path = new_path;
    UPDATE redirects SET to_path = new_path
     WHERE to_path = old_path;
    INSERT INTO redirects (from_path, to_path, code, source, match)
    VALUES (old_path, new_path, 301, 'slug', 'exact')
    ON CONFLICT (from_path) DO UPDATE
       SET to_path = EXCLUDED.to_path, code = 301, source = 'slug',
           match = 'exact';
    RETURN NULL;
END
$$;

CREATE TRIGGER redirect_slug_change
    AFTER UPDATE OF slug ON posts
    FOR EACH ROW
    WHEN (OLD.slug IS DISTINCT FROM NEW.slug AND OLD.status <> 'draft')
    EXECUTE FUNCTION redirect_slug_change();
