/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded copy; ASCII case folding (RFC 4343; strcasecmp follows the locale). */
#ifndef SRVSIP_TEXT_H
#define SRVSIP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Copies src into dst[size] (size > 0), cut at size - 1 octets as
 * snprintf(dst, size, "%s", src) would; true when all of src fitted. */
static inline bool text_copy(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
	return src[len] == '\0';
}

static inline char ascii_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch + ('a' - 'A')) : ch;
}

/* The first n octets (both have n) equal, ASCII letters without case. */
static inline bool ascii_equal_nocase(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

#endif
