/* Backends of the runner: the built-in implementation in process, or a
 * vendor's testee program driven over JSON Lines on its stdin/stdout.
 *
 * A testee runs in its own process group (so that a shell wrapper and its
 * children die together), with its stderr captured per case. A fresh testee
 * first gets a hello request, within --startup-timeout: a testee that does
 * not get that far --start-attempts times in a row "cannot start", and the
 * remaining cases are not run. Once started, any fault (crash, exit, hang,
 * garbage, an answer for another id, extra lines, a closed stdout) fails that
 * one case; the testee is then killed and started afresh for the next, so
 * every case is judged. */
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

#define HELLO_ID "vmwire-conformance-hello"

struct vwc_backend {
    const char *command; /* NULL: in process */
    double timeout;
    double startup_timeout;
    unsigned start_attempts;
    bool hello;
    size_t max_answer;
    size_t stderr_limit;
    pid_t pid;
    int to_fd;   /* testee's stdin */
    int from_fd; /* testee's stdout */
    int err_fd;  /* testee's stderr */
    char *buf;   /* stdout bytes read; buf[off..len) is not consumed yet */
    size_t off, len, cap;
    size_t scan; /* buf[off..scan) holds no newline */
    char *errbuf; /* the last stderr_limit bytes of stderr since the call started */
    size_t errlen;
    size_t errtotal; /* bytes of stderr since the call started */
    unsigned answers;      /* answers from the current testee process */
    bool ready;            /* the current process answered the hello */
    char *prev_id;         /* id of the last answered request (of this process) */
    char *late_id;         /* ... when that request got a second answer later */
    char late_text[200];
    unsigned failed_starts; /* fresh testees in a row that did not get ready */
    bool gave_up;
    unsigned starts;
    char last_death[600];
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
    b->startup_timeout = o->startup_timeout > 0 ? o->startup_timeout : 30.0;
    b->start_attempts = o->start_attempts ? o->start_attempts : 3;
    b->hello = !o->no_hello;
    b->max_answer = o->max_answer ? o->max_answer : (1u << 20);
    b->stderr_limit = o->stderr_limit;
    b->pid = -1;
    b->to_fd = b->from_fd = b->err_fd = -1;
    if (b->stderr_limit && !(b->errbuf = malloc(b->stderr_limit))) {
        free(b);
        return NULL;
    }
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

unsigned vwc_backend_starts(const struct vwc_backend *b)
{
    return b ? b->starts : 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap_ms(long ms)
{
    struct timespec ts = { 0, ms * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Wait up to ms for the testee to exit by itself; true with its status. */
static bool wait_exit(struct vwc_backend *b, int ms, int *st)
{
    for (int i = 0; b->pid > 0; i++) {
        pid_t r = waitpid(b->pid, st, WNOHANG);
        if (r == b->pid || (r < 0 && errno != EINTR)) {
            kill(-b->pid, SIGKILL); /* whatever it left behind in its group goes too */
            b->pid = -1;
            testee_pgid = 0;
            return r > 0;
        }
        if (i * 10 >= ms)
            return false;
        nap_ms(10);
    }
    return false;
}

/* Kill the testee's whole group and reap it. */
static void kill_testee(struct vwc_backend *b)
{
    if (b->pid <= 0)
        return;
    kill(-b->pid, SIGKILL);
    for (;;) {
        int st;
        pid_t r = waitpid(b->pid, &st, 0);
        if (r == b->pid || (r < 0 && errno != EINTR))
            break;
    }
    kill(-b->pid, SIGKILL);
    b->pid = -1;
    testee_pgid = 0;
}

static void stop(struct vwc_backend *b, bool kill_it)
{
    close_fd(&b->to_fd);
    close_fd(&b->from_fd);
    close_fd(&b->err_fd);
    int st;
    if (b->pid > 0 && !kill_it)
        wait_exit(b, 500, &st); /* a testee whose stdin closed gets a moment to exit by itself */
    kill_testee(b);
    b->off = b->len = b->scan = 0;
    b->answers = 0;
    b->ready = false;
    free(b->prev_id);
    b->prev_id = NULL;
}

static void err_append(struct vwc_backend *b, const char *p, size_t n)
{
    size_t lim = b->stderr_limit;
    b->errtotal += n;
    if (!lim)
        return;
    if (n >= lim) {
        memcpy(b->errbuf, p + n - lim, lim);
        b->errlen = lim;
        return;
    }
    if (b->errlen + n > lim) {
        size_t drop = b->errlen + n - lim;
        memmove(b->errbuf, b->errbuf + drop, b->errlen - drop);
        b->errlen -= drop;
    }
    memcpy(b->errbuf + b->errlen, p, n);
    b->errlen += n;
}

char *vwc_stderr_text(const char *tail, size_t n, size_t total)
{
    char *clean = vwc_clean(tail, n);
    if (!clean || total <= n)
        return clean;
    char note[160];
    snprintf(note, sizeof note, "[vmwire-conformance: %zu earlier bytes of stderr not kept (--stderr-limit %zu)]\n",
             total - n, n);
    char *t = malloc(strlen(note) + strlen(clean) + 1);
    if (t) {
        strcpy(t, note);
        strcat(t, clean);
    } else {
        vwt_nomem();
    }
    free(clean);
    return t;
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
    b->off = b->len = b->scan = 0;
    b->answers = 0;
    b->ready = false;
    b->starts++;
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
    if (outlen)
        out[0] = 0;
    if (e > s) {
        char *q = vwc_escape(b->errbuf + s, e - s, 200);
        if (q)
            snprintf(out, outlen, "; stderr: %s", q);
        free(q);
    }
}

static void describe_death(struct vwc_backend *b, int st, enum vwc_fault *fault, char *err, size_t errlen)
{
    char tail[260];
    stderr_tail(b, tail, sizeof tail);
    if (WIFSIGNALED(st)) {
        *fault = VWC_FAULT_CRASH;
        snprintf(err, errlen, "testee crashed (killed by signal %d: %s%s) without answering%s", WTERMSIG(st),
                 strsignal(WTERMSIG(st)), WTERMSIG(st) == SIGKILL ? ", not sent by the runner" : "", tail);
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

/* Take one line (without its newline and a CR before it) out of the
 * buffer: a pointer into it, valid until the next read. NULL if there is no
 * whole line yet. Consuming a line moves no bytes: the buffer is compacted
 * only when it needs room. */
static const char *take_line(struct vwc_backend *b, size_t *lenp)
{
    if (b->scan < b->off)
        b->scan = b->off;
    char *nl = b->scan < b->len ? memchr(b->buf + b->scan, '\n', b->len - b->scan) : NULL;
    if (!nl) {
        b->scan = b->len;
        return NULL;
    }
    const char *line = b->buf + b->off;
    size_t l = (size_t)(nl - line);
    b->off += l + 1;
    b->scan = b->off;
    if (l && line[l - 1] == '\r')
        l--;
    *lenp = l;
    return line;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* Room for at least 4 KiB more bytes in the stdout buffer. */
static int buf_room(struct vwc_backend *b)
{
    if (b->off == b->len) {
        b->off = b->len = b->scan = 0;
    } else if (b->off && b->cap - b->len < 4096) {
        memmove(b->buf, b->buf + b->off, b->len - b->off);
        b->len -= b->off;
        b->scan -= b->off;
        b->off = 0;
    }
    if (b->cap - b->len >= 4096)
        return 0;
    size_t ncap = b->cap ? b->cap * 2 : 65536;
    char *nb = realloc(b->buf, ncap);
    if (!nb) {
        vwt_nomem();
        return -1;
    }
    b->buf = nb;
    b->cap = ncap;
    return 0;
}

/* Read whatever the testee wrote on stderr, without blocking for more than wait_ms. */
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

/* Send out and wait for one non-blank line (into *linep and *linelen, pointing
 * into the buffer). Returns 0, or -1 on a fault (the testee is then dead or
 * to be killed by the caller). limit is the timeout in seconds, for messages. */
static int exchange(struct vwc_backend *b, const char *out, size_t outlen, size_t *sentp, double deadline,
                    double limit, const char *what, const char **linep, size_t *linelen, enum vwc_fault *fault,
                    char *err, size_t errlen)
{
    size_t sent = *sentp;
    for (;; *sentp = sent) {
        const char *line;
        size_t l;
        while ((line = take_line(b, &l))) {
            if (!blank(line, l)) {
                *linep = line;
                *linelen = l;
                return 0;
            }
        }
        if (b->len - b->off > b->max_answer) {
            *fault = VWC_FAULT_TOO_LONG;
            snprintf(err, errlen, "testee printed over %zu bytes without a newline (the limit of an answer line, "
                     "--max-answer-bytes); the runner stopped it", b->max_answer);
            return -1;
        }
        double left = deadline - now();
        if (left <= 0) {
            char tail[260];
            drain_stderr(b, 0);
            stderr_tail(b, tail, sizeof tail);
            *fault = VWC_FAULT_TIMEOUT;
            snprintf(err, errlen, "testee did not answer%s%s within %g s (hang?); the runner killed it%s",
                     *what ? " " : "", what, limit, tail);
            return -1;
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
            return -1;
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
            if (buf_room(b)) {
                *fault = VWC_FAULT_START;
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            ssize_t n = read(b->from_fd, b->buf + b->len, b->cap - b->len);
            if (n > 0) {
                b->len += (size_t)n;
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                /* Its stdout closed: it exited, is about to, or closed it and
                 * goes on. Collect its last words from stderr, then its exit
                 * status; a testee still running a second later is stopped,
                 * and the fault says so (not a crash by the runner's kill). */
                close_fd(&b->from_fd);
                close_fd(&b->to_fd);
                drain_stderr(b, 200);
                int st = 0;
                if (wait_exit(b, 1000, &st)) {
                    describe_death(b, st, fault, err, errlen);
                } else {
                    char tail[260];
                    stderr_tail(b, tail, sizeof tail);
                    *fault = VWC_FAULT_CLOSED;
                    snprintf(err, errlen, "testee closed its standard output without answering but kept running; "
                             "the runner stopped it%s", tail);
                }
                return -1;
            }
        }
    }
}

json_t *vwc_parse_answer(const char *line, size_t len, size_t max, enum vwc_fault *fault, char *err, size_t errlen)
{
    if (max && len > max) {
        *fault = VWC_FAULT_TOO_LONG;
        snprintf(err, errlen, "testee printed an answer line of %zu bytes, over the limit of %zu "
                 "(--max-answer-bytes)", len, max);
        return NULL;
    }
    char *shown = vwc_escape(line, len, 80);
    const char *nul = memchr(line, 0, len);
    if (nul) {
        *fault = VWC_FAULT_GARBAGE;
        snprintf(err, errlen, "testee printed a line with a NUL byte (at byte %zu), which is not a JSON object: %s",
                 (size_t)(nul - line), shown ? shown : "");
        free(shown);
        return NULL;
    }
    json_error_t jerr;
    json_t *resp = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!resp || !json_is_object(resp)) {
        *fault = VWC_FAULT_GARBAGE;
        char why[200];
        vwc_escape_into(why, sizeof why, resp ? "not an object" : jerr.text);
        snprintf(err, errlen, "testee printed a line that is not a JSON object (%s): %s", why, shown ? shown : "");
        free(shown);
        json_decref(resp);
        return NULL;
    }
    free(shown);
    return resp;
}

static char *request_line(const json_t *req, size_t *len)
{
    char *line = json_dumps(req, JSON_COMPACT);
    if (!line)
        return NULL;
    size_t l = strlen(line);
    char *out = realloc(line, l + 2);
    if (!out) {
        vwt_nomem();
        free(line);
        return NULL;
    }
    out[l] = '\n';
    out[l + 1] = 0;
    *len = l + 1;
    return out;
}

static void failed_start(struct vwc_backend *b, const char *why)
{
    b->failed_starts++;
    size_t l = strlen(why);
    if (l >= sizeof b->last_death)
        l = sizeof b->last_death - 1;
    memcpy(b->last_death, why, l);
    b->last_death[l] = 0;
    if (b->failed_starts >= b->start_attempts)
        b->gave_up = true;
}

/* Start a testee (if none runs) and greet it. 0 when it is ready for a case;
 * -1 when the runner gave up starting it (the case is not run). */
static int ensure_ready(struct vwc_backend *b)
{
    char err[700];
    while (!b->gave_up) {
        if (b->pid <= 0 && start(b, err, sizeof err)) {
            failed_start(b, err);
            continue;
        }
        if (!b->hello || b->ready) {
            b->ready = true;
            return 0;
        }
        json_t *req = json_pack("{s:s,s:s,s:s,s:i}", "id", HELLO_ID, "operation", "hello", "message", "vmwire.hello",
                                "interface_version", VWC_INTERFACE_VERSION);
        size_t len = 0, sent = 0;
        char *out = req ? request_line(req, &len) : NULL;
        json_decref(req);
        if (!out) {
            failed_start(b, "out of memory");
            stop(b, true);
            continue;
        }
        const char *line;
        size_t ll;
        enum vwc_fault f;
        int rc = exchange(b, out, len, &sent, now() + b->startup_timeout, b->startup_timeout,
                          "the hello (--startup-timeout)", &line, &ll, &f, err, sizeof err);
        free(out);
        json_t *resp = rc ? NULL : vwc_parse_answer(line, ll, b->max_answer, &f, err, sizeof err);
        const char *id = json_string_value(json_object_get(resp, "id"));
        if (resp && (!id || strcmp(id, HELLO_ID))) {
            snprintf(err, sizeof err, "testee answered the hello with another id");
            json_decref(resp);
            resp = NULL;
        }
        if (!resp) {
            char why[760];
            snprintf(why, sizeof why, "hello handshake: %s", err);
            failed_start(b, why);
            stop(b, true);
            continue;
        }
        json_decref(resp);
        b->ready = true;
        b->failed_starts = 0;
        drain_stderr(b, 0);
        b->errlen = 0; /* start-up chatter belongs to no case */
        b->errtotal = 0;
        return 0;
    }
    return -1;
}

static json_t *call_testee(struct vwc_backend *b, const json_t *req, enum vwc_fault *fault, char *err,
                           size_t errlen)
{
    if (ensure_ready(b)) {
        *fault = VWC_FAULT_START;
        snprintf(err, errlen, "not run: the testee could not be started (%u failed starts in a row; last: %s)",
                 b->failed_starts, b->last_death);
        return NULL;
    }
    if (!json_is_string(json_object_get(req, "id"))) {
        *fault = VWC_FAULT_START;
        snprintf(err, errlen, "request without an id");
        return NULL;
    }
    size_t l;
    char *out = request_line(req, &l);
    if (!out) {
        *fault = VWC_FAULT_START;
        snprintf(err, errlen, "cannot serialise the request");
        return NULL;
    }
    /* Without a hello, the first case of a fresh testee also waits out its start-up. */
    bool fresh = !b->hello && b->answers == 0;
    double limit = b->timeout + (fresh ? b->startup_timeout : 0);
    double deadline = now() + limit;
    size_t sent = 0;
    const json_t *want = json_object_get(req, "id");
    json_t *resp = NULL;
    for (;;) {
        const char *ans;
        size_t al;
        if (exchange(b, out, l, &sent, deadline, limit, fresh ? "its first request (start-up included, --no-hello)" : "", &ans, &al,
                     fault, err, errlen)) {
            if (fresh)
                failed_start(b, err);
            free(out);
            stop(b, true);
            return NULL;
        }
        b->answers++;
        resp = vwc_parse_answer(ans, al, b->max_answer, fault, err, errlen);
        if (!resp) {
            free(out);
            stop(b, true); /* the stream is out of step: start afresh */
            return NULL;
        }
        /* A second answer to the previous request, arriving late: that case
         * failed (the caller marks it); keep waiting for this one's answer. */
        const char *gid = json_string_value(json_object_get(resp, "id"));
        if (gid && b->prev_id && !strcmp(gid, b->prev_id) && strcmp(gid, json_string_value(want))) {
            if (!b->late_id) {
                b->late_id = strdup(gid);
                if (!b->late_id)
                    vwt_nomem(); /* the late answer would go unreported */
                char *q = vwc_escape(ans, al, 150);
                snprintf(b->late_text, sizeof b->late_text, "%s", q ? q : "");
                free(q);
            }
            json_decref(resp);
            continue;
        }
        break;
    }
    free(out);
    if (fresh)
        b->failed_starts = 0;
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
    if (!b->prev_id)
        vwt_nomem(); /* a late second answer to this case would go unnoticed */
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
        if (!r || json_object_set(r, "id", json_object_get(req, "id")) || vwt_nomem_seen()) {
            /* the answer may lack a member, or be a skip for want of memory:
             * the case is not judged (and the run ends as an internal error) */
            vwt_nomem();
            json_decref(r);
            *fault = VWC_FAULT_ANSWER;
            snprintf(err, errlen, "the built-in implementation ran out of memory");
            return NULL;
        }
        return r;
    }
    b->errlen = 0;
    b->errtotal = 0;
    json_t *r = call_testee(b, req, fault, err, errlen);
    if (b->pid > 0)
        drain_stderr(b, 0);
    if (b->errtotal)
        *stderr_text = vwc_stderr_text(b->errbuf, b->errlen, b->errtotal);
    return r;
}

int vwc_backend_extra(struct vwc_backend *b, int wait_ms, char *err, size_t errlen)
{
    if (!b->command || b->pid <= 0)
        return 0;
    /* Bytes already buffered, or readable now, were not asked for (blank
     * lines are tolerated). */
    for (;;) {
        size_t i = b->off;
        while (i < b->len && (b->buf[i] == '\n' || b->buf[i] == '\r' || b->buf[i] == ' ' || b->buf[i] == '\t'))
            i++;
        if (i < b->len) {
            size_t show = b->len - i;
            const char *nl = memchr(b->buf + i, '\n', show);
            if (nl)
                show = (size_t)(nl - (b->buf + i));
            char *q = vwc_escape(b->buf + i, show, 80);
            snprintf(err, errlen, "testee printed more than one line for this request: %s", q ? q : "");
            free(q);
            stop(b, true);
            return 1;
        }
        b->off = b->len = b->scan = 0;
        if (b->from_fd < 0)
            return 0;
        struct pollfd p = { .fd = b->from_fd, .events = POLLIN };
        if (poll(&p, 1, wait_ms) != 1 || !(p.revents & (POLLIN | POLLHUP)))
            return 0;
        if (buf_room(b))
            return 0;
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
    free(b->errbuf);
    free(b);
}
