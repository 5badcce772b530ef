/* Integration test of the crosvm adapter and engines: a host and a plugin
 * talk over a real AF_UNIX SOCK_SEQPACKET socketpair (main channel, fds by
 * SCM_RIGHTS) and real pipes (the final revision's vCPU channel), passing a
 * sealed memfd and eventfds, through a whole session: GetVcpus, Create,
 * ReserveRange, SetCallHint with two details, Start, Init, I/O exits with
 * Resume, async writes, PauseVcpus, Destroy, shutdown. The final plugin's
 * vCPU side is shaped like crosvm_plugin's loop: every Resume sends back the
 * buffer of the last I/O event (the written bytes after a write, stale bytes
 * after a pause). The seed revision's per-vCPU sockets get a shorter walk.
 * Both ends run in this one thread: every send is buffered by the kernel. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crosvm/final/plugin.pb-c.h"
#include "vmwire/crosvm.h"

static unsigned char hmem[1 << 16], pmem[1 << 16];
static struct vw_arena harena, parena;

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    int hi = -1;
    for (; *h; h++) {
        int d = *h >= '0' && *h <= '9' ? *h - '0' : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10 : -1;
        if (d < 0)
            continue;
        if (hi < 0) {
            hi = d;
        } else {
            out[n++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    return n;
}

struct world {
    struct vw_crosvm_vm hvm, pvm;
    struct vw_crosvm_main hmain, pmain;
    int hsock, psock;
};

/* plugin: check and send a request with fds */
static void p_request(struct world *w, const char *hex, const int *fds, size_t nfds)
{
    uint8_t msg[256];
    size_t len = unhex(hex, msg);
    struct vw_crosvm_main_event ev;
    assert_int_equal(vw_crosvm_main_check_out(&w->pmain, msg, len, (unsigned)nfds, &ev), VW_OK);
    assert_int_equal(vw_crosvm_io_send(w->psock, msg, len, fds, nfds), VW_OK);
}

/* host: receive a request, let the engine answer, attach @p fds, send */
static void h_serve(struct world *w, int *got_fd, const int *fds, size_t nfds, int32_t want_err)
{
    uint8_t buf[VW_CROSVM_MAX_MAIN_REQUEST], out[64];
    int in_fds[VW_CROSVM_MAX_FDS];
    size_t len, n, used, wr;
    struct vw_crosvm_main_event ev;
    assert_int_equal(vw_crosvm_io_recv(w->hsock, buf, sizeof buf, &len, in_fds, 1, &n), VW_OK);
    assert_int_equal(vw_crosvm_datagram_check(VW_CROSVM_MAIN_REQUEST, len, false), VW_OK);
    assert_int_equal(vw_crosvm_main_feed(&w->hmain, buf, len, (unsigned)n, &ev, &used), VW_OK);
    assert_int_equal(ev.err, want_err);
    assert_int_equal(ev.fds_out, nfds);
    if (got_fd) {
        assert_int_equal(n, 1);
        *got_fd = in_fds[0];
    } else {
        assert_int_equal(n, 0);
    }
    assert_int_equal(vw_crosvm_main_output(&w->hmain, out, sizeof out, &wr), VW_OK);
    assert_true(wr > 0);
    assert_int_equal(vw_crosvm_io_send(w->hsock, out, wr, fds, nfds), VW_OK);
}

/* plugin: receive the answer; returns its errno; fds into @p fds */
static int32_t p_answer(struct world *w, int *fds, size_t *nfds)
{
    uint8_t buf[VW_CROSVM_MAX_MESSAGE];
    int tmp[VW_CROSVM_MAX_FDS];
    size_t len, n, used;
    struct vw_crosvm_main_event ev;
    assert_int_equal(vw_crosvm_io_recv(w->psock, buf, sizeof buf, &len, tmp, VW_CROSVM_MAX_FDS, &n), VW_OK);
    assert_int_equal(vw_crosvm_main_feed(&w->pmain, buf, len, (unsigned)n, &ev, &used), VW_OK);
    if (fds)
        memcpy(fds, tmp, n * sizeof(int));
    else
        for (size_t i = 0; i < n; i++)
            close(tmp[i]);
    if (nfds)
        *nfds = n;
    return ev.err;
}

