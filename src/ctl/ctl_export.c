/* SPDX-License-Identifier: MIT */
/*
 * ctl_export.c: "inkwellctl export", every post to DIR/<slug>.md in the
 * form "inkwellctl import DIR" reads back to the same rows.
 *
 * DIR is created when missing.  A file that already holds exactly what
 * would be written is left alone; one that holds anything else is not
 * overwritten unless --force is given (it is reported and the exit
 * status is 1), so an export never destroys edits made in the folder.
 * Files are written to a temporary name and renamed into place, so a
 * reader never sees half a file.  Other files in DIR are not touched.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "content/frontmatter.h"
#include "lib/log.h"

enum outcome { WROTE, SAME, REFUSED, FAILED };

/* True when path holds exactly b's bytes. */
static bool
same_content(const char *path, const struct buf *b)
{
	char	 chunk[65536];
	size_t	 off = 0;
	ssize_t	 r;
	int	 fd;
	bool	 same = true;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	while (same && (r = read(fd, chunk, sizeof(chunk))) > 0) {
		if ((size_t)r > b->n - off ||
		    memcmp(chunk, b->p + off, (size_t)r) != 0)
			same = false;
		else
			off += (size_t)r;
	}
	if (r < 0)
		same = false;
	close(fd);
	return same && off == b->n;
}

static enum outcome
write_file(struct arena *a, const char *dir, const char *slug,
    const struct buf *b, bool force)
{
	const char	*path = arena_printf(a, "%s/%s.md", dir, slug);
	char		*tmp = arena_printf(a, "%s/.%s.md.XXXXXX", dir, slug);
	enum outcome	 o = FAILED;
	mode_t		 mask;
	size_t		 off = 0;
	ssize_t		 r;
	int		 fd = -1;

	if (access(path, F_OK) == 0) {
		if (same_content(path, b))
			return SAME;
		if (!force) {
			fprintf(stderr, "inkwellctl: export: %s exists with "
			    "other content; not overwritten (--force "
			    "overwrites)\n", path);
			return REFUSED;
		}
	}
	if ((fd = mkstemp(tmp)) < 0)
		goto fail;
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0)
		goto fail;
	while (off < b->n && (r = write(fd, b->p + off, b->n - off)) > 0)
		off += (size_t)r;
	if (off < b->n || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return WROTE;
fail:
	fprintf(stderr, "inkwellctl: export: %s: %s\n", path,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return o;
}

/* Slugs are checked by the schema; checked again before naming a file. */
static bool
safe_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return false;
	return true;
}

static int
export(struct db *db, const char *dir, bool force)
{
	struct arena	*a = arena_new(1 << 20), *work = arena_new(1 << 20);
	struct post_out	*posts;
	struct fm_tag	*tags;
	struct fm	 fm;
	struct buf	 b;
	size_t		 n;
	int		 count[FAILED + 1] = { 0 };
	int		 rc = 1;
	enum status	 st;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "inkwellctl: export: %s: %s\n", dir,
		    strerror(errno));
		goto out;
	}
	if ((st = db_post_dump(db, a, &posts, &n)) != ST_OK) {
		fprintf(stderr, "inkwellctl: export: %s\n",
		    st == ST_UNAVAILABLE ? "the database is unavailable" :
		    "database error (see the log line above)");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct post_in *p = &posts[i].in;
		enum outcome o;

		arena_reset(work);
		if (!safe_name(p->slug)) {
			fprintf(stderr, "inkwellctl: export: post %zu: slug "
			    "is not a file name\n", i);
			count[FAILED]++;
			continue;
		}
		memset(&fm, 0, sizeof(fm));
		fm.val[FM_TITLE] = p->title;
		fm.val[FM_SLUG] = p->slug;
		fm.val[FM_DATE] = p->published_at;
		fm.val[FM_UPDATED] = p->updated_at;
		fm.val[FM_STATUS] = p->status;
		fm.val[FM_AUTHOR] = p->author;
		fm.val[FM_AUTHOR_NAME] = posts[i].author_name;
		fm.val[FM_SUMMARY] = p->summary;
		tags = arena_array(work, p->ntags + 1, sizeof(*tags));
		for (size_t k = 0; k < p->ntags; k++) {
			tags[k].slug = p->tag_slugs[k];
			tags[k].name = p->tag_names[k];
		}
		fm.has_tags = true;
		fm.tags = tags;
		fm.ntags = p->ntags;
		fm.body = p->body_md;
		fm.body_len = strlen(p->body_md);
		buf_init(&b, work, fm.body_len + 1024);
		fm_write(&b, &fm);
		o = write_file(work, dir, p->slug, &b, force);
		count[o]++;
		if (o == WROTE)
			printf("%s/%s.md: written\n", dir, p->slug);
	}
	printf("%d written, %d unchanged, %d not overwritten, %d failed\n",
	    count[WROTE], count[SAME], count[REFUSED], count[FAILED]);
	rc = count[REFUSED] + count[FAILED] > 0 ? 1 : 0;
out:
	arena_free(work);
	arena_free(a);
	return rc;
}

int
ctl_export(const struct conf *c, int argc, char **argv)
{
	struct db	*db;
	bool		 force = argc == 3 && strcmp(argv[1], "--force") == 0;
	int		 rc;

	if (argc != (force ? 3 : 2) || argv[argc - 1][0] == '-') {
		fprintf(stderr, "usage: inkwellctl export [--force] DIR\n");
		return 2;
	}
	log_set_role("inkwellctl");
	db = db_open(c);
	rc = export(db, argv[argc - 1], force);
	db_close(db);
	return rc;
}
