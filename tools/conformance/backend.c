/* Backends of the runner: the built-in implementation in process, or a
 * vendor's testee program driven over JSON Lines on its stdin/stdout.
 *
 * A testee runs in its own process group (so that a shell wrapper and its
 * children die together), with its stderr captured per case. Any fault
 * (crash, exit, hang, garbage, an answer for another id, extra lines) fails
 * that one case; the testee is then killed and started afresh for the next. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/vwt.h"
#include "conformance/runner.h"

#define MAX_LINE (64u << 20) /* a longer answer line is garbage */
#define MAX_STDERR 4096      /* stderr kept per case (the last bytes) */
#define MAX_START_FAILURES 5 /* fresh testees dying without an answer before we give up */

struct vwc_backend {
    const char *command; /* NULL: in process */
    double timeout;
    pid_t pid;
    int to_fd;   /* testee's stdin */
    int from_fd; /* testee's stdout */
    int err_fd;  /* testee's stderr */
    char *buf;   /* stdout bytes read but not yet consumed */
    size_t len, cap;
    char errbuf[MAX_STDERR]; /* stderr since the call started (the last MAX_STDERR bytes) */
    size_t errlen;
    bool errcut;
    unsigned answers;      /* answers from the current testee process */
    char *prev_id;         /* id of the last answered request (of this process) */
    char *late_id;         /* ... when that request got a second answer later */
    char late_text[200];
    unsigned dead_starts;  /* fresh testees in a row that died without answering */
    char last_death[256];
};

/* The testee's process group, for the signal handler. */
static volatile sig_atomic_t testee_pgid;

