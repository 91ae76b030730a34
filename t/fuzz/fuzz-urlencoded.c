/* SPDX-License-Identifier: MIT */
/*
 * fuzz-urlencoded.c: libFuzzer target for the urlencoded parser and the
 * key table that consumes its output.
 *
 * Beyond "no crash", it checks the output's shape, counts the pairs with
 * an independent scan, and re-encodes every pair to see that parsing the
 * encoding gives the same pairs back.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "http/input.h"
#include "lib/util.h"
#include "fuzz/fuzz.h"

static struct arena *a;

/* Non-empty '&'-separated segments, counted the slow, obvious way. */
static size_t
count_segments(const char *s, size_t n)
{
	size_t	 i, count = 0;
	bool	 inseg = false;

	for (i = 0; i < n; i++) {
		if (s[i] == '&')
			inseg = false;
		else if (!inseg) {
			inseg = true;
			count++;
		}
	}
	return count;
}

static void
check_shape(enum input_err rc, const struct kv *kv, size_t n,
    size_t maxpairs, const char *s, size_t size)
{
	size_t	 i, total = 0;

	CHECK(rc < INPUT_ERR__MAX);
	if (rc != INPUT_OK) {
		CHECK(kv == NULL && n == 0);
		/* The pairs are counted before anything is decoded. */
		CHECK((rc == INPUT_TOOMANY) ==
		    (count_segments(s, size) > maxpairs));
		return;
	}
	CHECK(n == count_segments(s, size));
	CHECK(n <= maxpairs);
	CHECK((n == 0) == (kv == NULL));
	for (i = 0; i < n; i++) {
		CHECK(kv[i].key != NULL && kv[i].val != NULL);
		CHECK(kv[i].keylen >= 1 && kv[i].keylen <= INPUT_MAX_KEY);
		CHECK(kv[i].key[kv[i].keylen] == '\0');
		CHECK(kv[i].val[kv[i].vallen] == '\0');
		total += kv[i].keylen + kv[i].vallen;
	}
	/* Decoding never lengthens, and separators are not copied. */
	CHECK(total <= size);
}

/* Appends s[0..n) with every byte percent-encoded except [A-Za-z0-9]. */
static size_t
encode(char *dst, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	 i, j = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			dst[j++] = (char)c;
		else {
			dst[j++] = '%';
			dst[j++] = hex[c >> 4];
			dst[j++] = hex[c & 0xf];
		}
	}
	return j;
}

static void
check_roundtrip(const struct kv *kv, size_t n)
{
	struct kv	*kv2;
	size_t		 i, len = 0, n2;
	char		*buf;

	for (i = 0; i < n; i++)
		len += 3 * (kv[i].keylen + kv[i].vallen) + 2;
	buf = arena_alloc(a, len + 1);
	len = 0;
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf[len++] = '&';
		len += encode(buf + len, kv[i].key, kv[i].keylen);
		buf[len++] = '=';
		len += encode(buf + len, kv[i].val, kv[i].vallen);
	}
	CHECK(input_parse_urlencoded(a, buf, len, n, &kv2, &n2) ==
	    INPUT_OK);
	CHECK(n2 == n);
	for (i = 0; i < n; i++) {
		CHECK(kv2[i].keylen == kv[i].keylen);
		CHECK(memcmp(kv2[i].key, kv[i].key, kv[i].keylen) == 0);
		CHECK(kv2[i].vallen == kv[i].vallen);
		CHECK(memcmp(kv2[i].val, kv[i].val, kv[i].vallen) == 0);
	}
}

static void
check_validate(const struct kv *kv, size_t n)
{
	struct input_value	*in[KEY__MAX];
	const struct kv		*f;
	size_t			 k;

	input_validate(a, kv, n, NULL, 0, in);
	for (k = 0; k < KEY__MAX; k++) {
		f = input_find(kv, n, input_keys[k].name);
		if (in[k] == NULL)
			continue;
		/* A value only ever comes from the first occurrence. */
		CHECK(f != NULL && f->vallen == in[k]->n);
		CHECK(memcmp(f->val, in[k]->s, in[k]->n) == 0);
		CHECK(in[k]->s[in[k]->n] == '\0');
		CHECK(in[k]->n <= input_keys[k].max_len);
		CHECK(memchr(in[k]->s, '\0', in[k]->n) == NULL);
	}
	if (in[KEY_PAGE] != NULL)
		CHECK(in[KEY_PAGE]->i >= 1 && in[KEY_PAGE]->i <= 100000);
	if (in[KEY_Q] != NULL)
		CHECK(util_utf8_valid(in[KEY_Q]->s, in[KEY_Q]->n));
}

/*
 * The admin post form's table over the pairs: a value only for a field
 * ok or empty, within its cap, no NUL, valid UTF-8; a field sent twice
 * or bad is invalid and named in the map.
 */
static void
check_form(const struct kv *kv, size_t n)
{
	const struct input_form *f = &input_post_form;
	struct input_got got[PK__MAX];
	struct input_fails m;
	size_t		 bad, sent;

	memset(&m, 0, sizeof(m));
	bad = input_form_pairs(a, f, kv, n, got, &m);
	CHECK(m.n == bad && m.n <= f->nfields);
	for (size_t i = 0; i < f->nfields; i++) {
		const char *v = input_str(&got[i]);

		sent = 0;
		for (size_t j = 0; j < n; j++)
			sent += strcmp(kv[j].key, f->fields[i].name) == 0;
		CHECK((sent == 0) == (got[i].state == IS_ABSENT));
		if (sent > 1)
			CHECK(got[i].state == IS_INVALID);
		CHECK((got[i].state == IS_INVALID) ==
		    (input_failed(&m, f->fields[i].name) != NULL));
		if (v != NULL)
			CHECK(strlen(v) == got[i].n &&
			    util_utf8_valid(v, got[i].n));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	struct kv	*kv;
	size_t		 n, small;
	enum input_err	 rc;

	if (a == NULL)
		a = arena_new(65536);

	rc = input_parse_urlencoded(a, s, size, INPUT_MAX_PAIRS, &kv, &n);
	check_shape(rc, kv, n, INPUT_MAX_PAIRS, s, size);
	if (rc == INPUT_OK) {
		check_roundtrip(kv, n);
		check_validate(kv, n);
		check_form(kv, n);
	}

	/* A small limit reaches INPUT_TOOMANY with short inputs. */
	small = size % 5;
	rc = input_parse_urlencoded(a, s, size, small, &kv, &n);
	check_shape(rc, kv, n, small, s, size);

	arena_reset(a);
	return 0;
}
