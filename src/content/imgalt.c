/* SPDX-License-Identifier: MIT */
/*
 * imgalt.c: finds the pictures of rendered HTML that lack a text
 * alternative.
 *
 * It reads the renderer's HTML rather than the Markdown: whether a
 * picture has an alt is then the renderer's own answer (reference
 * images, nested brackets, escapes and code spans are already resolved),
 * and the HTML the renderer writes is regular: raw HTML in a post is
 * escaped, so every "<img" in it is an element the renderer made.  The
 * scan is still written for any input (the fuzz target feeds it junk).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "content/imgalt.h"

static bool
space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Does the tag that starts at s[0] == '<' name an img element? */
static bool
img_tag(const char *s, size_t left)
{
	return left >= 4 && strncasecmp(s + 1, "img", 3) == 0 &&
	    (left == 4 || space(s[4]) || s[4] == '/' || s[4] == '>');
}

/*
 * Reads the attributes of the tag whose name ends at s + i up to and
 * including its '>' (or the end); *has_alt says whether one of them is
 * an alt with a value that is not blank.  Returns the offset after the
 * tag.
 */
static size_t
attributes(const char *s, size_t n, size_t i, bool *has_alt)
{
	*has_alt = false;
	while (i < n && s[i] != '>') {
		size_t	 name, nlen, v = 0, vlen = 0;

		if (space(s[i]) || s[i] == '/') {
			i++;
			continue;
		}
		name = i;
		while (i < n && !space(s[i]) && s[i] != '=' && s[i] != '>' &&
		    s[i] != '/')
			i++;
		nlen = i - name;
		/* A lone '=' or a name that '/' ends: nothing was read. */
		if (nlen == 0)
			i++;
		while (i < n && space(s[i]))
			i++;
		if (i < n && s[i] == '=') {
			i++;
			while (i < n && space(s[i]))
				i++;
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				const char	*end = memchr(s + i + 1, s[i],
				    n - i - 1);

				v = i + 1;
				vlen = (end != NULL ? (size_t)(end - s) : n) - v;
				i = v + vlen + (end != NULL);
			} else {
				v = i;
				while (i < n && !space(s[i]) && s[i] != '>')
					i++;
				vlen = i - v;
			}
		}
		if (nlen == 3 && strncasecmp(s + name, "alt", 3) == 0)
			for (size_t k = 0; k < vlen; k++)
				if (!space(s[v + k]))
					*has_alt = true;
	}
	return i < n ? i + 1 : n;
}

size_t
imgalt_missing(const char *html, size_t n)
{
	size_t	 i = 0, count = 0;
	bool	 alt;

	if (html == NULL)
		return 0;
	while (i < n) {
		const char	*lt = memchr(html + i, '<', n - i);

		if (lt == NULL)
			break;
		i = (size_t)(lt - html);
		/* A comment may hold anything, "<img" too. */
		if (n - i >= 4 && memcmp(lt, "<!--", 4) == 0) {
			const char	*end = NULL;

			for (size_t k = i + 4; k + 3 <= n && end == NULL; k++)
				if (memcmp(html + k, "-->", 3) == 0)
					end = html + k;
			i = end != NULL ? (size_t)(end - html) + 3 : n;
			continue;
		}
		if (img_tag(lt, n - i)) {
			i = attributes(html, n, i + 4, &alt);
			if (!alt)
				count++;
		} else if (n - i >= 2 && isalpha((unsigned char)lt[1])) {
			/* Another element: its attribute values are not
			 * markup, whatever they hold. */
			i++;
			while (i < n && !space(html[i]) && html[i] != '>' &&
			    html[i] != '/')
				i++;
			i = attributes(html, n, i, &alt);
		} else
			i++;
	}
	return count;
}