static void on_signal(int sig)
{
    pid_t g = (pid_t)testee_pgid;
    if (g > 0)
        kill(-g, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

struct vwc_backend *vwc_backend_new(const struct vwc_options *o)
{
    struct vwc_backend *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->command = o->testee;
    b->timeout = o->timeout > 0 ? o->timeout : 10.0;
    b->pid = -1;
    b->to_fd = b->from_fd = b->err_fd = -1;
    if (b->command) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
    }
    return b;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Reap the testee (kill its group first when @p kill_it; a testee that does
 * not exit within a second is killed anyway) and return its wait status. */
static int reap(struct vwc_backend *b, bool kill_it)
{
    int st = 0;
    if (b->pid <= 0)
        return 0;
    if (kill_it)
        kill(-b->pid, SIGKILL);
    for (int i = 0;; i++) {
        pid_t r = waitpid(b->pid, &st, WNOHANG);
        if (r == b->pid || (r < 0 && errno != EINTR))
            break;
        if (i == 100)
            kill(-b->pid, SIGKILL);
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    /* whatever the testee left behind in its group goes too */
    kill(-b->pid, SIGKILL);
    b->pid = -1;
    testee_pgid = 0;
    return st;
}

static void stop(struct vwc_backend *b, bool kill_it)
{
    close_fd(&b->to_fd);
    close_fd(&b->from_fd);
    close_fd(&b->err_fd);
    if (b->pid > 0 && !kill_it) {
        /* A testee whose stdin closed gets a moment to exit by itself. */
        for (int i = 0; i < 50; i++) {
            int st;
            if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
                kill(-b->pid, SIGKILL);
                b->pid = -1;
                testee_pgid = 0;
                break;
            }
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
    }
    reap(b, true);
    b->len = 0;
    b->answers = 0;
    free(b->prev_id);
    b->prev_id = NULL;
}

static void err_append(struct vwc_backend *b, const char *p, size_t n)
{
    if (n >= MAX_STDERR) {
        memcpy(b->errbuf, p + n - MAX_STDERR, MAX_STDERR);
        b->errlen = MAX_STDERR;
        b->errcut = true;
        return;
    }
    if (b->errlen + n > MAX_STDERR) {
        size_t drop = b->errlen + n - MAX_STDERR;
        memmove(b->errbuf, b->errbuf + drop, b->errlen - drop);
        b->errlen -= drop;
        b->errcut = true;
    }
    memcpy(b->errbuf + b->errlen, p, n);
    b->errlen += n;
}

/* Run the testee command: a plain "program arg arg" (no shell syntax) is
 * executed directly, so that its crash is seen as such; anything else goes
 * through /bin/sh -c. Only returns on failure. */
static void exec_command(const char *cmd)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@% \t";
    if (strspn(cmd, plain) == strlen(cmd)) {
        char *copy = strdup(cmd);
        char *argv[256];
        size_t n = 0;
        for (char *tok = copy ? strtok(copy, " \t") : NULL; tok && n < 255; tok = strtok(NULL, " \t"))
            argv[n++] = tok;
        argv[n] = NULL;
        if (n && n < 255) {
            execvp(argv[0], argv);
            _exit(127);
        }
    }
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
}

static int start(struct vwc_backend *b, char *err, size_t errlen)
{
    int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
    for (int i = 0; i < 3; i++) {
        if (pipe(p[i]))
            goto fail;
        fcntl(p[i][0], F_SETFD, FD_CLOEXEC);
        fcntl(p[i][1], F_SETFD, FD_CLOEXEC);
    }
    pid_t pid = fork();
    if (pid < 0)
        goto fail;
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        dup2(p[0][0], 0); /* dup2 clears close-on-exec on the copies */
        dup2(p[1][1], 1);
        dup2(p[2][1], 2);
        exec_command(b->command);
        _exit(127);
    }
    setpgid(pid, pid);
    testee_pgid = pid;
    close(p[0][0]);
    close(p[1][1]);
    close(p[2][1]);
    fcntl(p[0][1], F_SETFL, O_NONBLOCK);
    b->pid = pid;
    b->to_fd = p[0][1];
    b->from_fd = p[1][0];
    b->err_fd = p[2][0];
    b->len = 0;
    b->answers = 0;
    return 0;
fail:
    snprintf(err, errlen, "cannot start the testee: %s", strerror(errno));
    for (int i = 0; i < 3; i++) {
        close_fd(&p[i][0]);
        close_fd(&p[i][1]);
    }
    return -1;
}

/* The last line of the captured stderr, for a failure's one-line reason. */
static void stderr_tail(const struct vwc_backend *b, char *out, size_t outlen)
{
    size_t e = b->errlen;
    while (e && (b->errbuf[e - 1] == '\n' || b->errbuf[e - 1] == '\r' || b->errbuf[e - 1] == ' '))
        e--;
    size_t s = e;
    while (s && b->errbuf[s - 1] != '\n')
        s--;
    if (e > s)
        snprintf(out, outlen, "; stderr: %.*s", (int)(e - s > 200 ? 200 : e - s), b->errbuf + s);
    else if (outlen)
        out[0] = 0;
}

static void describe_death(struct vwc_backend *b, int st, enum vwc_fault *fault, char *err, size_t errlen)
{
    char tail[240];
    stderr_tail(b, tail, sizeof tail);
    if (WIFSIGNALED(st)) {
        *fault = VWC_FAULT_CRASH;
        snprintf(err, errlen, "testee crashed (killed by signal %d: %s) without answering%s", WTERMSIG(st),
                 strsignal(WTERMSIG(st)), tail);
    } else if (WIFEXITED(st) && WEXITSTATUS(st) > 128 && WEXITSTATUS(st) < 128 + 65) {
        /* a shell running the testee reports its death by signal N as 128+N */
        *fault = VWC_FAULT_CRASH;
        snprintf(err, errlen, "testee crashed (exit status %d from the shell: signal %d, %s) without answering%s",
                 WEXITSTATUS(st), WEXITSTATUS(st) - 128, strsignal(WEXITSTATUS(st) - 128), tail);
    } else if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && b->answers == 0) {
        *fault = VWC_FAULT_EXIT;
        snprintf(err, errlen, "testee exited with status 127 at start (command not found?)%s", tail);
    } else {
        *fault = VWC_FAULT_EXIT;
        snprintf(err, errlen, "testee exited (status %d) without answering%s", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                 tail);
    }
}

