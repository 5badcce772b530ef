/* Optional POSIX adapter of the crosvm protocol: one message with its fds per
 * AF_UNIX SOCK_SEQPACKET datagram (SCM_RIGHTS), and whole-message pipe I/O
 * for the final revision's vCPU channel. The only crosvm code doing I/O.
 *
 * Safe to embed (SECURITY.md, "The socket adapter"): no call raises SIGPIPE
 * or changes the process's signal disposition, every fd the kernel hands
 * over is either returned to the caller or closed before returning, and the
 * statuses are exactly those crosvm.h lists. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "vmwire/crosvm.h"

/* Room for every kind of control message a well-behaved peer can cause on
 * the receiving side: the fds (at most VW_CROSVM_MAX_FDS taken) and, when the
 * receiver has set SO_PASSCRED, the kernel's SCM_CREDENTIALS message, which
 * Linux puts before the fds. Without the second part a socket with
 * SO_PASSCRED would see 25-32 fds cut (MSG_CTRUNC) and refused. */
#ifdef SCM_CREDENTIALS
#define CTL_CREDS CMSG_SPACE(sizeof(struct ucred))
#else
#define CTL_CREDS 0
#endif
#define CTL_SPACE (CTL_CREDS + CMSG_SPACE(sizeof(int) * VW_CROSVM_MAX_FDS))

/* ---- writing without SIGPIPE ---------------------------------------------
 *
 * A write to a pipe (or, without MSG_NOSIGNAL, a socket) whose reader has
 * gone raises SIGPIPE, which by default ends the process. The portable way to
 * avoid that without touching the process's disposition of SIGPIPE: block it
 * in the calling thread only (pthread_sigmask), note whether one was already
 * pending, write, and if the write failed with EPIPE and none was pending
 * before, take the one the write raised off the pending set with a zero-
 * timeout sigtimedwait(); then restore the thread's mask. The kernel sends
 * the write's SIGPIPE to the writing thread, so no other thread sees it. A
 * SIGPIPE that was pending before the call stays pending. */
struct nosigpipe {
    sigset_t old;
    int was_pending; /* a SIGPIPE was pending before, leave it alone */
    int blocked;     /* pthread_sigmask succeeded */
};

static void nosigpipe_begin(struct nosigpipe *g)
{
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    g->was_pending = 0;
    g->blocked = pthread_sigmask(SIG_BLOCK, &set, &g->old) == 0;
    if (g->blocked && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1)
        g->was_pending = 1;
}

static void nosigpipe_end(struct nosigpipe *g, int got_epipe)
{
    int saved = errno;
    if (!g->blocked)
        return;
    if (got_epipe && !g->was_pending) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
    errno = saved;
}

/* ---- main channel: one datagram, its fds ---------------------------------- */

vw_status vw_crosvm_io_send(int sock, const uint8_t *msg, size_t len, const int *fds, size_t nfds)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * VW_CROSVM_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    if (sock < 0 || (!msg && len) || (!fds && nfds) || nfds > VW_CROSVM_MAX_FDS)
        return VW_E_INVALID_ARG;
    /* A zero-length datagram reads as a closed connection (CV-MAIN-21); an
     * empty message is sent as such all the same, as crosvm does. */
    struct iovec iov = { (void *)(uintptr_t)msg, len };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    memset(&ctl, 0, sizeof ctl);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (nfds) {
        mh.msg_control = ctl.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    ssize_t n;
#ifdef MSG_NOSIGNAL
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
#else
    struct nosigpipe g;
    nosigpipe_begin(&g);
    do
        n = sendmsg(sock, &mh, 0);
    while (n < 0 && errno == EINTR);
    nosigpipe_end(&g, n < 0 && errno == EPIPE);
#endif
    if (n >= 0) {
        if ((size_t)n == len)
            return VW_OK;
        errno = EMSGSIZE; /* a datagram socket sends all or nothing */
        return VW_E_IO;
    }
    return errno == EPIPE || errno == ECONNRESET ? VW_E_CLOSED : VW_E_IO;
}

