/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer targets: a cursor over the fuzz input, the
 * oracle check, and the planted-bug switch of `run --selftest`.
 */
#ifndef VSOCKMON_FUZZ_H
#define VSOCKMON_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * VSOCKMON_FUZZ_PLANT=1 makes each target's oracle wrong in one small
 * place, so that `run --selftest` can show a run reporting "not ok".
 */
static bool planted;

static inline void fuzz_init_plant(void)
{
	const char *s = getenv("VSOCKMON_FUZZ_PLANT");

	planted = s && *s && *s != '0';
}

/*
 * A failed oracle aborts: libFuzzer saves the input as crash-* and the
 * run reports not ok, exactly as for a sanitizer report.
 */
#define oracle(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "ORACLE MISMATCH %s:%d: %s: ",	\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

struct fin {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fin_u8(struct fin *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* k bytes little-endian (k <= 8); missing bytes read as zero. */
static inline uint64_t fin_le(struct fin *in, unsigned int k)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < k; i++)
		v |= (uint64_t)fin_u8(in) << (8 * i);
	return v;
}

/* Reference little-endian load, byte by byte (print.c uses memcpy). */
static inline uint64_t ref_le(const uint8_t *p, unsigned int k)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < k; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#endif