/* Take one line (without its newline) out of b->buf; NULL if there is none. */
static char *take_line(struct vwc_backend *b)
{
    char *nl = b->len ? memchr(b->buf, '\n', b->len) : NULL;
    if (!nl)
        return NULL;
    size_t l = (size_t)(nl - b->buf);
    char *line = malloc(l + 1);
    if (!line)
        return NULL;
    memcpy(line, b->buf, l);
    line[l] = 0;
    if (l && line[l - 1] == '\r')
        line[l - 1] = 0;
    memmove(b->buf, nl + 1, b->len - l - 1);
    b->len -= l + 1;
    return line;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

/* Read whatever the testee wrote on stderr, without blocking. */
static void drain_stderr(struct vwc_backend *b, int wait_ms)
{
    double until = now() + wait_ms / 1000.0;
    while (b->err_fd >= 0) {
        int left = (int)((until - now()) * 1000);
        struct pollfd p = { .fd = b->err_fd, .events = POLLIN };
        int r = poll(&p, 1, left > 0 ? left : 0);
        if (r <= 0)
            return;
        char tmp[4096];
        ssize_t n = read(b->err_fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close_fd(&b->err_fd);
            return;
        }
        err_append(b, tmp, (size_t)n);
    }
}

/* Send @p out and wait for one non-blank line. NULL on a fault. */
static char *exchange(struct vwc_backend *b, const char *out, size_t outlen, size_t *sentp, double deadline,
                      enum vwc_fault *fault, char *err, size_t errlen)
{
    size_t sent = *sentp;
    for (;; *sentp = sent) {
        char *line;
        while ((line = take_line(b))) {
            if (!blank(line))
                return line;
            free(line);
        }
        if (b->len > MAX_LINE) {
            *fault = VWC_FAULT_GARBAGE;
            snprintf(err, errlen, "testee printed over %u MiB without a newline", MAX_LINE >> 20);
            return NULL;
        }
        double left = deadline - now();
        if (left <= 0) {
            char tail[240];
            drain_stderr(b, 0);
            stderr_tail(b, tail, sizeof tail);
            *fault = VWC_FAULT_TIMEOUT;
            snprintf(err, errlen, "testee did not answer within %g s (hang?)%s", b->timeout, tail);
            return NULL;
        }
        struct pollfd p[3];
        int np = 0, io = -1, ie = -1, iw = -1;
        if (b->from_fd >= 0) {
            p[np] = (struct pollfd){ .fd = b->from_fd, .events = POLLIN };
            io = np++;
        }
        if (b->err_fd >= 0) {
            p[np] = (struct pollfd){ .fd = b->err_fd, .events = POLLIN };
            ie = np++;
        }
        if (b->to_fd >= 0 && sent < outlen) {
            p[np] = (struct pollfd){ .fd = b->to_fd, .events = POLLOUT };
            iw = np++;
        }
        int ms = (int)(left * 1000) + 1;
        int r = poll(p, (nfds_t)np, ms);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *fault = VWC_FAULT_START;
            snprintf(err, errlen, "poll: %s", strerror(errno));
            return NULL;
        }
        if (r == 0)
            continue;
        if (iw >= 0 && p[iw].revents) {
            ssize_t w = write(b->to_fd, out + sent, outlen - sent);
            if (w > 0) {
                sent += (size_t)w;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                /* EPIPE: it closed its stdin or died; its stdout tells which. */
                close_fd(&b->to_fd);
            }
        }
        if (ie >= 0 && p[ie].revents) {
            char tmp[4096];
            ssize_t n = read(b->err_fd, tmp, sizeof tmp);
            if (n > 0)
                err_append(b, tmp, (size_t)n);
            else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                close_fd(&b->err_fd);
        }
        if (io >= 0 && p[io].revents) {
            if (b->cap - b->len < 4096) {
                size_t ncap = b->cap ? b->cap * 2 : 65536;
                char *nb = realloc(b->buf, ncap);
                if (!nb) {
                    *fault = VWC_FAULT_START;
                    snprintf(err, errlen, "out of memory");
                    return NULL;
                }
                b->buf = nb;
                b->cap = ncap;
            }
            ssize_t n = read(b->from_fd, b->buf + b->len, b->cap - b->len);
            if (n > 0) {
                b->len += (size_t)n;
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                /* Its stdout closed: it exited (or is about to). Collect its
                 * last words from stderr, then its exit status. */
                close_fd(&b->from_fd);
                close_fd(&b->to_fd);
                drain_stderr(b, 200);
                int st = reap(b, false);
                describe_death(b, st, fault, err, errlen);
                return NULL;
            }
        }
    }
}

