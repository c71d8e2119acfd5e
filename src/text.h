/* Bounded copy of a C string, for the lookup path (snprintf "%s" costs
 * about a thousand instructions for the same work). */
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

#endif
