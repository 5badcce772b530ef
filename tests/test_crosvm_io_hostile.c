/* The crosvm POSIX adapter (src/crosvm/io_unix.c) against a hostile peer.
 *
 * The peer is this test, writing raw datagrams with sendmsg(): random
 * payloads with 0-253 fds (the kernel's SCM_MAX_FD) split over several
 * SCM_RIGHTS control messages, sometimes with explicit credentials, to a
 * receiver with and without SO_PASSCRED and with random buffer capacities
 * and fd limits; empty datagrams; a peer that closes with datagrams in
 * flight; non-blocking sockets and pipes that are full or empty; pipes and
 * sockets without a reader. After every adapter call the process's open fds
 * are counted (/proc/self/fd): an fd the kernel delivered is either handed to
 * the caller or closed. SIGPIPE keeps its default disposition throughout, so
 * a write that raised it would end the test; the thread's signal mask is
 * checked to be restored. alarm() ends a hung run. The random sequence is
 * fixed (seed 23, or $VW_TEST_SEED).
 *
 * Promises checked: SECURITY.md "The socket adapter" (A1-A5); spec rules
 * CV-MAIN-1, CV-MAIN-21, CV-FD-3 (the adapter's part), CV-FD-5, CV-FD-6. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmwire/crosvm.h"

#define SCM_MAX 253 /* Linux's SCM_MAX_FD: most fds one sendmsg() may pass */

/* ---- helpers ------------------------------------------------------------- */

static uint64_t rng = 23;

static uint32_t rnd(uint32_t n) /* uniform enough in [0, n) */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own fd */
}

/* SIGPIPE has its default disposition, is not blocked and is not pending. */
static void assert_sigpipe_untouched(void)
{
    struct sigaction sa;
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_true(sa.sa_handler == SIG_DFL);
    sigset_t cur, pend;
    assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &cur), 0);
    assert_int_equal(sigismember(&cur, SIGPIPE), 0);
    assert_int_equal(sigpending(&pend), 0);
    assert_int_equal(sigismember(&pend, SIGPIPE), 0);
}

static void seqpacket_pair(int sv[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    assert_true(fl >= 0);
    assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

static void set_passcred(int fd)
{
    int one = 1;
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one), 0);
}

/* The hostile sender: one datagram of @p len bytes with @p nfds copies of
 * @p fd split into @p parts SCM_RIGHTS messages, and explicit credentials
 * before part @p cred_at (-1: none). Returns sendmsg()'s result. */