static json_t *call_testee(struct vwc_backend *b, const json_t *req, enum vwc_fault *fault, char *err,
                           size_t errlen)
{
    if (b->dead_starts >= MAX_START_FAILURES) {
        *fault = VWC_FAULT_START;
        snprintf(err, errlen, "not run: %u fresh testees in a row died without answering (last: %s)",
                 b->dead_starts, b->last_death);
        return NULL;
    }
    if (b->pid <= 0 && start(b, err, errlen)) {
        *fault = VWC_FAULT_START;
        return NULL;
    }
    if (!json_is_string(json_object_get(req, "id"))) {
        *fault = VWC_FAULT_START;
        snprintf(err, errlen, "request without an id");
        return NULL;
    }
    char *line = json_dumps(req, JSON_COMPACT);
    if (!line) {
        *fault = VWC_FAULT_START;
        snprintf(err, errlen, "cannot serialise the request");
        return NULL;
    }
    size_t l = strlen(line);
    char *out = realloc(line, l + 2);
    if (!out) {
        free(line);
        *fault = VWC_FAULT_START;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    out[l] = '\n';
    out[l + 1] = 0;
    bool fresh = b->answers == 0;
    double deadline = now() + b->timeout;
    size_t sent = 0;
    const json_t *want = json_object_get(req, "id");
    json_t *resp = NULL;
    for (;;) {
        char *ans = exchange(b, out, l + 1, &sent, deadline, fault, err, errlen);
        if (!ans) {
            if (fresh && (*fault == VWC_FAULT_EXIT || *fault == VWC_FAULT_CRASH)) {
                b->dead_starts++;
                snprintf(b->last_death, sizeof b->last_death, "%s", err);
            }
            free(out);
            stop(b, true);
            return NULL;
        }
        b->answers++;
        json_error_t jerr;
        resp = json_loads(ans, JSON_REJECT_DUPLICATES, &jerr);
        if (!resp || !json_is_object(resp)) {
            *fault = VWC_FAULT_GARBAGE;
            snprintf(err, errlen, "testee printed a line that is not a JSON object (%s): %.80s%s",
                     resp ? "not an object" : jerr.text, ans, strlen(ans) > 80 ? "..." : "");
            free(ans);
            free(out);
            json_decref(resp);
            stop(b, true); /* the stream is out of step: start afresh */
            return NULL;
        }
        /* A second answer to the previous request, arriving late: that case
         * failed (the caller marks it); keep waiting for this one's answer. */
        const char *gid = json_string_value(json_object_get(resp, "id"));
        if (gid && b->prev_id && !strcmp(gid, b->prev_id) && strcmp(gid, json_string_value(want))) {
            if (!b->late_id) {
                b->late_id = strdup(gid);
                snprintf(b->late_text, sizeof b->late_text, "%.150s", ans);
            }
            free(ans);
            json_decref(resp);
            continue;
        }
        free(ans);
        break;
    }
    free(out);
    b->dead_starts = 0;
    const json_t *gotid = json_object_get(resp, "id");
    if (!gotid || !json_equal((json_t *)want, (json_t *)gotid)) {
        char *g = gotid ? json_dumps(gotid, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        *fault = VWC_FAULT_ORDER;
        snprintf(err, errlen, "testee answered out of order: the answer is for id %.80s, not %s",
                 g ? g : "(missing)", json_string_value(want));
        free(g);
        json_decref(resp);
        stop(b, true);
        return NULL;
    }
    free(b->prev_id);
    b->prev_id = strdup(json_string_value(want));
    return resp;
}

const char *vwc_backend_late(struct vwc_backend *b, char *err, size_t errlen)
{
    static char id[256];
    if (!b->late_id)
        return NULL;
    snprintf(id, sizeof id, "%s", b->late_id);
    snprintf(err, errlen, "testee printed more than one line for this request: %s", b->late_text);
    free(b->late_id);
    b->late_id = NULL;
    return id;
}

json_t *vwc_backend_call(struct vwc_backend *b, const json_t *req, enum vwc_fault *fault, char *err,
                         size_t errlen, char **stderr_text)
{
    *fault = VWC_FAULT_NONE;
    *stderr_text = NULL;
    if (!b->command) {
        json_t *r = vwt_impl_handle(req);
        json_object_set(r, "id", json_object_get(req, "id"));
        return r;
    }
    b->errlen = 0;
    b->errcut = false;
    json_t *r = call_testee(b, req, fault, err, errlen);
    if (b->pid > 0)
        drain_stderr(b, 0);
    if (b->errlen) {
        *stderr_text = malloc(b->errlen + 5);
        if (*stderr_text) {
            size_t o = 0;
            if (b->errcut) {
                memcpy(*stderr_text, "...", 3);
                o = 3;
            }
            memcpy(*stderr_text + o, b->errbuf, b->errlen);
            (*stderr_text)[o + b->errlen] = 0;
        }
    }
    return r;
}

int vwc_backend_extra(struct vwc_backend *b, int wait_ms, char *err, size_t errlen)
{
    if (!b->command || b->pid <= 0)
        return 0;
    /* Bytes already buffered, or readable now, were not asked for (blank
     * lines are tolerated). */
    for (;;) {
        size_t i = 0;
        while (i < b->len && (b->buf[i] == '\n' || b->buf[i] == '\r' || b->buf[i] == ' ' || b->buf[i] == '\t'))
            i++;
        if (i < b->len) {
            size_t show = b->len - i > 80 ? 80 : b->len - i;
            const char *nl = memchr(b->buf + i, '\n', show);
            if (nl)
                show = (size_t)(nl - (b->buf + i));
            snprintf(err, errlen, "testee printed more than one line for this request: %.*s", (int)show,
                     b->buf + i);
            stop(b, true);
            return 1;
        }
        b->len = 0;
        if (b->from_fd < 0)
            return 0;
        struct pollfd p = { .fd = b->from_fd, .events = POLLIN };
        if (poll(&p, 1, wait_ms) != 1 || !(p.revents & POLLIN))
            return 0;
        if (b->cap < 4096) {
            char *nb = realloc(b->buf, 65536);
            if (!nb)
                return 0;
            b->buf = nb;
            b->cap = 65536;
        }
        ssize_t n = read(b->from_fd, b->buf, b->cap);
        if (n <= 0) {
            stop(b, false); /* it exited after answering: the next case starts a fresh one */
            return 0;
        }
        b->len = (size_t)n;
    }
}

void vwc_backend_free(struct vwc_backend *b)
{
    if (!b)
        return;
    stop(b, false);
    free(b->late_id);
    free(b->buf);
    free(b);
}
