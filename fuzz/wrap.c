/*
 * wrap.c - fails the N-th allocation or I/O call (see wrap.h). The
 * linker sends each wrapped call here (--wrap=SYM: SYM is __wrap_SYM,
 * and __real_SYM the real one).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wrap.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_reallocarray(void *p, size_t n, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **out, const char *fmt, va_list ap);
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap);
int __wrap_asprintf(char **out, const char *fmt, ...);
ssize_t __wrap_read(int fd, void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);

static unsigned long alloc_left, io_left;   /* 0: nothing to fail */
static bool injected;

void
pog_wrap_arm(unsigned long alloc_n, unsigned long io_n)
{
	alloc_left = alloc_n;
	io_left = io_n;
	injected = false;
}

void
pog_wrap_disarm(void)
{
	alloc_left = io_left = 0;
}

bool
pog_wrap_failed(void)
{
	return injected;
}

/* true when this call is the one to fail */
static bool
fail_now(unsigned long *left, int err)
{
	if (*left == 0 || --*left != 0)
		return false;
	injected = true;
	errno = err;
	return true;
}

#define ALLOC_FAILS() fail_now(&alloc_left, ENOMEM)
#define IO_FAILS() fail_now(&io_left, EIO)

void *
__wrap_malloc(size_t n)
{
	return ALLOC_FAILS() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return ALLOC_FAILS() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return ALLOC_FAILS() ? NULL : __real_realloc(p, n);
}

void *
__wrap_reallocarray(void *p, size_t n, size_t size)
{
	return ALLOC_FAILS() ? NULL : __real_reallocarray(p, n, size);
}

char *
__wrap_strdup(const char *s)
{
	return ALLOC_FAILS() ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return ALLOC_FAILS() ? NULL : __real_strndup(s, n);
}

int
__wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
	return ALLOC_FAILS() ? -1 : __real_vasprintf(out, fmt, ap);
}

int
__wrap_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (ALLOC_FAILS())
		return -1;
	va_start(ap, fmt);
	rc = __real_vasprintf(out, fmt, ap);
	va_end(ap);
	return rc;
}

ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	return IO_FAILS() ? -1 : __real_read(fd, buf, n);
}

ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
	return IO_FAILS() ? -1 : __real_write(fd, buf, n);
}

int
__wrap_fsync(int fd)
{
	return IO_FAILS() ? -1 : __real_fsync(fd);
}

int
__wrap_rename(const char *from, const char *to)
{
	return IO_FAILS() ? -1 : __real_rename(from, to);
}

#ifdef POG_WRAP_FUZZ
/*
 * The fuzz targets (--wrap=LLVMFuzzerTestOneInput): with POG_FUZZ_FAULTS
 * in the environment, the first two bytes of the input choose the
 * allocation and the I/O call to fail, 0 for none.
 */
int __real_LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __wrap_LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
__wrap_LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int mode = -1;
	int rc;

	if (mode < 0)
		mode = getenv("POG_FUZZ_FAULTS") != NULL;
	if (!mode)
		return __real_LLVMFuzzerTestOneInput(data, size);
	if (size < 2)
		return 0;
	pog_wrap_arm(data[0], data[1]);
	rc = __real_LLVMFuzzerTestOneInput(data + 2, size - 2);
	pog_wrap_disarm();
	return rc;
}
#endif /* POG_WRAP_FUZZ */