static ssize_t raw_send(int sock, const uint8_t *msg, size_t len, int fd, size_t nfds,
                        size_t parts, int cred_at)
{
    static union {
        char buf[CMSG_SPACE(sizeof(struct ucred)) + SCM_MAX * CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { (void *)(uintptr_t)msg, len };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    memset(&ctl, 0, sizeof ctl);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (parts > nfds)
        parts = nfds;
    size_t space = 0;
    size_t left = nfds;
    char *p = ctl.buf;
    for (size_t i = 0; i <= parts; i++) {
        if ((int)i == cred_at) {
            struct cmsghdr *c = (struct cmsghdr *)(void *)p;
            struct ucred uc = { getpid(), getuid(), getgid() };
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_CREDENTIALS;
            c->cmsg_len = CMSG_LEN(sizeof uc);
            memcpy(CMSG_DATA(c), &uc, sizeof uc);
            p += CMSG_SPACE(sizeof uc);
            space += CMSG_SPACE(sizeof uc);
        }
        if (i == parts)
            break;
        size_t k = i + 1 == parts ? left : 1 + rnd((uint32_t)(left - (parts - i - 1)));
        struct cmsghdr *c = (struct cmsghdr *)(void *)p;
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * k);
        for (size_t j = 0; j < k; j++)
            memcpy(CMSG_DATA(c) + j * sizeof(int), &fd, sizeof fd);
        p += CMSG_SPACE(sizeof(int) * k);
        space += CMSG_SPACE(sizeof(int) * k);
        left -= k;
    }
    if (space) {
        mh.msg_control = ctl.buf;
        mh.msg_controllen = space;
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}

/* Every fd of @p fds is close-on-exec and refers to the same file as @p ref. */
static void assert_fds_are(const int *fds, size_t n, int ref)
{
    struct stat a, b;
    assert_int_equal(fstat(ref, &a), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(fstat(fds[i], &b), 0);
        assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
        int fl = fcntl(fds[i], F_GETFD);
        assert_true(fl >= 0 && (fl & FD_CLOEXEC));
    }
}

static void close_fds(const int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(close(fds[i]), 0);
}

/* ---- random hostile datagrams ------------------------------------------- */

static void random_datagrams(int passcred)
{
    int sv[2];
    seqpacket_pair(sv);
    if (passcred)
        set_passcred(sv[1]);
    int ref = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_true(ref >= 0);
    const int base = count_fds();
    static uint8_t msg[600], buf[600];
    int fds[VW_CROSVM_MAX_FDS];
    unsigned counts[8] = { 0 };
    for (int it = 0; it < 600; it++) {
        size_t len = rnd(4) == 0 ? 0 : rnd(sizeof msg);
        for (size_t i = 0; i < len; i++)
            msg[i] = (uint8_t)rnd(256);
        size_t nfds;
        switch (rnd(4)) {
        case 0: nfds = 0; break;
        case 1: nfds = 1 + rnd(VW_CROSVM_MAX_FDS); break;       /* 1..32 */
        case 2: nfds = VW_CROSVM_MAX_FDS - 8 + rnd(10); break;  /* 24..33 */
        default: nfds = rnd(SCM_MAX + 1); break;                /* 0..253 */
        }
        size_t parts = nfds ? 1 + rnd(nfds < 6 ? (uint32_t)nfds : 6) : 0;
        int cred_at = rnd(3) == 0 ? (int)rnd((uint32_t)parts + 1) : -1;
        size_t cap = rnd(5) == 0 ? rnd(len + 1) : len + rnd(8); /* sometimes too small */
        if (cap > sizeof buf)
            cap = sizeof buf;
        size_t max_fds = rnd(3) == 0 ? rnd(VW_CROSVM_MAX_FDS + 1) : VW_CROSVM_MAX_FDS;
        ssize_t sent = raw_send(sv[0], msg, len, ref, nfds, parts, cred_at);
        assert_int_equal(sent, (ssize_t)len);

        vw_status want;
        if (len > cap)
            want = VW_E_TOO_LONG;
        else if (len == 0 && nfds == 0)
            want = VW_E_CLOSED;
        else if (nfds > VW_CROSVM_MAX_FDS || nfds > max_fds)
            want = VW_E_BAD_FDS;
        else
            want = VW_OK;
        size_t got_len = 99, got_n = 99;
        memset(fds, -1, sizeof fds);
        vw_status st = vw_crosvm_io_recv(sv[1], cap ? buf : NULL, cap, &got_len, fds, max_fds,
                                         &got_n);
        if (st != want)
            fail_msg("iteration %d: len %zu cap %zu fds %zu in %zu parts, cred %d, max %zu, "
                     "passcred %d: status %d, expected %d",
                     it, len, cap, nfds, parts, cred_at, max_fds, passcred, st, want);
        if (st == VW_OK) {
            assert_int_equal(got_len, len);
            assert_memory_equal(buf, msg, len);
            assert_int_equal(got_n, nfds);
            assert_int_equal(count_fds(), base + (int)nfds);
            assert_fds_are(fds, got_n, ref);
            close_fds(fds, got_n);
        } else {
            assert_int_equal(got_len, 0);
            assert_int_equal(got_n, 0);
        }
        assert_int_equal(count_fds(), base);
        counts[st == VW_OK ? 0 : st == VW_E_TOO_LONG ? 1 : st == VW_E_CLOSED ? 2 : 3]++;
    }
    /* each outcome was reached */
    for (int i = 0; i < 4; i++)
        assert_true(counts[i] > 0);
    close(ref);
    close(sv[0]);
    close(sv[1]);
    assert_sigpipe_untouched();
}

static void test_random_datagrams(void **state)
{
    (void)state;
    random_datagrams(0);
}

static void test_random_datagrams_passcred(void **state)
{
    (void)state;
    random_datagrams(1);
}

/* ---- the limits, exactly ------------------------------------------------- */

/* 0..40 fds in one message, with and without SO_PASSCRED (with it, the
 * credentials share the control buffer: 25-32 fds must still arrive). */
static void test_fd_limit(void **state)
{
    (void)state;
    for (int passcred = 0; passcred < 2; passcred++) {
        int sv[2];
        seqpacket_pair(sv);
        if (passcred)
            set_passcred(sv[1]);
        int ref = open("/dev/null", O_RDONLY | O_CLOEXEC);
        const int base = count_fds();
        for (size_t nfds = 0; nfds <= 40; nfds++) {
            uint8_t m = 7, b[4];
            int fds[VW_CROSVM_MAX_FDS];
            int send_fds[40];
            for (size_t i = 0; i < nfds; i++)
                send_fds[i] = ref;
            vw_status st;
            if (nfds <= VW_CROSVM_MAX_FDS) {
                assert_int_equal(vw_crosvm_io_send(sv[0], &m, 1, send_fds, nfds), VW_OK);
            } else {
                assert_int_equal(vw_crosvm_io_send(sv[0], &m, 1, send_fds, nfds),
                                 VW_E_INVALID_ARG);
                assert_int_equal(raw_send(sv[0], &m, 1, ref, nfds, 1, -1), 1);
            }
            size_t len, n;
            st = vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, VW_CROSVM_MAX_FDS, &n);
            if (nfds <= VW_CROSVM_MAX_FDS) {
                if (st != VW_OK)
                    fail_msg("%zu fds, passcred %d: status %d", nfds, passcred, st);
                assert_int_equal(n, nfds);
                assert_fds_are(fds, n, ref);
                close_fds(fds, n);
            } else {
                assert_int_equal(st, VW_E_BAD_FDS);
            }
            assert_int_equal(count_fds(), base);
        }
        close(ref);
        close(sv[0]);
        close(sv[1]);
    }
}

/* Zero-size buffers, empty datagrams, truncation. */
static void test_truncation_and_empty(void **state)
{
    (void)state;
    int sv[2];
    seqpacket_pair(sv);
    int ref = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int base = count_fds();
    uint8_t m[64] = { 1, 2, 3 }, b[64];
    int fds[4], three[3] = { ref, ref, ref };
    size_t len, n;
    /* a non-empty datagram into no buffer is too long, not a hang-up */
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 3, NULL, 0), VW_OK);
    assert_int_equal(vw_crosvm_io_recv(sv[1], NULL, 0, &len, fds, 4, &n), VW_E_TOO_LONG);
    /* with fds too: they are closed */
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 3, three, 3), VW_OK);
    assert_int_equal(vw_crosvm_io_recv(sv[1], NULL, 0, &len, fds, 4, &n), VW_E_TOO_LONG);
    assert_int_equal(count_fds(), base);
    /* one byte short */
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 64, three, 3), VW_OK);
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, 63, &len, fds, 4, &n), VW_E_TOO_LONG);
    assert_int_equal(len, 0);
    assert_int_equal(n, 0);
    assert_int_equal(count_fds(), base);
    /* the rest of a too-long datagram is gone: the next one reads whole */
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 2, NULL, 0), VW_OK);
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 4, &n), VW_OK);
    assert_int_equal(len, 2);
    /* an empty datagram without fds reads as a hang-up (CV-MAIN-21) ... */
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 0, NULL, 0), VW_OK);
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 4, &n), VW_E_CLOSED);
    /* ... with fds it is a message of 0 bytes, also into no buffer */
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 0, three, 2), VW_OK);
    assert_int_equal(vw_crosvm_io_recv(sv[1], NULL, 0, &len, fds, 4, &n), VW_OK);
    assert_int_equal(len, 0);
    assert_int_equal(n, 2);
    close_fds(fds, n);
    /* more fds than the caller takes: all closed */
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 1, three, 3), VW_OK);
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 2, &n), VW_E_BAD_FDS);
    assert_int_equal(count_fds(), base);
    close(ref);
    close(sv[0]);
    close(sv[1]);
}

