/* SPDX-License-Identifier: MIT */
/*
 * items.h: a post, a comment and a media file as plain structs: as they
 * come in (from a form, the API, an importer) and, for a post, as a
 * whole (export, the WXR reader).  They live here, below the database
 * layer, so the readers of WXR and Markdown files need not include
 * db/db.h to fill one.
 */
#ifndef INKWELL_ITEMS_H
#define INKWELL_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A post as a whole, for import and export (db_post_write.c).  Strings
 * are UTF-8; a NULL summary or body_md means "".  A published post
 * without published_at is published as of its first save.  Timestamps
 * are ISO 8601
 * (YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|+HH:MM|-HH:MM]); one without a zone
 * is UTC.  tag_names may be NULL, and so may any of its entries: the tag
 * then keeps the name it has, or gets its slug as name when it is new.
 */
struct post_in {
	const char *slug, *title, *summary, *body_md;
	const char *status;		/* draft | published | scheduled */
	const char *published_at;	/* ISO 8601, or NULL */
	const char *updated_at;		/* ISO 8601, or NULL for now() */
	const char *author;		/* username; the user must exist */
	const char *kind;		/* post | page; NULL is post */
	const char *const *tag_slugs;
	const char *const *tag_names;
	size_t ntags;
	bool known_tags;		/* tags must exist; none is made */
	/* The feature picture (0013): a media name, or NULL for none;
	 * changed only when set_feature (a field absent keeps it). */
	const char *feature_image;
	bool set_feature;
};

/* A comment as sent, for db_comment_add() (db.h). */
struct comment_in {
	const char *slug, *name, *email, *url, *body;
	const char *status;		/* pending | approved */
	const char *remote_addr;	/* or NULL */
};

/* A smaller copy of a picture, as inkwell-image made it. */
struct media_variant_in {
	const char	*name;		/* STEM.HASH8.wWIDTH.EXT */
	const char	*content_type;
	unsigned	 width, height;
	const void	*data;
	size_t		 n;
};

/* A media file as uploaded, for db_media_put() (db.h). */
struct media_in {
	const char	*name;		/* media_name_problem() passed */
	const char	*content_type;	/* from media_sniff() */
	const void	*data;		/* the clean picture */
	size_t		 n;		/* at most INT_MAX */
	const char	*sha256;	/* of data, hex */
	int64_t		 uploader;	/* users.id */
	unsigned	 width, height;	/* 0: unknown */
	const char	*alt;		/* NULL: "" */
	const struct media_variant_in *variants;
	size_t		 nvariants;
};

/* A post as stored, with its author's display name (db_post_dump.c). */
struct post_out {
	struct post_in	 in;		/* timestamps in UTC, "...Z" */
	const char	*author_name;
};

#endif
