/* SPDX-License-Identifier: MIT */
/* handlers.h: every handler the route table names, one file per family. */
#ifndef INKWELL_HANDLERS_H
#define INKWELL_HANDLERS_H

#include "lib/status.h"

struct json_object;
struct req;

/* h_health.c: operations endpoints.  Never cached. */
enum status	 h_healthz(struct req *);
enum status	 h_livez(struct req *);
enum status	 h_readyz(struct req *);	/* 503 when the DB is not ready */
enum status	 h_version(struct req *);
/* Prometheus text, summed over every worker; nginx lets only loopback
 * reach it. */
enum status	 h_metrics(struct req *);

/* h_blog.c: reader pages.  404 for unknown post, tag, author, or a
 * page past the last; 503 when PostgreSQL is down. */
enum status	 h_home(struct req *);
enum status	 h_post(struct req *);
/* A live standalone page at /pages/SLUG; 404 for a draft or a post. */
enum status	 h_page(struct req *);
enum status	 h_tag(struct req *);
enum status	 h_author(struct req *);
enum status	 h_archive(struct req *);
enum status	 h_archive_month(struct req *);
enum status	 h_search(struct req *);

/* h_feed.c: feeds and crawler files. */
enum status	 h_feed_atom(struct req *);
enum status	 h_feed_rss(struct req *);
enum status	 h_feed_json(struct req *);
enum status	 h_sitemap(struct req *);
enum status	 h_robots(struct req *);

/* h_api.c: read JSON API.  400 for an invalid filter or page. */
enum status	 h_api_posts(struct req *);
enum status	 h_api_post(struct req *);
enum status	 h_api_tags(struct req *);
enum status	 h_api_authors(struct req *);
/* Live pages, one live page (404 for a draft), and the menu. */
enum status	 h_api_pages(struct req *);
enum status	 h_api_page(struct req *);
enum status	 h_api_menu(struct req *);

/* h_login.c: signing in and out. */
enum status	 h_login(struct req *);
enum status	 h_login_post(struct req *);
enum status	 h_logout(struct req *);

/* h_admin.c: the admin pages (RF_USER).  403 for what the user's role
 * may not do, 422 for a refused form. */
enum status	 h_admin_home(struct req *);
enum status	 h_admin_posts(struct req *);
enum status	 h_admin_post_new(struct req *);
enum status	 h_admin_pages(struct req *);
enum status	 h_admin_page_new(struct req *);
enum status	 h_admin_page_create(struct req *);
enum status	 h_admin_post_edit(struct req *);
enum status	 h_admin_post_create(struct req *);
enum status	 h_admin_post_update(struct req *);
enum status	 h_admin_post_delete(struct req *);
enum status	 h_admin_preview(struct req *);
enum status	 h_admin_tags(struct req *);
enum status	 h_admin_tag_add(struct req *);
enum status	 h_admin_tag_update(struct req *);
enum status	 h_admin_tag_delete(struct req *);
enum status	 h_admin_settings(struct req *);
enum status	 h_admin_settings_save(struct req *);
enum status	 h_admin_media(struct req *);
enum status	 h_admin_media_delete(struct req *);
enum status	 h_admin_media_alt(struct req *);

/* h_revision.c: a post's revisions (RF_USER; the post's author or an
 * admin, else 403; 404 for a revision that is not the post's).  The
 * admin page and restore (303 to the editor); autosave: 200 JSON, 422
 * for text too long; the API: 200 JSON. */
enum status	 h_admin_revisions(struct req *);
enum status	 h_admin_revision_restore(struct req *);
enum status	 h_admin_post_autosave(struct req *);
enum status	 h_api_revisions(struct req *);
enum status	 h_api_revision(struct req *);
enum status	 h_api_revision_restore(struct req *);

/* h_write.c: the write JSON API (RF_USER).  201/200 with the object as
 * stored, 204 for a delete; refusals as JSON naming the field.  The post
 * handlers serve /api/v1/pages too, for pages (the route says which). */
enum status	 h_api_post_create(struct req *);
enum status	 h_api_post_update(struct req *);
enum status	 h_api_post_delete(struct req *);
enum status	 h_api_tag_create(struct req *);
enum status	 h_api_tag_update(struct req *);
enum status	 h_api_tag_delete(struct req *);

/* h_menu.c: the navigation menu (admins only: 403 otherwise).  400 with
 * the item and the reason for a label or link content/menu.h refuses;
 * nothing is saved then. */
enum status	 h_api_menu_put(struct req *);
enum status	 h_admin_menu(struct req *);
enum status	 h_admin_menu_save(struct req *);
/* h_redirect.c: the admin's redirects (admins only; 403 otherwise). */
enum status	 h_admin_redirects(struct req *);
enum status	 h_admin_redirect_add(struct req *);
enum status	 h_admin_redirect_delete(struct req *);
enum status	 h_api_redirects(struct req *);
enum status	 h_api_redirect_create(struct req *);
enum status	 h_api_redirect_delete(struct req *);

/* h_comment.c: comments.  comment_view adds a post's approved comments
 * and the comment form to its page's view. */
enum status	 comment_view(struct req *, struct json_object *view,
		    const char *slug);
/* comment_view with the comments already read (list, which it takes). */
enum status	 comment_view_of(struct req *, struct json_object *view,
		    const char *slug, struct json_object *list);
enum status	 h_comment_post(struct req *);
enum status	 h_admin_comments(struct req *);
enum status	 h_admin_comment_moderate(struct req *);
/*
 * h_media.c: media files.  The API ones are RF_USER.  PUT: 201 (new) or
 * 200 (the same bytes again); 422 for a bad name, an empty body or an
 * extension that is not the content's type; 415 for content that is no
 * PNG, JPEG, GIF, WebP or AVIF; 409 when the name holds other bytes.
 * DELETE: 204; 403 unless the uploader or an admin; 404.  GET /media/:
 * public, immutable, 404 for an unknown name.
 */
enum status	 h_api_media_put(struct req *);
enum status	 h_api_media_delete(struct req *);
enum status	 h_api_media_list(struct req *);
/* PATCH: {"alt": TEXT} sets the alt text; 200 with the file. */
enum status	 h_api_media_patch(struct req *);
struct json_object;
struct media_out;
/* A picture's variants as a JSON array (for the API and the admin). */
struct json_object *media_variants_json(struct req *,
		    const struct media_out *);
enum status	 h_media(struct req *);

/* h_api_user.c: RF_USER, so r->user is set.  Never cached (no-store). */
enum status	 h_api_me(struct req *);	/* {"user": {username, ...}} */

#endif