/* ---- closing peers ------------------------------------------------------ */

static void test_peer_close(void **state)
{
    (void)state;
    int ref = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int base = count_fds();
    uint8_t m[8] = { 9 }, b[8];
    int fds[VW_CROSVM_MAX_FDS], two[2];
    size_t len, n;

    /* the peer sends fds it then closes, and hangs up: the datagram still
     * arrives whole with working fds, then the hang-up */
    int sv[2];
    seqpacket_pair(sv);
    two[0] = dup(ref);
    two[1] = dup(ref);
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 8, two, 2), VW_OK);
    close_fds(two, 2);
    close(sv[0]);
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 2, &n), VW_OK);
    assert_int_equal(n, 2);
    assert_fds_are(fds, 2, ref);
    close_fds(fds, 2);
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 2, &n), VW_E_CLOSED);
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 2, &n), VW_E_CLOSED);
    /* sending to the gone peer: closed, no SIGPIPE */
    assert_int_equal(vw_crosvm_io_send(sv[1], m, 8, NULL, 0), VW_E_CLOSED);
    assert_int_equal(vw_crosvm_io_send(sv[1], m, 8, &ref, 1), VW_E_CLOSED);
    assert_sigpipe_untouched();
    close(sv[1]);
    assert_int_equal(count_fds(), base);

    /* the receiver goes away with datagrams and their fds unread: the
     * kernel drops them; nothing stays open here */
    seqpacket_pair(sv);
    for (int i = 0; i < 5; i++)
        assert_int_equal(raw_send(sv[0], m, 8, ref, 40, 3, -1), 8);
    close(sv[1]);
    assert_int_equal(vw_crosvm_io_send(sv[0], m, 8, &ref, 1), VW_E_CLOSED);
    close(sv[0]);
    assert_int_equal(count_fds(), base);

    /* a pipe writer that stops mid-message: the reader gets the bytes that
     * were written, then end of file */
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(vw_crosvm_io_pipe_write(p[1], m, 3), VW_OK);
    close(p[1]);
    assert_int_equal(vw_crosvm_io_pipe_read(p[0], b, sizeof b, &len), VW_OK);
    assert_int_equal(len, 3);
    assert_int_equal(vw_crosvm_io_pipe_read(p[0], b, sizeof b, &len), VW_E_CLOSED);
    assert_int_equal(len, 0);
    close(p[0]);
    close(ref);
    assert_int_equal(count_fds(), base - 1);
}

