/* Backends of the runner: the built-in implementation in process, or a
 * vendor's testee program driven over JSON Lines on its stdin/stdout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/vwt.h"
#include "conformance/runner.h"

struct vwc_backend {
    const char *command; /* NULL: in process */
    double timeout;
    pid_t pid;
    int to_fd;   /* testee's stdin */
    int from_fd; /* testee's stdout */
    char *buf;   /* bytes read but not yet consumed */
    size_t len, cap;
};

struct vwc_backend *vwc_backend_new(const struct vwc_options *o)
{
    struct vwc_backend *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->command = o->testee;
    b->timeout = o->timeout > 0 ? o->timeout : 10.0;
    b->pid = -1;
    b->to_fd = b->from_fd = -1;
    signal(SIGPIPE, SIG_IGN);
    return b;
}

static void stop(struct vwc_backend *b)
{
    if (b->to_fd >= 0)
        close(b->to_fd);
    if (b->from_fd >= 0)
        close(b->from_fd);
    b->to_fd = b->from_fd = -1;
    if (b->pid > 0) {
        int st;
        /* Give a testee whose stdin closed a moment to exit, then kill it. */
        for (int i = 0; i < 20; i++) {
            if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
                b->pid = -1;
                break;
            }
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        if (b->pid > 0) {
            kill(b->pid, SIGKILL);
            waitpid(b->pid, &st, 0);
        }
    }
    b->pid = -1;
    b->len = 0;
}

static int start(struct vwc_backend *b, char *err, size_t errlen)
{
    int in[2], out[2];
    if (pipe(in))
        goto fail;
    if (pipe(out)) {
        close(in[0]);
        close(in[1]);
        goto fail;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        goto fail;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execl("/bin/sh", "sh", "-c", b->command, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    fcntl(in[1], F_SETFD, FD_CLOEXEC);
    fcntl(out[0], F_SETFD, FD_CLOEXEC);
    b->pid = pid;
    b->to_fd = in[1];
    b->from_fd = out[0];
    b->len = 0;
    return 0;
fail:
    snprintf(err, errlen, "cannot start testee: %s", strerror(errno));
    return -1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read one line (without the newline) into a new string; NULL on EOF/timeout. */
static char *read_line(struct vwc_backend *b, double deadline, char *err, size_t errlen)
{
    for (;;) {
        char *nl = b->len ? memchr(b->buf, '\n', b->len) : NULL;
        if (nl) {
            size_t l = (size_t)(nl - b->buf);
            char *line = malloc(l + 1);
            if (!line)
                return NULL;
            memcpy(line, b->buf, l);
            line[l] = 0;
            memmove(b->buf, nl + 1, b->len - l - 1);
            b->len -= l + 1;
            return line;
        }
        double left = deadline - now();
        if (left <= 0) {
            snprintf(err, errlen, "testee did not answer within %.1f s (hang)", b->timeout);
            return NULL;
        }
        struct pollfd p = { .fd = b->from_fd, .events = POLLIN };
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            continue;
        if (b->cap - b->len < 4096) {
            size_t ncap = b->cap ? b->cap * 2 : 65536;
            if (ncap > (64u << 20)) {
                snprintf(err, errlen, "testee answered a line over 64 MiB");
                return NULL;
            }
            char *nb = realloc(b->buf, ncap);
            if (!nb)
                return NULL;
            b->buf = nb;
            b->cap = ncap;
        }
        ssize_t n = read(b->from_fd, b->buf + b->len, b->cap - b->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int st = 0;
            waitpid(b->pid, &st, 0);
            b->pid = -1;
            if (WIFSIGNALED(st))
                snprintf(err, errlen, "testee crashed (signal %d)", WTERMSIG(st));
            else
                snprintf(err, errlen, "testee exited (status %d) without answering", WEXITSTATUS(st));
            return NULL;
        }
        b->len += (size_t)n;
    }
}

static json_t *call_testee(struct vwc_backend *b, const json_t *req, char *err, size_t errlen)
{
    if (b->pid <= 0 && start(b, err, errlen))
        return NULL;
    char *line = json_dumps(req, JSON_COMPACT);
    if (!line) {
        snprintf(err, errlen, "cannot serialise request");
        return NULL;
    }
    size_t l = strlen(line);
    int wr = write_all(b->to_fd, line, l) || write_all(b->to_fd, "\n", 1);
    free(line);
    if (wr) {
        snprintf(err, errlen, "cannot write to testee (it exited?)");
        stop(b);
        return NULL;
    }
    char *ans = read_line(b, now() + b->timeout, err, errlen);
    if (!ans) {
        stop(b);
        return NULL;
    }
    json_error_t jerr;
    json_t *resp = json_loads(ans, 0, &jerr);
    if (!resp || !json_is_object(resp)) {
        snprintf(err, errlen, "testee printed garbage: %.80s", ans);
        free(ans);
        json_decref(resp);
        stop(b); /* the stream is out of step: start afresh */
        return NULL;
    }
    free(ans);
    const json_t *want = json_object_get(req, "id"), *gotid = json_object_get(resp, "id");
    if (!gotid || !json_equal((json_t *)want, (json_t *)gotid)) {
        snprintf(err, errlen, "testee answered out of order (id %s)",
                 json_is_string(gotid) ? json_string_value(gotid) : "missing");
        json_decref(resp);
        stop(b);
        return NULL;
    }
    return resp;
}

json_t *vwc_backend_call(struct vwc_backend *b, const json_t *req, char *err, size_t errlen)
{
    if (!b->command) {
        json_t *r = vwt_impl_handle(req);
        json_object_set(r, "id", json_object_get(req, "id"));
        return r;
    }
    return call_testee(b, req, err, errlen);
}

void vwc_backend_free(struct vwc_backend *b)
{
    if (!b)
        return;
    stop(b);
    free(b->buf);
    free(b);
}
