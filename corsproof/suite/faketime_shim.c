/* What stock Firefox needs to start under libfaketime on Debian 12 (built by fast_clock.py).

libfaketime 0.9.10 asks the dynamic linker, as it sets itself up, for __time, __ftime and
timer_settime/timer_gettime of version GLIBC_2.2, which glibc 2.36 on x86_64 does not export.
Stock Firefox ESR hangs as it starts under libfaketime (libfaketime issues #130, #373); loaded
after libfaketime, this library answers those lookups, so none fails, and Firefox starts and runs
(measured). Why a failed lookup hangs it, as far as we can tell: the dynamic linker allocates the
lookup's error message, and in Firefox the set-up runs inside its allocator's first call, under
the allocator's lock.

The answers read the real clock from the kernel (calling glibc's time() would reach libfaketime's
again). No program calls them: nothing linked on this system asks for a GLIBC_2.2 timer, and
__time and __ftime are libfaketime's names for the real functions.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <sys/timeb.h>
#include <time.h>
#include <unistd.h>

static int real_now(struct timespec *now) {
    return (int) syscall(SYS_clock_gettime, CLOCK_REALTIME, now);
}

time_t __time(time_t *out) {
    struct timespec now;
    if (real_now(&now) != 0) return (time_t) -1;
    if (out) *out = now.tv_sec;
    return now.tv_sec;
}

int __ftime(struct timeb *out) {
    struct timespec now;
    if (real_now(&now) != 0) return -1;
    out->time = now.tv_sec;
    out->millitm = (unsigned short) (now.tv_nsec / 1000000);
    out->timezone = 0;
    out->dstflag = 0;
    return 0;
}

int corsproof_timer_settime(void *timer, int flags, const void *value, void *old) {
    (void) timer; (void) flags; (void) value; (void) old;
    errno = ENOSYS;
    return -1;
}

int corsproof_timer_gettime(void *timer, void *value) {
    (void) timer; (void) value;
    errno = ENOSYS;
    return -1;
}

__asm__(".symver corsproof_timer_settime, timer_settime@GLIBC_2.2");
__asm__(".symver corsproof_timer_gettime, timer_gettime@GLIBC_2.2");