static void setup_world(struct world *w, enum vw_crosvm_revision rev, unsigned n_vcpus)
{
    int sv[2];
    vw_arena_init(&harena, hmem, sizeof hmem);
    vw_arena_init(&parena, pmem, sizeof pmem);
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    w->hsock = sv[0];
    w->psock = sv[1];
    assert_int_equal(vw_crosvm_vm_init(&w->hvm, &(struct vw_crosvm_vm_config){ rev, n_vcpus, false }), VW_OK);
    assert_int_equal(vw_crosvm_vm_init(&w->pvm, &(struct vw_crosvm_vm_config){ rev, 0, false }), VW_OK);
    struct vw_crosvm_main_config hc = { VW_CROSVM_HOST, &w->hvm, &harena, 0 };
    struct vw_crosvm_main_config pc = { VW_CROSVM_PLUGIN, &w->pvm, &parena, 0 };
    assert_int_equal(vw_crosvm_main_init(&w->hmain, &hc), VW_OK);
    assert_int_equal(vw_crosvm_main_init(&w->pmain, &pc), VW_OK);
}

/* ---- final revision: pipes --------------------------------------------- */

struct vcpu_link {
    struct vw_crosvm_vcpu host, plug;
    int h_read, h_write; /* host ends: requests in, framed answers out */
    int p_write, p_read; /* plugin ends, received by GetVcpus */
    struct vw_crosvm_splitter split;
    uint8_t split_buf[4096];
    uint8_t pending[4096]; /* bytes read by the plugin not yet split */
    size_t pend_len, pend_off;
};

static void plug_vcpu_send(struct vcpu_link *l, const char *hex)
{
    uint8_t msg[256];
    size_t len = unhex(hex, msg);
    assert_int_equal(vw_crosvm_vcpu_check_out(&l->plug, msg, len, NULL), VW_OK);
    assert_int_equal(vw_crosvm_io_pipe_write(l->p_write, msg, len), VW_OK);
}

/* host: read one request from the pipe and feed it; forward any engine answer */
static enum vw_crosvm_vcpu_state host_vcpu_serve(struct vcpu_link *l)
{
    uint8_t buf[VW_CROSVM_MAX_MESSAGE], out[64];
    size_t len, used, w;
    struct vw_crosvm_vcpu_event ev;
    assert_int_equal(vw_crosvm_io_pipe_read(l->h_read, buf, sizeof buf, &len), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_feed(&l->host, buf, len, &ev, &used), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_output(&l->host, out, sizeof out, &w), VW_OK);
    if (w)
        assert_int_equal(vw_crosvm_io_pipe_write(l->h_write, out, w), VW_OK);
    return ev.state;
}

/* host: push a Wait (unframed hex), framed on the pipe */
static void host_vcpu_push(struct vcpu_link *l, const char *hex, int write_now)
{
    static uint8_t batch[1024];
    static size_t batch_len;
    uint8_t msg[256];
    size_t len = unhex(hex, msg), w;
    assert_int_equal(vw_crosvm_vcpu_check_out(&l->host, msg, len, NULL), VW_OK);
    assert_int_equal(vw_crosvm_frame_encode(msg, len, batch + batch_len, sizeof batch - batch_len, &w), VW_OK);
    batch_len += w;
    if (write_now) { /* several frames may go in one write (async writes) */
        assert_int_equal(vw_crosvm_io_pipe_write(l->h_write, batch, batch_len), VW_OK);
        batch_len = 0;
    }
}

/* plugin: next frame from the pipe (reading when the splitter needs bytes) */
static struct vw_crosvm_vcpu_event plug_vcpu_next(struct vcpu_link *l)
{
    struct vw_crosvm_vcpu_event ev;
    for (;;) {
        if (l->pend_off == l->pend_len) {
            assert_int_equal(vw_crosvm_io_pipe_read(l->p_read, l->pending, sizeof l->pending, &l->pend_len), VW_OK);
            l->pend_off = 0;
        }
        const uint8_t *f;
        size_t fl, used, u2;
        assert_int_equal(vw_crosvm_splitter_feed(&l->split, l->pending + l->pend_off, l->pend_len - l->pend_off,
                                                 &f, &fl, &used), VW_OK);
        l->pend_off += used;
        if (f) {
            assert_int_equal(vw_crosvm_vcpu_feed(&l->plug, f, fl, &ev, &u2), VW_OK);
            return ev;
        }
    }
}

/* The shape of crosvm_plugin's vCPU loop (lib.rs crosvm_vcpu_wait and
 * crosvm_vcpu_resume): every I/O event, async writes included, copies
 * io.data into one resume buffer, which the caller may overwrite (the read
 * result) and which the next Resume sends back whole and empties; so after
 * a write the Resume carries the written bytes, and after a pause the bytes
 * of an async write since the last Resume. */