/* EPIPE on a pipe: VW_E_CLOSED, the process lives, SIGPIPE's disposition,
 * mask and pending set are as before; one pending before stays pending. */
static void test_epipe(void **state)
{
    (void)state;
    const int base = count_fds();
    uint8_t m[4096];
    memset(m, 0x5a, sizeof m);
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(vw_crosvm_io_pipe_write(p[1], m, sizeof m), VW_E_CLOSED);
        assert_sigpipe_untouched();
    }
    /* a SIGPIPE pending before the call (blocked by the caller) is not eaten */
    sigset_t set, old, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    assert_int_equal(pthread_sigmask(SIG_BLOCK, &set, &old), 0);
    assert_int_equal(raise(SIGPIPE), 0);
    assert_int_equal(vw_crosvm_io_pipe_write(p[1], m, 1), VW_E_CLOSED);
    assert_int_equal(sigpending(&pend), 0);
    assert_int_equal(sigismember(&pend, SIGPIPE), 1);
    sigset_t still;
    assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &still), 0);
    assert_int_equal(sigismember(&still, SIGPIPE), 1); /* the caller's mask is kept */
    struct timespec zero = { 0, 0 };
    assert_int_equal(sigtimedwait(&set, NULL, &zero), SIGPIPE);
    assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
    assert_sigpipe_untouched();
    /* a write end that reaches a socket peer that has gone (not a socket
     * call: pipe_write on a socket fd) */
    int sv[2];
    seqpacket_pair(sv);
    close(sv[1]);
    assert_int_equal(vw_crosvm_io_pipe_write(sv[0], m, 8), VW_E_CLOSED);
    assert_sigpipe_untouched();
    close(sv[0]);
    close(p[1]);
    assert_int_equal(count_fds(), base);
}

/* Non-blocking fds: VW_E_IO with errno EAGAIN, nothing leaked, and the call
 * works again once the fd is ready. */
