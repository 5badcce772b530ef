/* Optional POSIX adapter of the crosvm protocol: one message with its fds per
 * AF_UNIX SOCK_SEQPACKET datagram (SCM_RIGHTS), and whole-message pipe I/O
 * for the final revision's vCPU channel. The only crosvm code doing I/O. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vmwire/crosvm.h"

#define CMSG_SPACE_FDS CMSG_SPACE(sizeof(int) * VW_CROSVM_MAX_FDS)

vw_status vw_crosvm_io_send(int sock, const uint8_t *msg, size_t len, const int *fds, size_t nfds)
{
    union {
        char buf[CMSG_SPACE_FDS];
        struct cmsghdr align;
    } ctl;
    if (sock < 0 || (!msg && len) || (!fds && nfds) || nfds > VW_CROSVM_MAX_FDS)
        return VW_E_INVALID_ARG;
    /* A zero-length datagram reads as a closed connection (CV-MAIN-1); an
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
    for (;;) {
        ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
        if (n >= 0)
            return (size_t)n == len ? VW_OK : VW_E_IO;
        if (errno == EINTR)
            continue;
        return errno == EPIPE || errno == ECONNRESET ? VW_E_CLOSED : VW_E_IO;
    }
}

vw_status vw_crosvm_io_recv(int sock, uint8_t *buf, size_t cap, size_t *len, int *fds,
                            size_t max_fds, size_t *nfds)
{
    union {
        char buf[CMSG_SPACE_FDS];
        struct cmsghdr align;
    } ctl;
    if (len)
        *len = 0;
    if (nfds)
        *nfds = 0;
    if (sock < 0 || !buf || !len || !nfds || (!fds && max_fds))
        return VW_E_INVALID_ARG;
    struct iovec iov = { buf, cap };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof ctl.buf;
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == ECONNRESET ? VW_E_CLOSED : VW_E_IO;
    /* Collect every fd first, so that none leaks whatever happens next. */
    int got[VW_CROSVM_MAX_FDS];
    size_t ngot = 0;
    int overflow = (mh.msg_flags & MSG_CTRUNC) != 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (ngot < VW_CROSVM_MAX_FDS)
                got[ngot++] = fd;
            else {
                close(fd);
                overflow = 1;
            }
        }
    }
    vw_status st = VW_OK;
    if (n == 0 && ngot == 0)
        st = VW_E_CLOSED; /* CV-MAIN-21 */
    else if (mh.msg_flags & MSG_TRUNC)
        st = VW_E_TOO_LONG; /* CV-MAIN-2 */
    else if (overflow || ngot > max_fds)
        st = VW_E_BAD_FDS; /* CV-FD-3 */
    if (st != VW_OK) {
        for (size_t i = 0; i < ngot; i++)
            close(got[i]);
        return st;
    }
    if (ngot)
        memcpy(fds, got, ngot * sizeof(int));
    *nfds = ngot;
    *len = (size_t)n;
    return VW_OK;
}

vw_status vw_crosvm_io_pipe_write(int fd, const uint8_t *msg, size_t len)
{
    if (fd < 0 || (!msg && len))
        return VW_E_INVALID_ARG;
    while (len) {
        ssize_t n = write(fd, msg, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EPIPE ? VW_E_CLOSED : VW_E_IO;
        }
        msg += n;
        len -= (size_t)n;
    }
    return VW_OK;
}

vw_status vw_crosvm_io_pipe_read(int fd, uint8_t *buf, size_t cap, size_t *len)
{
    if (len)
        *len = 0;
    if (fd < 0 || !buf || !len)
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