static void close_all(const int *fd, size_t n)
{
    int saved = errno;
    for (size_t i = 0; i < n; i++)
        close(fd[i]);
    errno = saved;
}

vw_status vw_crosvm_io_recv(int sock, uint8_t *buf, size_t cap, size_t *len, int *fds,
                            size_t max_fds, size_t *nfds)
{
    union {
        char buf[CTL_SPACE];
        struct cmsghdr align;
    } ctl;
    if (len)
        *len = 0;
    if (nfds)
        *nfds = 0;
    if (sock < 0 || (!buf && cap) || !len || !nfds || (!fds && max_fds))
        return VW_E_INVALID_ARG;
    struct iovec iov = { buf, cap };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof ctl.buf;
    int flags = 0;
#ifdef MSG_CMSG_CLOEXEC
    flags |= MSG_CMSG_CLOEXEC;
#endif
    ssize_t n;
    do
        n = recvmsg(sock, &mh, flags);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == ECONNRESET ? VW_E_CLOSED : VW_E_IO;
    /* Collect every fd first, so that none leaks whatever happens next. The
     * kernel writes the control data; the bounds are checked all the same. */
    int got[VW_CROSVM_MAX_FDS];
    size_t ngot = 0;
    int overflow = (mh.msg_flags & MSG_CTRUNC) != 0;
    const char *end = ctl.buf + mh.msg_controllen;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len < CMSG_LEN(0))
            continue;
        const unsigned char *data = CMSG_DATA(c);
        size_t bytes = c->cmsg_len - CMSG_LEN(0);
        if ((size_t)(end - (const char *)data) < bytes)
            bytes = (size_t)(end - (const char *)data);
        for (size_t i = 0; i < bytes / sizeof(int); i++) {
            int fd;
            memcpy(&fd, data + i * sizeof(int), sizeof fd);
            if (ngot < VW_CROSVM_MAX_FDS) {
                got[ngot++] = fd;
            } else {
                close_all(&fd, 1);
                overflow = 1;
            }
        }
    }
#ifndef MSG_CMSG_CLOEXEC
    for (size_t i = 0; i < ngot; i++)
        (void)fcntl(got[i], F_SETFD, FD_CLOEXEC);
#endif
    vw_status st = VW_OK;
    if (mh.msg_flags & MSG_TRUNC)
        st = VW_E_TOO_LONG; /* longer than cap, even when cap is 0 (CV-MAIN-2) */
    else if (n == 0 && ngot == 0 && !overflow)
        st = VW_E_CLOSED; /* CV-MAIN-21 */
    else if (overflow || ngot > max_fds)
        st = VW_E_BAD_FDS; /* CV-FD-3, CV-FD-6 */
    if (st != VW_OK) {
        close_all(got, ngot);
        return st;
    }
    if (ngot)
        memcpy(fds, got, ngot * sizeof(int));
    *nfds = ngot;
    *len = (size_t)n;
    return VW_OK;
}

/* ---- final revision's vCPU pipes ------------------------------------------ */

vw_status vw_crosvm_io_pipe_write(int fd, const uint8_t *msg, size_t len)
{
    if (fd < 0 || (!msg && len))
        return VW_E_INVALID_ARG;
    vw_status st = VW_OK;
    int epipe = 0;
    struct nosigpipe g;
    nosigpipe_begin(&g);
    while (len) {
        ssize_t n = write(fd, msg, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            epipe = errno == EPIPE;
            st = epipe ? VW_E_CLOSED : VW_E_IO;
            break;
        }
        msg += n;
        len -= (size_t)n;
    }
    nosigpipe_end(&g, epipe);
    return st;
}

vw_status vw_crosvm_io_pipe_read(int fd, uint8_t *buf, size_t cap, size_t *len)
{
    if (len)
        *len = 0;
    if (fd < 0 || !buf || !len || !cap)
        return VW_E_INVALID_ARG;
    ssize_t n;
    do
        n = read(fd, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return VW_E_IO;
    if (n == 0)
        return VW_E_CLOSED;
    *len = (size_t)n;
    return VW_OK;
}
