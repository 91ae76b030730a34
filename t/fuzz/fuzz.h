/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h: what the libFuzzer targets share: the entry point's prototype
 * and CHECK, which aborts (a finding for libFuzzer) with the invariant
 * that failed, in every build (unlike assert).
 */
#ifndef INKWELL_FUZZ_H
#define INKWELL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
