/*
 * The pthread subset QuickJS's Atomics compile against (CONFIG_ATOMICS, which quickjs.c turns on
 * for every target but Emscripten). A guest has one thread: a mutex is never contended, so locking
 * is a no-op, and nothing can ever signal a condition. QuickJS only waits on one in Atomics.wait,
 * which it refuses to run unless the embedder allowed blocking (JS_SetCanBlock); the guest never
 * does, so a wait is unreachable, and aborts if that ever changes rather than hang the guest.
 */
#ifndef HYPERSHARP_QUICKJS_PTHREAD_H
#define HYPERSHARP_QUICKJS_PTHREAD_H

#include <time.h>

#include <hypersharp/guest.h>

typedef struct { int unused; } pthread_mutex_t;
typedef struct { int unused; } pthread_cond_t;
typedef struct { int unused; } pthread_condattr_t;

#define PTHREAD_MUTEX_INITIALIZER {0}

static inline int pthread_mutex_lock(pthread_mutex_t *mutex) { (void)mutex; return 0; }
static inline int pthread_mutex_unlock(pthread_mutex_t *mutex) { (void)mutex; return 0; }
static inline int pthread_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr) { (void)cond; (void)attr; return 0; }
static inline int pthread_cond_destroy(pthread_cond_t *cond) { (void)cond; return 0; }
static inline int pthread_cond_signal(pthread_cond_t *cond) { (void)cond; return 0; }

static inline int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
    (void)cond, (void)mutex;
    hs_abort(HS_ABORT_ASSERTION, "Atomics.wait would block the guest's only thread");
}

static inline int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex, const struct timespec *deadline)
{
    (void)deadline;
    return pthread_cond_wait(cond, mutex);
}

#endif