struct client {
    uint8_t resume_data[256];
    size_t resume_len;
};

static struct vw_crosvm_vcpu_event client_wait(struct vcpu_link *l, struct client *c)
{
    struct vw_crosvm_vcpu_event ev = plug_vcpu_next(l);
    const Vmwire__Crosvm__Final__VcpuResponse *r = (const void *)ev.msg;
    if (ev.exit == 2 && r->wait && r->wait->io) {
        const ProtobufCBinaryData *d = &r->wait->io->data;
        assert_true(d->len <= sizeof c->resume_data);
        memcpy(c->resume_data, d->data, d->len);
        c->resume_len = d->len;
    }
    return ev;
}

static void client_resume(struct vcpu_link *l, struct client *c)
{
    uint8_t msg[300];
    size_t n = 0;
    msg[n++] = 0x12; /* resume */
    msg[n++] = (uint8_t)(c->resume_len ? 2 + c->resume_len : 0);
    if (c->resume_len) {
        msg[n++] = 0x0a; /* data */
        msg[n++] = (uint8_t)c->resume_len;
        memcpy(msg + n, c->resume_data, c->resume_len);
        n += c->resume_len;
    }
    assert_int_equal(vw_crosvm_vcpu_check_out(&l->plug, msg, n, NULL), VW_OK);
    assert_int_equal(vw_crosvm_io_pipe_write(l->p_write, msg, n), VW_OK);
    c->resume_len = 0; /* swapped into the request */
}