static void test_nonblocking(void **state)
{
    (void)state;
    int ref = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int base = count_fds();
    uint8_t m[2048] = { 1 }, b[2048];
    int fds[VW_CROSVM_MAX_FDS], four[4] = { ref, ref, ref, ref };
    size_t len, n;
    int sv[2];
    seqpacket_pair(sv);
    set_nonblock(sv[0]);
    set_nonblock(sv[1]);
    errno = 0;
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 4, &n), VW_E_IO);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    assert_int_equal(count_fds(), base + 2);
    /* fill the socket until the kernel refuses */
    int sent = 0;
    vw_status st;
    for (;;) {
        st = vw_crosvm_io_send(sv[0], m, sizeof m, four, 4);
        if (st != VW_OK)
            break;
        sent++;
        assert_true(sent < 100000);
    }
    assert_int_equal(st, VW_E_IO);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    assert_true(sent > 0);
    /* drain: every datagram whole, with its fds */
    for (int i = 0; i < sent; i++) {
        assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 4, &n), VW_OK);
        assert_int_equal(len, sizeof m);
        assert_int_equal(n, 4);
        assert_int_equal(count_fds(), base + 2 + 4);
        close_fds(fds, 4);
        assert_int_equal(count_fds(), base + 2);
    }
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, sizeof b, &len, fds, 4, &n), VW_E_IO);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(sv[0]);
    close(sv[1]);

    /* pipes */
    int p[2];
    assert_int_equal(pipe(p), 0);
    set_nonblock(p[0]);
    set_nonblock(p[1]);
    assert_int_equal(vw_crosvm_io_pipe_read(p[0], b, sizeof b, &len), VW_E_IO);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    for (sent = 0;; sent++) {
        st = vw_crosvm_io_pipe_write(p[1], m, sizeof m);
        if (st != VW_OK)
            break;
        assert_true(sent < 100000);
    }
    assert_int_equal(st, VW_E_IO);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    assert_int_equal(vw_crosvm_io_pipe_read(p[0], b, sizeof b, &len), VW_OK);
    assert_true(len > 0);
    assert_sigpipe_untouched();
    close(p[0]);
    close(p[1]);
    close(ref);
    assert_int_equal(count_fds(), base - 1);
}

/* Caller errors, and the statuses each call lists. */
static void test_invalid_args(void **state)
{
    (void)state;
    const int base = count_fds();
    uint8_t b[4] = { 0 };
    int fds[2];
    size_t len = 5, n = 5;
    assert_int_equal(vw_crosvm_io_recv(-1, b, 4, &len, fds, 2, &n), VW_E_INVALID_ARG);
    assert_int_equal(len, 0);
    assert_int_equal(n, 0);
    assert_int_equal(vw_crosvm_io_recv(0, NULL, 4, &len, fds, 2, &n), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_recv(0, b, 4, NULL, fds, 2, &n), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_recv(0, b, 4, &len, NULL, 2, &n), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_recv(0, b, 4, &len, fds, 2, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_send(-1, b, 4, NULL, 0), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_send(0, NULL, 4, NULL, 0), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_send(0, b, 4, NULL, 1), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_send(0, b, 4, fds, VW_CROSVM_MAX_FDS + 1), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_pipe_write(-1, b, 4), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_pipe_write(0, NULL, 4), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_pipe_read(-1, b, 4, &len), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_pipe_read(0, b, 0, &len), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_io_pipe_read(0, NULL, 4, &len), VW_E_INVALID_ARG);
    /* not a socket: an I/O error, errno kept */
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(vw_crosvm_io_send(p[1], b, 4, NULL, 0), VW_E_IO);
    assert_int_equal(errno, ENOTSOCK);
    assert_int_equal(vw_crosvm_io_recv(p[0], b, 4, &len, fds, 2, &n), VW_E_IO);
    assert_int_equal(errno, ENOTSOCK);
    /* vCPU channels carry no fds (CV-FD-5): the pipe calls take none, and
     * io_send refuses a bad fd without sending anything */
    int sv[2];
    seqpacket_pair(sv);
    int bad = 1000000;
    assert_int_equal(vw_crosvm_io_send(sv[0], b, 4, &bad, 1), VW_E_IO);
    assert_int_equal(errno, EBADF);
    set_nonblock(sv[1]);
    assert_int_equal(vw_crosvm_io_recv(sv[1], b, 4, &len, fds, 2, &n), VW_E_IO);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(sv[0]);
    close(sv[1]);
    close(p[0]);
    close(p[1]);
    assert_int_equal(count_fds(), base);
}

int main(void)
{
    const char *seed = getenv("VW_TEST_SEED");
    if (seed && *seed)
        rng = strtoull(seed, NULL, 0) | 1;
    printf("# seed %llu\n", (unsigned long long)rng);
    signal(SIGPIPE, SIG_DFL); /* a raised SIGPIPE must end the test */
    alarm(60);                /* and so must a hang */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_datagrams),
        cmocka_unit_test(test_random_datagrams_passcred),
        cmocka_unit_test(test_fd_limit),
        cmocka_unit_test(test_truncation_and_empty),
        cmocka_unit_test(test_peer_close),
        cmocka_unit_test(test_epipe),
        cmocka_unit_test(test_nonblocking),
        cmocka_unit_test(test_invalid_args),
    };
    return cmocka_run_group_tests_name("crosvm_io_hostile", tests, NULL, NULL);
}