static void test_final_session(void **state)
{
    (void)state;
    static struct world w;
    static struct vcpu_link l;
    int fds[VW_CROSVM_MAX_FDS];
    size_t n;
    setup_world(&w, VW_CROSVM_FINAL, 1);

    /* crosvm makes the vCPU pipes before the plugin starts */
    int req[2], resp[2];
    assert_int_equal(pipe2(req, O_CLOEXEC), 0);
    assert_int_equal(pipe2(resp, O_CLOEXEC), 0);
    l.h_read = req[0];
    l.h_write = resp[1];

    /* GetVcpus (17): two fds per vCPU, [to-crosvm write end, to-plugin read end] */
    p_request(&w, "8a0100", NULL, 0);
    int vfds[2] = { req[1], resp[0] };
    h_serve(&w, NULL, vfds, 2, 0);
    close(resp[0]); /* crosvm keeps req[1]: it writes Shutdown there itself */
    assert_int_equal(p_answer(&w, fds, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(w.pvm.n_vcpus, 1);
    l.p_write = fds[0];
    l.p_read = fds[1];

    /* GetShutdownEventfd (4) -> one eventfd */
    int kill_evt = eventfd(0, EFD_CLOEXEC);
    assert_true(kill_evt >= 0);
    p_request(&w, "2200", NULL, 0);
    h_serve(&w, NULL, &kill_evt, 1, 0);
    int p_kill;
    assert_int_equal(p_answer(&w, &p_kill, &n), 0);
    assert_int_equal(n, 1);

    /* Create{id 1, memory{start 0x10000, length 0x1000, dirty_log}} with a sealed memfd */
    int mfd = memfd_create("guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    assert_true(mfd >= 0);
    assert_int_equal(ftruncate(mfd, 0x1000), 0);
    assert_int_equal(fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
    assert_int_equal(pwrite(mfd, "vmwire", 6, 0), 6);
    p_request(&w, "0a0d 0801 1a09 10808004 188020 2801", &mfd, 1);
    int h_mfd = -1;
    h_serve(&w, &h_mfd, NULL, 0, 0);
    /* the host got the same memory: sealed, big enough, same bytes */
    assert_true(fcntl(h_mfd, F_GET_SEALS) & F_SEAL_SHRINK);
    struct stat st;
    assert_int_equal(fstat(h_mfd, &st), 0);
    assert_int_equal(st.st_size, 0x1000);
    char peek[6];
    assert_int_equal(pread(h_mfd, peek, 6, 0), 6);
    assert_memory_equal(peek, "vmwire", 6);
    close(h_mfd);
    close(mfd);
    assert_int_equal(p_answer(&w, NULL, &n), 0);
    assert_int_equal(n, 0);

    /* Create{id 2, io_event{IOPORT 0x3f8, length 1}} -> the host's eventfd */
    int ioevt = eventfd(0, EFD_CLOEXEC);
    p_request(&w, "0a09 0802 1205 10f807 1801", NULL, 0);
    h_serve(&w, NULL, &ioevt, 1, 0);
    int p_ioevt;
    assert_int_equal(p_answer(&w, &p_ioevt, &n), 0);
    uint64_t one = 1, got = 0;
    assert_int_equal(write(ioevt, &one, 8), 8);
    assert_int_equal(read(p_ioevt, &got, 8), 8);
    assert_int_equal(got, 1);
    /* the same id again: EEXIST, no fd */
    p_request(&w, "0a09 0802 1205 10f807 1801", NULL, 0);
    h_serve(&w, NULL, NULL, 0, 17);
    assert_int_equal(p_answer(&w, NULL, &n), 17);
    assert_int_equal(n, 0);

    /* ReserveRange{IOPORT 0x3f8, 8} and {MMIO 0x1000, 0x1000, async_write} */
    p_request(&w, "5205 10f807 1808", NULL, 0);
    h_serve(&w, NULL, NULL, 0, 0);
    assert_int_equal(p_answer(&w, NULL, NULL), 0);
    p_request(&w, "520a 0801 108020 188020 2001", NULL, 0);
    h_serve(&w, NULL, NULL, 0, 0);
    assert_int_equal(p_answer(&w, NULL, NULL), 0);
    /* an overlapping one: EPERM */
    p_request(&w, "5205 10fc07 1808", NULL, 0);
    h_serve(&w, NULL, NULL, 0, 1);
    assert_int_equal(p_answer(&w, NULL, NULL), 1);
    assert_int_equal(w.pvm.n_ranges, 2);

    /* SetCallHint (19) for writes of port 0x3f9 with two RegHint details, as
       crosvm_set_hypercall_hint sends them: {match rax 5, send sregs} and
       {match rbx 7, send debugregs} */
    p_request(&w, "9a01 15 10f907 1801 2206 0801 2805 4801 2206 1001 3007 5001", NULL, 0);
    h_serve(&w, NULL, NULL, 0, 0);
    assert_int_equal(p_answer(&w, NULL, NULL), 0);

    /* Start (18) */
    p_request(&w, "920100", NULL, 0);
    h_serve(&w, NULL, NULL, 0, 0);
    assert_int_equal(p_answer(&w, NULL, NULL), 0);
    assert_true(w.hvm.started && w.pvm.started);

    /* the vCPU channel */
    struct vw_crosvm_vcpu_config hc = { VW_CROSVM_FINAL, VW_CROSVM_HOST, &w.hvm, 0, &harena, 0 };
    struct vw_crosvm_vcpu_config pc = { VW_CROSVM_FINAL, VW_CROSVM_PLUGIN, &w.pvm, 0, &parena, 0 };
    assert_int_equal(vw_crosvm_vcpu_init(&l.host, &hc), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_init(&l.plug, &pc), VW_OK);
    assert_int_equal(vw_crosvm_splitter_init(&l.split, &(struct vw_crosvm_splitter_config){ l.split_buf, sizeof l.split_buf, false }), VW_OK);

    /* Init: the one Wait the plugin sends */
    struct client cl = { { 0 }, 0 };
    plug_vcpu_send(&l, "0a00");
    assert_int_equal(host_vcpu_serve(&l), VW_CROSVM_VS_STOPPED);
    struct vw_crosvm_vcpu_event ev = client_wait(&l, &cl);
    assert_int_equal(ev.exit, 1);
    client_resume(&l, &cl); /* empty so far: "1200" */
    assert_int_equal(host_vcpu_serve(&l), VW_CROSVM_VS_RUNNING);

    /* an I/O read of port 0x3f8, 1 byte: pushed; the caller writes the
       result into the event's buffer and Resume carries it */
    host_vcpu_push(&l, "1208 1206 10f807 2a0100", 1);
    ev = client_wait(&l, &cl);
    assert_int_equal(ev.exit, 2);
    assert_int_equal(ev.state, VW_CROSVM_VS_STOPPED);
    assert_int_equal(cl.resume_len, 1);
    cl.resume_data[0] = 0x41;
    client_resume(&l, &cl);
    assert_int_equal(host_vcpu_serve(&l), VW_CROSVM_VS_RUNNING);

    /* two async writes into MMIO 0x1000 in one pipe write, then a port write */
    host_vcpu_push(&l, "120e 120c 0801 108020 1801 2001 2a0101", 0);
    host_vcpu_push(&l, "120e 120c 0801 108420 1801 2001 2a0102", 0);
    /* the port write matches the call hint: regs (144 bytes) come with it */
    char io_w[2 * 170 + 32] = "129e01 129b01 10f907 1801 2a0142 329001";
    for (int i = 0; i < 144; i++)
        strcat(io_w, "00");
    host_vcpu_push(&l, io_w, 1);
    ev = client_wait(&l, &cl);
    assert_int_equal(ev.state, VW_CROSVM_VS_RUNNING);
    ev = client_wait(&l, &cl);
    assert_int_equal(ev.state, VW_CROSVM_VS_RUNNING);
    ev = client_wait(&l, &cl);
    assert_int_equal(ev.state, VW_CROSVM_VS_STOPPED);
    const Vmwire__Crosvm__Final__VcpuResponse *wr = (const void *)ev.msg;
    assert_int_equal(wr->wait->io->regs.len, 144);
    /* while stopped: GetState{REGS} answered with 144 bytes */
    plug_vcpu_send(&l, "1a00");
    assert_int_equal(host_vcpu_serve(&l), VW_CROSVM_VS_REQUEST);
    char regs[2 * 150 + 16] = "2293 01 0a9001";
    for (int i = 0; i < 144; i++)
        strcat(regs, "00");
    host_vcpu_push(&l, regs, 1);
    ev = client_wait(&l, &cl);
    assert_int_equal(ev.field, 4);
    /* the client's Resume after a write carries the written byte (the
       async write's 0x02 was overwritten by the port write's 0x42) */
    assert_int_equal(cl.resume_len, 1);
    assert_int_equal(cl.resume_data[0], 0x42);
    client_resume(&l, &cl);
    assert_int_equal(host_vcpu_serve(&l), VW_CROSVM_VS_RUNNING);

    /* PauseVcpus{mask 1, user 9} (16) -> the vCPU reports User{9} */
    p_request(&w, "8201 04 0801 1009", NULL, 0);
    h_serve(&w, NULL, NULL, 0, 0);
    assert_int_equal(p_answer(&w, NULL, NULL), 0);
    assert_int_equal(cl.resume_len, 0); /* emptied by the Resume */
    host_vcpu_push(&l, "120e 120c 0801 108020 1801 2001 2a0103", 0); /* an async write first */
    host_vcpu_push(&l, "1204 1a02 0809", 1);
    ev = client_wait(&l, &cl);
    assert_int_equal(ev.state, VW_CROSVM_VS_RUNNING);
    ev = client_wait(&l, &cl);
    assert_int_equal(ev.exit, 3);
    assert_int_equal(w.hvm.pause_pending, 0);
    /* stale: the async write's byte is still in the buffer */
    assert_int_equal(cl.resume_len, 1);
    assert_int_equal(cl.resume_data[0], 0x03);
    client_resume(&l, &cl);
    assert_int_equal(host_vcpu_serve(&l), VW_CROSVM_VS_RUNNING);

    /* Destroy{2} (2) */
    p_request(&w, "1202 0802", NULL, 0);
    h_serve(&w, NULL, NULL, 0, 0);
    assert_int_equal(p_answer(&w, NULL, NULL), 0);
    assert_int_equal(w.hvm.n_objects, 1);
    assert_int_equal(w.pvm.n_objects, 1);

    /* shutdown: crosvm fires the kill eventfd and writes Shutdown into the
       request pipe itself; the plugin sees the eventfd and closes its socket */
    assert_int_equal(write(kill_evt, &one, 8), 8);
    uint8_t sd[2];
    assert_int_equal(vw_crosvm_io_pipe_write(req[1], sd, unhex("4200", sd)), VW_OK);
    assert_int_equal(host_vcpu_serve(&l), VW_CROSVM_VS_DOWN);
    assert_int_equal(read(p_kill, &got, 8), 8);
    assert_int_equal(got, 1);
    close(w.psock);
    uint8_t buf[16];
    size_t len;
    assert_int_equal(vw_crosvm_io_recv(w.hsock, buf, sizeof buf, &len, fds, 1, &n), VW_E_CLOSED);
    close(l.p_write);
    close(req[1]);
    assert_int_equal(vw_crosvm_io_pipe_read(l.h_read, buf, sizeof buf, &len), VW_E_CLOSED);

    close(w.hsock);
    close(l.h_read);
    close(l.h_write);
    close(l.p_read);
    close(kill_evt);
    close(p_kill);
    close(ioevt);
    close(p_ioevt);
}

/* ---- seed revision: one SOCK_SEQPACKET socket per vCPU --------------------- */

static void test_seed_session(void **state)
{
    (void)state;
    static struct world w;
    int fds[VW_CROSVM_MAX_FDS], vs[2];
    size_t n;
    setup_world(&w, VW_CROSVM_SEED, 1);
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, vs), 0);

    p_request(&w, "5200", NULL, 0); /* GetVcpus (10) */
    h_serve(&w, NULL, &vs[1], 1, 0);
    close(vs[1]);
    assert_int_equal(p_answer(&w, fds, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(w.pvm.n_vcpus, 1);
    int pv = fds[0], hv = vs[0];

    p_request(&w, "2a05 10f807 1808", NULL, 0); /* ReserveRange (5) */
    h_serve(&w, NULL, NULL, 0, 0);
    assert_int_equal(p_answer(&w, NULL, NULL), 0);
    p_request(&w, "5a00", NULL, 0); /* Start (11) */
    h_serve(&w, NULL, NULL, 0, 0);
    assert_int_equal(p_answer(&w, NULL, NULL), 0);

    struct vw_crosvm_vcpu host, plug;
    struct vw_crosvm_vcpu_config hc = { VW_CROSVM_SEED, VW_CROSVM_HOST, &w.hvm, 0, &harena, 0 };
    struct vw_crosvm_vcpu_config pc = { VW_CROSVM_SEED, VW_CROSVM_PLUGIN, &w.pvm, 0, &parena, 0 };
    assert_int_equal(vw_crosvm_vcpu_init(&host, &hc), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_init(&plug, &pc), VW_OK);

    /* each step: one side checks and sends a datagram, the other receives and feeds */
    static const struct {
        int from_plugin;
        const char *hex;
    } script[] = {
        { 1, "0a00" },                    /* Wait */
        { 0, "1202 0a00" },               /* Wait{init} (made by the host engine) */
        { 1, "1200" },                    /* Resume */
        { 0, "1a00" },                    /* Resume answered (seed) */
        { 1, "0a00" },                    /* Wait */
        { 0, "1208 1206 10f807 220100" }, /* io read 1 byte at 0x3f8 (data is field 4) */
        { 1, "1203 0a0141" },             /* Resume with the byte */
        { 0, "1a00" },
    };
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        uint8_t msg[64], buf[VW_CROSVM_MAX_MESSAGE];
        size_t len = unhex(script[i].hex, msg), got, nf, used, wr;
        struct vw_crosvm_vcpu_event ev;
        struct vw_crosvm_vcpu *snd = script[i].from_plugin ? &plug : &host;
        struct vw_crosvm_vcpu *rcv = script[i].from_plugin ? &host : &plug;
        int sfd = script[i].from_plugin ? pv : hv, rfd = script[i].from_plugin ? hv : pv;
        if (i == 1) { /* the host engine made this one while fed the Wait */
            assert_int_equal(vw_crosvm_vcpu_output(&host, buf, sizeof buf, &wr), VW_OK);
            assert_int_equal(wr, len);
            assert_memory_equal(buf, msg, len);
        } else {
            assert_int_equal(vw_crosvm_vcpu_check_out(snd, msg, len, NULL), VW_OK);
        }
        assert_int_equal(vw_crosvm_io_send(sfd, msg, len, NULL, 0), VW_OK);
        assert_int_equal(vw_crosvm_io_recv(rfd, buf, sizeof buf, &got, fds, 0, &nf), VW_OK);
        assert_int_equal(got, len);
        assert_int_equal(vw_crosvm_vcpu_feed(rcv, buf, got, &ev, &used), VW_OK);
    }
    assert_int_equal(plug.state, VW_CROSVM_VS_RUNNING);
    assert_int_equal(host.state, VW_CROSVM_VS_RUNNING);
    /* fds where none belong: refused and closed by the adapter */
    int stray = eventfd(0, EFD_CLOEXEC);
    uint8_t buf[16];
    size_t len, nf;
    assert_int_equal(vw_crosvm_io_send(pv, (const uint8_t *)"\x0a\x00", 2, &stray, 1), VW_OK);
    assert_int_equal(vw_crosvm_io_recv(hv, buf, sizeof buf, &len, fds, 0, &nf), VW_E_BAD_FDS);
    close(stray);
    close(pv);
    close(hv);
    close(w.psock);
    close(w.hsock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_final_session),
        cmocka_unit_test(test_seed_session),
    };
    return cmocka_run_group_tests_name("crosvm_socket", tests, NULL, NULL);
}
