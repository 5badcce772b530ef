/* Unit tests of the crosvm engines: main channel (host and plugin ends) and
 * vCPU channel (both ends, both revisions). Messages are written by hand
 * from the schema tables (spec/crosvm.md); each comment gives the fields. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/crosvm.h"
#include "engine_state.h"

/* Every feed and send below also checks the engine contract: a main feed the
 * state does not want is refused and reads nothing, and state() agrees with
 * output() after every call. */
static vw_status checked_main_feed(struct vw_crosvm_main *m, const uint8_t *in, size_t len, unsigned nfds,
                                   struct vw_crosvm_main_event *ev, size_t *used)
{
    unsigned before = vw_crosvm_main_state(m);
    vw_status s = vw_crosvm_main_feed(m, in, len, nfds, ev, used);
    if (m && used && (in || !len)) {
        if (!(before & VW_ENGINE_WANT_INPUT)) {
            assert_true(s == VW_E_STATE || s == VW_E_FAILED);
            assert_int_equal(*used, 0);
        } else {
            assert_int_equal(*used, len); /* a datagram is read whole, fault or not */
        }
        VWT_STATE_AGREES(vw_crosvm_main, m);
    }
    return s;
}

static vw_status checked_main_check_out(struct vw_crosvm_main *m, const uint8_t *msg, size_t len, unsigned nfds,
                                   struct vw_crosvm_main_event *ev)
{
    vw_status s = vw_crosvm_main_check_out(m, msg, len, nfds, ev);
    if (m)
        VWT_STATE_AGREES(vw_crosvm_main, m);
    return s;
}

static vw_status checked_vcpu_feed(struct vw_crosvm_vcpu *v, const uint8_t *in, size_t len,
                                   struct vw_crosvm_vcpu_event *ev, size_t *used)
{
    vw_status s = vw_crosvm_vcpu_feed(v, in, len, ev, used);
    if (v && used && (in || !len)) {
        assert_int_equal(*used, s == VW_E_FAILED ? 0 : len);
        VWT_STATE_AGREES(vw_crosvm_vcpu, v);
    }
    return s;
}

static vw_status checked_vcpu_check_out(struct vw_crosvm_vcpu *v, const uint8_t *msg, size_t len,
                                   struct vw_crosvm_vcpu_event *ev)
{
    vw_status s = vw_crosvm_vcpu_check_out(v, msg, len, ev);
    if (v)
        VWT_STATE_AGREES(vw_crosvm_vcpu, v);
    return s;
}
#define vw_crosvm_main_feed checked_main_feed
#define vw_crosvm_main_check_out checked_main_check_out
#define vw_crosvm_vcpu_feed checked_vcpu_feed
#define vw_crosvm_vcpu_check_out checked_vcpu_check_out

static unsigned char mem[1 << 16];
static struct vw_arena arena;

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

/* host main: feed a request, expect the engine's queued answer */
static vw_status hfeed(struct vw_crosvm_main *m, const char *req, unsigned nfds, const char *want,
                       struct vw_crosvm_main_event *ev)
{
    uint8_t in[256], out[64], exp[64];
    size_t len = unhex(req, in), used, w;
    vw_status st = vw_crosvm_main_feed(m, in, len, nfds, ev, &used);
    if (st != VW_OK)
        return st;
    assert_int_equal(vw_crosvm_main_output(m, out, sizeof out, &w), VW_OK);
    size_t elen = unhex(want, exp);
    assert_int_equal(w, elen);
    assert_memory_equal(out, exp, elen);
    return st;
}

static vw_status msend(struct vw_crosvm_main *m, const char *hex, unsigned nfds)
{
    uint8_t in[256];
    size_t len = unhex(hex, in);
    struct vw_crosvm_main_event ev;
    return vw_crosvm_main_check_out(m, in, len, nfds, &ev);
}

static vw_status mfeed(struct vw_crosvm_main *m, const char *hex, unsigned nfds)
{
    uint8_t in[256];
    size_t len = unhex(hex, in), used;
    struct vw_crosvm_main_event ev;
    return vw_crosvm_main_feed(m, in, len, nfds, &ev, &used);
}

static void setup_main(struct vw_crosvm_main *m, struct vw_crosvm_vm *vm, enum vw_crosvm_revision rev,
                       enum vw_crosvm_role role, unsigned n_vcpus)
{
    vw_arena_init(&arena, mem, sizeof mem);
    assert_int_equal(vw_crosvm_vm_init(vm, &(struct vw_crosvm_vm_config){ rev, n_vcpus, false }), VW_OK);
    struct vw_crosvm_main_config cfg = { role, vm, &arena, 0 };
    assert_int_equal(vw_crosvm_main_init(m, &cfg), VW_OK);
}

static void test_host_main_seed(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    struct vw_crosvm_main m;
    struct vw_crosvm_main_event ev;
    setup_main(&m, &vm, VW_CROSVM_SEED, VW_CROSVM_HOST, 2);
    /* GetVcpus (10) -> get_vcpus (11) with one socket per vCPU */
    assert_int_equal(hfeed(&m, "5200", 0, "5a00", &ev), VW_OK);
    assert_int_equal(ev.fds_out, 2);
    /* Create{id 2, io_event{length 4}} -> create, one eventfd */
    assert_int_equal(hfeed(&m, "0a06 0802 1202 1804", 0, "1200", &ev), VW_OK);
    assert_int_equal(ev.fds_out, 1);
    /* same id again: EEXIST, seed sends -17 (zig-zag 33) */
    assert_int_equal(hfeed(&m, "0a06 0802 1202 1804", 0, "0821 1200", &ev), VW_OK);
    assert_int_equal(ev.err, 17);
    assert_int_equal(ev.fds_out, 0);
    /* io_event length 3: EINVAL (-22 -> 43) */
    assert_int_equal(hfeed(&m, "0a06 0803 1202 1803", 0, "082b 1200", &ev), VW_OK);
    /* Create without constructor: ENOTTY (-25 -> 49) */
    assert_int_equal(hfeed(&m, "0a02 0809", 0, "0831 1200", &ev), VW_OK);
    /* a request with no member (only unknown field 111): ENOTTY, no member */
    assert_int_equal(hfeed(&m, "f80601", 0, "0831", &ev), VW_OK);
    /* Create memory without its fd: EBADF (-9 -> 17) */
    assert_int_equal(hfeed(&m, "0a0d 0801 1a09 10808004 188020 2801", 0, "0811 1200", &ev), VW_OK);
    /* with the fd: created, no fd back */
    assert_int_equal(hfeed(&m, "0a0d 0801 1a09 10808004 188020 2801", 1, "1200", &ev), VW_OK);
    assert_int_equal(ev.fds_out, 0);
    /* an fd on any other request: crosvm drops it and serves the request */
    assert_int_equal(hfeed(&m, "5200", 1, "5a00", &ev), VW_OK);
    assert_int_equal(ev.fds_in, 0);
    assert_int_equal(ev.fds_dropped, 1);
    assert_int_equal(ev.fds_out, 2);
    /* ReserveRange{IOPORT, 0x3f8, 8} -> reserve_range (6) */
    assert_int_equal(hfeed(&m, "2a05 10f807 1808", 0, "3200", &ev), VW_OK);
    /* overlapping {0x3fc, 8}: EPERM (-1 -> 1) */
    assert_int_equal(hfeed(&m, "2a05 10fc07 1808", 0, "0801 3200", &ev), VW_OK);
    /* the same addresses in MMIO do not overlap */
    assert_int_equal(hfeed(&m, "2a07 0801 10fc07 1808", 0, "3200", &ev), VW_OK);
    /* unreserve {IOPORT, 0x3fc} (not a range start): ENOENT (-2 -> 3) */
    assert_int_equal(hfeed(&m, "2a03 10fc07", 0, "0803 3200", &ev), VW_OK);
    /* PauseVcpus before Start: accepted, no effect */
    assert_int_equal(hfeed(&m, "4a04 0801 1055", 0, "5200", &ev), VW_OK);
    assert_int_equal(vm.pause_pending, 0);
    /* Start, then Start again: EINVAL */
    assert_int_equal(hfeed(&m, "5a00", 0, "6200", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "5a00", 0, "082b 6200", &ev), VW_OK);
    /* PauseVcpus{mask 3, user 0x55} after Start: both vCPUs */
    assert_int_equal(hfeed(&m, "4a04 0803 1055", 0, "5200", &ev), VW_OK);
    assert_int_equal(vm.pause_pending, 3);
    assert_int_equal(vm.pause_user[1], 0x55);
    /* dirty_log (101) on the io_event: ENOENT; on memory with dirty_log: the caller answers */
    assert_int_equal(hfeed(&m, "aa0602 0802", 0, "0803 aa0600", &ev), VW_OK);
    uint8_t in[16];
    size_t used, w;
    assert_int_equal(vw_crosvm_main_feed(&m, in, unhex("aa0602 0801", in), 0, &ev, &used), VW_OK);
    assert_true(ev.app_reply);
    assert_int_equal(vw_crosvm_main_output(&m, in, sizeof in, &w), VW_OK);
    assert_int_equal(w, 0);
    assert_int_equal(mfeed(&m, "5200", 0), VW_E_STATE);   /* answer still owed */
    assert_int_equal(msend(&m, "1a00", 0), VW_E_MISMATCH); /* destroy answer for dirty_log */
    assert_int_equal(msend(&m, "aa0603 0a0101", 0), VW_OK);
    /* Destroy{2} then again: ENOENT */
    assert_int_equal(hfeed(&m, "1202 0802", 0, "1a00", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "1202 0802", 0, "0803 1a00", &ev), VW_OK);
    /* the caller fails a Create after the fact: the id is free again */
    assert_int_equal(mfeed(&m, "0a06 0805 1202 1804", 0), VW_OK);
    assert_int_equal(vw_crosvm_main_fail(&m, 5), VW_OK);
    assert_int_equal(vw_crosvm_main_output(&m, in, sizeof in, &w), VW_OK);
    assert_int_equal(w, 4);
    assert_memory_equal(in, "\x08\x0a\x12\x00", 4); /* a KVM failure: +5 -> 10, even in seed */
    /* crosvm's own refusal made by the caller (memfd without F_SEAL_SHRINK): -1 in seed */
    assert_int_equal(hfeed(&m, "0a07 0806 1a03 188020", 1, "1200", &ev), VW_OK);
    assert_int_equal(mfeed(&m, "0a07 0807 1a03 188020", 1), VW_OK);
    assert_int_equal(vw_crosvm_main_fail(&m, -1), VW_OK);
    assert_int_equal(vw_crosvm_main_output(&m, in, sizeof in, &w), VW_OK);
    assert_int_equal(w, 4);
    assert_memory_equal(in, "\x08\x01\x12\x00", 4);
    assert_int_equal(vw_crosvm_main_fail(&m, 0), VW_E_INVALID_ARG);
    assert_int_equal(hfeed(&m, "0a06 0805 1202 1804", 0, "1200", &ev), VW_OK);
    /* a bad message drops the connection */
    assert_int_equal(mfeed(&m, "0a", 0), VW_E_TRUNCATED);
    assert_int_equal(vw_crosvm_main_error_offset(&m), 1);
    assert_int_equal(mfeed(&m, "5a00", 0), VW_E_FAILED);
}

static void test_host_main_final(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    struct vw_crosvm_main m;
    struct vw_crosvm_main_event ev;
    setup_main(&m, &vm, VW_CROSVM_FINAL, VW_CROSVM_HOST, 1);
    /* GetVcpus (17) -> 18, two pipe ends per vCPU */
    assert_int_equal(hfeed(&m, "8a0100", 0, "920100", &ev), VW_OK);
    assert_int_equal(ev.fds_out, 2);
    /* Create{id 1, irq_event{irq_id 4}} -> two eventfds */
    assert_int_equal(hfeed(&m, "0a06 0801 2202 0804", 0, "1200", &ev), VW_OK);
    assert_int_equal(ev.fds_out, 2);
    /* GetNetConfig without a tap: ENODATA (61 -> 122), no member */
    assert_int_equal(hfeed(&m, "4a00", 0, "087a", &ev), VW_OK);
    /* Start (18) -> 19; again: EINVAL, positive in final (22 -> 44) */
    assert_int_equal(hfeed(&m, "920100", 0, "9a0100", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "920100", 0, "082c 9a0100", &ev), VW_OK);
    /* set_state{PIT, 111 bytes}: EINVAL */
    char hex[600] = "7273 0803 126f";
    for (int i = 0; i < 111; i++)
        strcat(hex, "00");
    assert_int_equal(hfeed(&m, hex, 0, "082c 7a00", &ev), VW_OK);
    /* 0x52 is seed's GetVcpus but final's ReserveRange: an empty one unreserves
       {IOPORT, 0}, which does not exist: ENOENT (2 -> 4) */
    assert_int_equal(hfeed(&m, "5200", 0, "0804 5a00", &ev), VW_OK);
}

static void test_plugin_main(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    struct vw_crosvm_main m;
    setup_main(&m, &vm, VW_CROSVM_FINAL, VW_CROSVM_PLUGIN, 0);
    /* an answer with no request in flight */
    assert_int_equal(mfeed(&m, "920100", 4), VW_E_STATE);
    assert_int_equal(msend(&m, "8a0100", 0), VW_OK);
    assert_int_equal(msend(&m, "920100", 0), VW_E_STATE); /* one at a time */
    assert_int_equal(mfeed(&m, "920100", 3), VW_E_BAD_FDS); /* odd: not pairs */
    assert_int_equal(mfeed(&m, "9a0100", 4), VW_E_MISMATCH); /* start's answer */
    assert_int_equal(mfeed(&m, "920100", 4), VW_OK);
    assert_int_equal(vm.n_vcpus, 2);
    /* memory needs exactly one fd */
    assert_int_equal(msend(&m, "0a0d 0801 1a09 10808004 188020 2801", 0), VW_E_BAD_FDS);
    assert_int_equal(msend(&m, "0a06 0802 1202 1804", 1), VW_E_BAD_FDS);
    assert_int_equal(msend(&m, "0a06 0802 1202 1803", 0), VW_E_BAD_VALUE); /* length 3 */
    assert_int_equal(msend(&m, "0a06 0802 1202 1804", 0), VW_OK);
    assert_int_equal(mfeed(&m, "1200", 0), VW_E_BAD_FDS); /* eventfd missing */
    assert_int_equal(mfeed(&m, "0822 1200", 0), VW_OK);    /* EEXIST (17 -> 34): no fd */
    assert_int_equal(vm.n_objects, 0);
    assert_int_equal(msend(&m, "0a06 0802 1202 1804", 0), VW_OK);
    assert_int_equal(mfeed(&m, "0821 1200", 0), VW_E_BAD_VALUE); /* -17: seed sign in final */
    assert_int_equal(mfeed(&m, "1200", 1), VW_OK);
    assert_int_equal(vm.n_objects, 1);
    /* A success that the VM state rules out (the host broke CV-MAIN-5, 8, 10
     * or 11) is refused and not mirrored; the request stays in flight. */
    assert_int_equal(msend(&m, "0a06 0802 1202 1804", 0), VW_OK); /* Create id 2 again */
    assert_int_equal(mfeed(&m, "1200", 1), VW_E_CONFLICT);
    assert_int_equal(vm.n_objects, 1);
    assert_int_equal(mfeed(&m, "0822 1200", 0), VW_OK); /* EEXIST */
    assert_int_equal(msend(&m, "1202 0803", 0), VW_OK);   /* Destroy id 3: unknown */
    assert_int_equal(mfeed(&m, "1a00", 0), VW_E_NOT_FOUND);
    assert_int_equal(mfeed(&m, "0804 1a00", 0), VW_OK); /* ENOENT (2 -> 4) */
    assert_int_equal(vm.n_objects, 1);
    /* ReserveRange{IOPORT, 0x3f8, 8}, then {IOPORT, 0x3fc, 8} over it */
    assert_int_equal(msend(&m, "5205 10f807 1808", 0), VW_OK);
    assert_int_equal(mfeed(&m, "5a00", 0), VW_OK);
    assert_int_equal(vm.n_ranges, 1);
    assert_int_equal(msend(&m, "5205 10fc07 1808", 0), VW_OK);
    assert_int_equal(mfeed(&m, "5a00", 0), VW_E_CONFLICT);
    assert_int_equal(vm.n_ranges, 1);
    assert_int_equal(mfeed(&m, "0802 5a00", 0), VW_OK); /* EPERM (1 -> 2) */
    /* ReserveRange{IOPORT, 0x2000, 0}: removes a range that does not exist */
    assert_int_equal(msend(&m, "5203 108040", 0), VW_OK);
    assert_int_equal(mfeed(&m, "5a00", 0), VW_E_NOT_FOUND);
    assert_int_equal(mfeed(&m, "0804 5a00", 0), VW_OK);
    /* Destroy id 2 and unreserve 0x3f8: both mirrored */
    assert_int_equal(msend(&m, "1202 0802", 0), VW_OK);
    assert_int_equal(mfeed(&m, "1a00", 0), VW_OK);
    assert_int_equal(vm.n_objects, 0);
    assert_int_equal(msend(&m, "5203 10f807", 0), VW_OK);
    assert_int_equal(mfeed(&m, "5a00", 0), VW_OK);
    assert_int_equal(vm.n_ranges, 0);
    /* Start; crosvm_plugin sends a second Start (its success is impossible)
     * and NewConnection after Start */
    assert_int_equal(msend(&m, "920100", 0), VW_OK);
    assert_int_equal(mfeed(&m, "9a0100", 0), VW_OK);
    assert_true(vm.started);
    assert_int_equal(msend(&m, "920100", 0), VW_OK);
    assert_int_equal(mfeed(&m, "9a0100", 0), VW_E_CONFLICT);
    assert_int_equal(mfeed(&m, "082c 9a0100", 0), VW_OK);
    assert_int_equal(msend(&m, "1a00", 0), VW_OK);
    assert_int_equal(mfeed(&m, "2200", 1), VW_OK);
    /* strict: both refused locally, and a request too long for crosvm's
     * 4096-byte buffer too */
    struct vw_crosvm_main sm;
    struct vw_crosvm_main_config scfg = { VW_CROSVM_PLUGIN, &vm, &arena, 1 };
    assert_int_equal(vw_crosvm_main_init(&sm, &scfg), VW_OK);
    assert_int_equal(msend(&sm, "920100", 0), VW_E_STATE);
    assert_int_equal(msend(&sm, "1a00", 0), VW_E_STATE);
    static uint8_t big[4097];
    struct vw_crosvm_main_event ev;
    assert_int_equal(vw_crosvm_main_check_out(&sm, big, sizeof big, 0, &ev), VW_E_TOO_LONG);
    /* memory: the client checks offset and length alignment only */
    assert_int_equal(msend(&m, "0a0a 0805 1a06 108110 188020", 1), VW_OK); /* start 0x801 */
    assert_int_equal(mfeed(&m, "082c 1200", 0), VW_OK);
    assert_int_equal(msend(&m, "0a0a 0805 1a06 088110 188020", 1), VW_E_BAD_VALUE); /* offset 0x801 */
    assert_int_equal(msend(&sm, "0a0a 0805 1a06 108110 188020", 1), VW_E_BAD_VALUE);
}


/* crosvm's own behaviour where vmwire used to be stricter, and the strict
 * parameter that brings vmwire's rules back (spec/crosvm.md, "strict"). */
static void test_host_main_upstream(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    struct vw_crosvm_main m;
    struct vw_crosvm_main_event ev;
    uint8_t in[4200];
    size_t used;
    /* seed: an empty datagram is a hang-up; no answer, the connection ends */
    setup_main(&m, &vm, VW_CROSVM_SEED, VW_CROSVM_HOST, 1);
    assert_int_equal(vw_crosvm_main_feed(&m, in, 0, 1, &ev, &used), VW_E_CLOSED);
    assert_int_equal(ev.end, VW_CROSVM_END_CONNECTION);
    assert_int_equal(ev.fds_dropped, 1);
    assert_int_equal(mfeed(&m, "5200", 0), VW_E_FAILED);
    /* seed: Create looks the id up first; memory overflow is EOVERFLOW (-75 -> 149) */
    setup_main(&m, &vm, VW_CROSVM_SEED, VW_CROSVM_HOST, 1);
    assert_int_equal(hfeed(&m, "0a06 0802 1202 1804", 0, "1200", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "0a02 0802", 0, "0821 1200", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "0a12 0805 1a0e 088020 1880e0ffffffffffffff01", 1, "089501 1200", &ev), VW_OK);
    assert_int_equal(ev.err, 75);
    /* start + length wraps: seed has no check, KVM refuses it (+22 -> 44) */
    assert_int_equal(hfeed(&m, "0a12 0805 1a0e 1080e0ffffffffffffff01 188040", 1, "082c 1200", &ev), VW_OK);
    /* offset 0x800: the mmap fails, a syscall errno, positive in seed */
    assert_int_equal(hfeed(&m, "0a0a 0805 1a06 088010 188020", 1, "082c 1200", &ev), VW_OK);
    /* two fds with memory: one is taken */
    assert_int_equal(hfeed(&m, "0a07 0805 1a03 188020", 2, "1200", &ev), VW_OK);
    assert_int_equal(ev.fds_in, 1);
    assert_int_equal(ev.fds_dropped, 1);
    /* ReserveRange: the overlap probe excludes the new range's last byte */
    assert_int_equal(hfeed(&m, "2a04 1010 1810", 0, "3200", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "2a04 1008 1809", 0, "3200", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "2a04 1007 180a", 0, "0801 3200", &ev), VW_OK);
    /* a start inside a range is EPERM before the wrap is EINVAL */
    assert_int_equal(hfeed(&m, "2a0d 1018 18ffffffffffffffffff01", 0, "0801 3200", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "2a0d 1040 18ffffffffffffffffff01", 0, "082b 3200", &ev), VW_OK);
    /* a 4097-byte request: the first 4096 bytes are parsed (Start and an unknown field) */
    memset(in, 0, sizeof in);
    in[0] = 0x5a;
    in[1] = 0x00;
    in[2] = 0x82;
    in[3] = 0x7d;
    in[4] = 0xfa; /* 4090 */
    in[5] = 0x1f;
    in[4096] = 0x08;
    assert_int_equal(vw_crosvm_main_feed(&m, in, 4097, 0, &ev, &used), VW_OK);
    assert_int_equal(used, 4097);
    uint8_t out[16];
    size_t w;
    assert_int_equal(vw_crosvm_main_output(&m, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, 2);
    assert_memory_equal(out, "\x62\x00", 2);
    /* seed after Start: an unnamed enum cannot be decoded; the connection ends */
    assert_int_equal(mfeed(&m, "0a06 0807 1202 0802", 0), VW_E_BAD_ENUM);
    assert_int_equal(vw_crosvm_main_error_offset(&m), 0);
    /* seed before Start: the run ends */
    setup_main(&m, &vm, VW_CROSVM_SEED, VW_CROSVM_HOST, 1);
    struct vw_crosvm_main_event ev2;
    assert_int_equal(unhex("2a02 0802", in), 4);
    assert_int_equal(vw_crosvm_main_feed(&m, in, 4, 0, &ev2, &used), VW_E_BAD_ENUM);
    assert_int_equal(ev2.end, VW_CROSVM_END_RUN);
    /* seed VMs may have 32 vCPUs, final ones 16 */
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, 32, false }), VW_OK);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, 33, false }), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_FINAL, 17, false }), VW_E_INVALID_ARG);
    /* final: SetCallHint with three hints is served */
    setup_main(&m, &vm, VW_CROSVM_FINAL, VW_CROSVM_HOST, 1);
    assert_int_equal(hfeed(&m, "9a010b 10f807 1801 2200 2200 2200", 0, "a20100", &ev), VW_OK);
    assert_true(vm.hint.set);
    assert_int_equal(vm.hint.address, 0x3f8);
    assert_int_equal(vm.hint.n_details, 3);
    /* a failed SetCallHint (the caller's main_fail) restores the old hint */
    assert_int_equal(mfeed(&m, "9a0100", 0), VW_OK); /* address 0: clears */
    assert_false(vm.hint.set);
    assert_int_equal(vw_crosvm_main_fail(&m, 5), VW_OK);
    assert_true(vm.hint.set);
    assert_int_equal(vw_crosvm_main_output(&m, out, sizeof out, &w), VW_OK);
    /* final: the space is checked before unreserving */
    assert_int_equal(hfeed(&m, "5202 0802", 0, "082c 5a00", &ev), VW_OK);
    /* plugin: 34 GetVcpus fds, the client keeps 32: 16 vCPUs */
    setup_main(&m, &vm, VW_CROSVM_FINAL, VW_CROSVM_PLUGIN, 0);
    assert_int_equal(msend(&m, "8a0100", 0), VW_OK);
    assert_int_equal(unhex("920100", in), 3);
    assert_int_equal(vw_crosvm_main_feed(&m, in, 3, 34, &ev, &used), VW_OK);
    assert_int_equal(ev.fds_in, 32);
    assert_int_equal(ev.fds_dropped, 2);
    assert_int_equal(vm.n_vcpus, 16);
    /* plugin: a SetCallHint is mirrored once it is answered */
    assert_int_equal(msend(&m, "9a0109 10f907 2204 0801 2805", 0), VW_OK);
    assert_false(vm.hint.set);
    assert_int_equal(mfeed(&m, "a20100", 0), VW_OK);
    assert_true(vm.hint.set);
    assert_int_equal(vm.hint.address, 0x3f9);
    assert_int_equal(vm.hint.details[0].match, 1);
    assert_int_equal(vm.hint.details[0].reg[0], 5);
}

static void setup_strict(struct vw_crosvm_main *m, struct vw_crosvm_vm *vm, enum vw_crosvm_revision rev)
{
    vw_arena_init(&arena, mem, sizeof mem);
    assert_int_equal(vw_crosvm_vm_init(vm, &(struct vw_crosvm_vm_config){ rev, 1, false }), VW_OK);
    struct vw_crosvm_main_config cfg = { VW_CROSVM_HOST, vm, &arena, 1 };
    assert_int_equal(vw_crosvm_main_init(m, &cfg), VW_OK);
}

static void test_host_main_strict(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    struct vw_crosvm_main m;
    struct vw_crosvm_main_event ev;
    static uint8_t big[4097];
    size_t used;
    setup_strict(&m, &vm, VW_CROSVM_FINAL);
    assert_int_equal(mfeed(&m, "920100", 1), VW_E_BAD_FDS); /* a stray fd */
    assert_int_equal(mfeed(&m, "0a07 0805 1a03 188020", 2), VW_E_BAD_FDS); /* two fds */
    assert_int_equal(hfeed(&m, "5204 1010 1810", 0, "5a00", &ev), VW_OK);
    assert_int_equal(hfeed(&m, "5204 1008 1809", 0, "0802 5a00", &ev), VW_OK); /* any overlap */
    assert_int_equal(vw_crosvm_main_feed(&m, big, sizeof big, 0, &ev, &used), VW_E_TOO_LONG);
    assert_int_equal(ev.end, VW_CROSVM_END_CONNECTION);
    assert_int_equal(mfeed(&m, "920100", 0), VW_E_FAILED);
}

/* ---- vCPU ----------------------------------------------------------------- */

static vw_status vstep(struct vw_crosvm_vcpu *v, int feed, const char *hex)
{
    uint8_t in[2048];
    size_t len = unhex(hex, in), used;
    struct vw_crosvm_vcpu_event ev;
    return feed ? vw_crosvm_vcpu_feed(v, in, len, &ev, &used) : vw_crosvm_vcpu_check_out(v, in, len, &ev);
}

static void expect_out(struct vw_crosvm_vcpu *v, const char *hex)
{
    uint8_t out[64], exp[64];
    size_t w, n = unhex(hex, exp);
    assert_int_equal(vw_crosvm_vcpu_output(v, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, n);
    assert_memory_equal(out, exp, n);
}

static void vm_with_ranges(struct vw_crosvm_vm *vm, enum vw_crosvm_revision rev)
{
    assert_int_equal(vw_crosvm_vm_init(vm, &(struct vw_crosvm_vm_config){ rev, 1, false }), VW_OK);
    const struct vw_crosvm_range r[3] = {
        { 0x3f8, 8, 0, 0 }, { 0x1000, 0x1000, 1, rev == VW_CROSVM_FINAL }, { 0x2000, 0x1000, 1, 0 }
    };
    for (int i = 0; i < 3; i++)
        assert_int_equal(vw_crosvm_vm_add_range(vm, &r[i]), VW_OK);
    assert_int_equal(vw_crosvm_vm_set_started(vm, true), VW_OK);
}

/* The VM state setters (what a VMM restores without a conversation): the
 * state they leave is one the main channel reaches, and what it cannot reach
 * is refused with the table unchanged. */
static void test_vm_setters(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, 2, false }), VW_OK);
    assert_int_equal(vw_crosvm_vm_set_started(NULL, true), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_add_range(NULL, &(struct vw_crosvm_range){ 0, 1, 0, 0 }), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_add_range(&vm, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_set_pause(NULL, 0, 1), VW_E_INVALID_ARG);

    /* a pause before Start does nothing (CV-MAIN-19), so none can be set */
    assert_int_equal(vw_crosvm_vm_set_pause(&vm, 0, 7), VW_E_STATE);
    assert_int_equal(vm.pause_pending, 0);
    assert_int_equal(vw_crosvm_vm_set_started(&vm, true), VW_OK);
    assert_true(vm.started);
    assert_int_equal(vw_crosvm_vm_set_pause(&vm, 1, 7), VW_OK);
    assert_int_equal(vw_crosvm_vm_set_pause(&vm, 1, 9), VW_OK); /* replaced, as a second PauseVcpus does */
    assert_int_equal(vm.pause_pending, 2);
    assert_int_equal(vm.pause_user[1], 9);
    assert_int_equal(vw_crosvm_vm_set_pause(&vm, 2, 7), VW_E_INVALID_ARG); /* the VM has 2 vCPUs */
    assert_int_equal(vm.pause_pending, 2);
    assert_int_equal(vw_crosvm_vm_set_started(&vm, false), VW_OK); /* no pause survives */
    assert_false(vm.started);
    assert_int_equal(vm.pause_pending, 0);
    /* the plugin end before GetVcpus (0 vCPUs known): any index of the table */
    static struct vw_crosvm_vm pvm;
    assert_int_equal(vw_crosvm_vm_init(&pvm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, 0, false }), VW_OK);
    assert_int_equal(vw_crosvm_vm_set_started(&pvm, true), VW_OK);
    assert_int_equal(vw_crosvm_vm_set_pause(&pvm, VW_CROSVM_MAX_VCPUS - 1, 3), VW_OK);
    assert_int_equal(pvm.pause_pending, 1u << (VW_CROSVM_MAX_VCPUS - 1));
    assert_int_equal(vw_crosvm_vm_set_pause(&pvm, VW_CROSVM_MAX_VCPUS, 3), VW_E_INVALID_ARG);

    /* ranges no ReserveRange could make (CV-MAIN-9, CV-MAIN-10) */
    const struct vw_crosvm_range bad[] = {
        { 0x10, 0, 0, 0 },               /* length 0 unreserves */
        { 0x10, 1, 2, 0 },               /* no such space */
        { UINT64_MAX - 3, 8, 0, 0 },     /* wraps */
        { UINT64_MAX - 7, 8, 0, 0 },     /* start + length is 2^64: refused as by ReserveRange */
        { 0x10, 1, 1, 1 },               /* async_write in seed */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(vw_crosvm_vm_add_range(&vm, &bad[i]), VW_E_INVALID_ARG);
    assert_int_equal(vm.n_ranges, 0);
    assert_int_equal(vw_crosvm_vm_add_range(&vm, &(struct vw_crosvm_range){ UINT64_MAX - 8, 8, 0, 0 }), VW_OK);
    /* crosvm's probe (CV-MAIN-11): [0x10, 0x20) reserved */
    assert_int_equal(vw_crosvm_vm_add_range(&vm, &(struct vw_crosvm_range){ 0x10, 0x10, 0, 0 }), VW_OK);
    assert_int_equal(vw_crosvm_vm_add_range(&vm, &(struct vw_crosvm_range){ 0x18, 4, 0, 0 }), VW_E_CONFLICT);
    assert_int_equal(vw_crosvm_vm_add_range(&vm, &(struct vw_crosvm_range){ 0x08, 0x10, 0, 0 }), VW_E_CONFLICT);
    assert_int_equal(vm.n_ranges, 2);
    /* [0x08, 0x11) ends on 0x10, where the other starts: crosvm's off-by-one accepts it */
    assert_int_equal(vw_crosvm_vm_add_range(&vm, &(struct vw_crosvm_range){ 0x08, 9, 0, 0 }), VW_OK);
    assert_int_equal(vw_crosvm_vm_find_range(&vm, 0, 0x10, 1)->start, 0x10); /* the higher start */
    assert_int_equal(vw_crosvm_vm_find_range(&vm, 0, 0x0f, 1)->start, 0x08);
    /* the same addresses in MMIO do not conflict; a final VM takes async_write */
    assert_int_equal(vw_crosvm_vm_add_range(&vm, &(struct vw_crosvm_range){ 0x18, 4, 1, 0 }), VW_OK);
    static struct vw_crosvm_vm fvm;
    assert_int_equal(vw_crosvm_vm_init(&fvm, &(struct vw_crosvm_vm_config){ VW_CROSVM_FINAL, 1, false }), VW_OK);
    assert_int_equal(vw_crosvm_vm_add_range(&fvm, &(struct vw_crosvm_range){ 0x10, 1, 1, 1 }), VW_OK);
    assert_int_equal(fvm.ranges[0].async_write, 1);
    assert_int_equal(vw_crosvm_vm_add_range(&fvm, &(struct vw_crosvm_range){ 0x20, 1, 1, 2 }), VW_E_INVALID_ARG);

    /* a full table */
    while (fvm.n_ranges < VW_CROSVM_MAX_RANGES)
        assert_int_equal(vw_crosvm_vm_add_range(&fvm, &(struct vw_crosvm_range){ 0x100 * fvm.n_ranges, 1, 0, 0 }),
                         VW_OK);
    assert_int_equal(vw_crosvm_vm_add_range(&fvm, &(struct vw_crosvm_range){ 0x10000, 1, 0, 0 }), VW_E_CAPACITY);
    assert_int_equal(fvm.n_ranges, VW_CROSVM_MAX_RANGES);
    assert_null(vw_crosvm_vm_find_range(&fvm, 0, 0x10000, 1));
}

/* Every event begins with its kind (doc/CONVENTIONS.md, the engine contract):
 * what was read or checked, by the end's role; NONE when no message was. */
static void test_event_kind(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm, pvm;
    struct vw_crosvm_main h, p;
    struct vw_crosvm_main_event ev;
    uint8_t in[16];
    size_t used;
    setup_main(&h, &vm, VW_CROSVM_SEED, VW_CROSVM_HOST, 1);
    assert_int_equal(hfeed(&h, "5200", 0, "5a00", &ev), VW_OK); /* GetVcpus read: a request */
    assert_int_equal(ev.kind, VW_CROSVM_EV_REQUEST);
    assert_int_equal(hfeed(&h, "0a06 0802 1202 1804", 0, "1200", &ev), VW_OK);
    assert_int_equal(hfeed(&h, "0a06 0802 1202 1804", 0, "0821 1200", &ev), VW_OK); /* EEXIST */
    assert_int_equal(ev.kind, VW_CROSVM_EV_REQUEST);
    /* memory 1 with dirty logging, then its dirty log: the host answers it itself */
    assert_int_equal(hfeed(&h, "0a0d 0801 1a09 10808004 188020 2801", 1, "1200", &ev), VW_OK);
    assert_int_equal(vw_crosvm_main_feed(&h, in, unhex("aa0602 0801", in), 0, &ev, &used), VW_OK);
    assert_int_equal(vw_crosvm_main_check_out(&h, in, unhex("aa0603 0a0101", in), 0, &ev), VW_OK);
    assert_int_equal(ev.kind, VW_CROSVM_EV_RESPONSE); /* the host checked its answer */
    assert_int_equal(vw_crosvm_main_feed(&h, in, unhex("0a", in), 0, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(ev.kind, VW_CROSVM_EV_NONE); /* nothing decoded */
    setup_main(&p, &pvm, VW_CROSVM_FINAL, VW_CROSVM_PLUGIN, 0);
    assert_int_equal(vw_crosvm_main_check_out(&p, in, unhex("8a0100", in), 0, &ev), VW_OK);
    assert_int_equal(ev.kind, VW_CROSVM_EV_REQUEST); /* the plugin checked its request */
    assert_int_equal(vw_crosvm_main_feed(&p, in, unhex("920100", in), 4, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_CROSVM_EV_RESPONSE);

    static struct vw_crosvm_vm vvm;
    vw_arena_init(&arena, mem, sizeof mem);
    assert_int_equal(vw_crosvm_vm_init(&vvm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, 1, false }), VW_OK);
    struct vw_crosvm_vcpu host, plug;
    struct vw_crosvm_vcpu_config hc = { VW_CROSVM_SEED, VW_CROSVM_HOST, &vvm, 0, &arena, 0 };
    struct vw_crosvm_vcpu_config pc = { VW_CROSVM_SEED, VW_CROSVM_PLUGIN, &vvm, 0, &arena, 0 };
    assert_int_equal(vw_crosvm_vcpu_init(&host, &hc), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_init(&plug, &pc), VW_OK);
    struct vw_crosvm_vcpu_event ve;
    assert_int_equal(vw_crosvm_vcpu_feed(&host, in, unhex("0a00", in), &ve, &used), VW_OK);
    assert_int_equal(ve.kind, VW_CROSVM_EV_REQUEST);
    assert_int_equal(vw_crosvm_vcpu_send(&plug, in, unhex("0a00", in), &ve), VW_OK); /* the deprecated name */
    assert_int_equal(ve.kind, VW_CROSVM_EV_REQUEST);
    assert_int_equal(vw_crosvm_vcpu_feed(&plug, in, unhex("1202 0a00", in), &ve, &used), VW_OK);
    assert_int_equal(ve.kind, VW_CROSVM_EV_RESPONSE);
    assert_int_equal(vw_crosvm_vcpu_feed(&plug, in, unhex("12", in), &ve, &used), VW_E_TRUNCATED);
    assert_int_equal(ve.kind, VW_CROSVM_EV_NONE);
}

static void test_vcpu_seed(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    vm_with_ranges(&vm, VW_CROSVM_SEED);
    vw_arena_init(&arena, mem, sizeof mem);
    struct vw_crosvm_vcpu host, plug;
    struct vw_crosvm_vcpu_config hc = { VW_CROSVM_SEED, VW_CROSVM_HOST, &vm, 0, &arena, 0 };
    struct vw_crosvm_vcpu_config pc = { VW_CROSVM_SEED, VW_CROSVM_PLUGIN, &vm, 0, &arena, 0 };
    assert_int_equal(vw_crosvm_vcpu_init(&host, &hc), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_init(&plug, &pc), VW_OK);
    /* host: GetState before the first Wait -> EPROTO (-71 -> 141) with no member, state error */
    assert_int_equal(vstep(&host, 1, "1a00"), VW_E_STATE);
    expect_out(&host, "088d01");
    /* the first Wait is answered with Init by the engine */
    assert_int_equal(vstep(&host, 1, "0a00"), VW_OK);
    expect_out(&host, "1202 0a00");
    /* plugin: Init must come first */
    assert_int_equal(vstep(&plug, 0, "1200"), VW_E_STATE); /* Resume before Wait */
    assert_int_equal(vstep(&plug, 0, "0a00"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1208 1206 10f807 220100"), VW_E_MISMATCH); /* io before init */
    assert_int_equal(vstep(&plug, 1, "1202 0a00"), VW_OK);
    assert_int_equal(vstep(&plug, 0, "0a00"), VW_E_STATE); /* Wait while stopped */
    /* Resume from Init with no data; answered in seed */
    assert_int_equal(vstep(&plug, 0, "1200"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1a00"), VW_OK);
    /* Wait -> io read of 1 byte at port 0x3f8 */
    assert_int_equal(vstep(&plug, 0, "0a00"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1208 1206 10f807 220100"), VW_OK);
    /* GetMsrs{[1,2]} answered with 2 values; 1 value is wrong */
    assert_int_equal(vstep(&plug, 0, "2a04 0a020102"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "3203 0a0105"), VW_E_BAD_LENGTH);
    assert_int_equal(vstep(&plug, 1, "3204 0a020506"), VW_OK);
    /* Resume must carry exactly the 1 byte read */
    assert_int_equal(vstep(&plug, 0, "1200"), VW_E_BAD_LENGTH);
    assert_int_equal(vstep(&plug, 0, "1203 0a0141"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1a00"), VW_OK);
    /* io outside every reserved range (port 0x60) */
    assert_int_equal(vstep(&plug, 0, "0a00"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1207 1205 1060 220100"), VW_E_NOT_FOUND);
    /* User without a pause pending, then with one */
    assert_int_equal(vstep(&plug, 1, "1204 1a02 0807"), VW_E_NOT_FOUND);
    assert_int_equal(vw_crosvm_vm_set_pause(&vm, 0, 7), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1204 1a02 0807"), VW_OK);
    assert_int_equal(vm.pause_pending, 0);
    /* nothing is pushed in seed: an answer while running is out of order */
    assert_int_equal(vstep(&plug, 0, "1200"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1a00"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1208 1206 10f807 220100"), VW_E_STATE);
}

static void test_vcpu_final(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    vm_with_ranges(&vm, VW_CROSVM_FINAL);
    vw_arena_init(&arena, mem, sizeof mem);
    struct vw_crosvm_vcpu host, plug;
    struct vw_crosvm_vcpu_config hc = { VW_CROSVM_FINAL, VW_CROSVM_HOST, &vm, 0, &arena, 0 };
    struct vw_crosvm_vcpu_config pc = { VW_CROSVM_FINAL, VW_CROSVM_PLUGIN, &vm, 0, &arena, 0 };
    assert_int_equal(vw_crosvm_vcpu_init(&host, &hc), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_init(&plug, &pc), VW_OK);
    /* host: Wait -> framed Init: 04 | 12 02 0a 00 */
    assert_int_equal(vstep(&host, 1, "0a00"), VW_OK);
    expect_out(&host, "04 1202 0a00");
    /* a Wait while stopped: EPROTO (71 -> 142) with no member, framed */
    assert_int_equal(vstep(&host, 1, "0a00"), VW_E_STATE);
    expect_out(&host, "03 088e01");
    /* Resume is not answered: running */
    assert_int_equal(vstep(&host, 1, "1200"), VW_OK);
    expect_out(&host, "");
    /* the host pushes a read of 4 bytes at MMIO 0x2000 */
    assert_int_equal(vstep(&host, 0, "120d 120b 0801 108040 2a0400000000"), VW_OK);
    /* plugin side of the same */
    assert_int_equal(vstep(&plug, 0, "0a00"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1202 0a00"), VW_OK);
    assert_int_equal(vstep(&plug, 0, "1200"), VW_OK);
    assert_int_equal(vstep(&plug, 0, "0a00"), VW_E_STATE); /* no request while running */
    /* an async write: no_resume, the vCPU keeps running */
    assert_int_equal(vstep(&plug, 1, "120e 120c 0801 108020 1801 2001 2a017f"), VW_OK);
    assert_int_equal(vstep(&plug, 0, "1200"), VW_E_STATE); /* no Resume after no_resume */
    /* a write into the async range without no_resume is wrong */
    assert_int_equal(vstep(&plug, 1, "120c 120a 0801 108020 1801 2a017f"), VW_E_BAD_VALUE);
    /* no_resume outside an async range is wrong too */
    assert_int_equal(vstep(&plug, 1, "120e 120c 0801 108040 1801 2001 2a017f"), VW_E_BAD_VALUE);
    /* a pushed read; Resume with its 4 bytes, plus regs of the wrong size */
    assert_int_equal(vstep(&plug, 1, "120d 120b 0801 108040 2a0400000000"), VW_OK);
    assert_int_equal(vstep(&plug, 0, "1209 0a0401020304 120100"), VW_E_BAD_LENGTH);
    /* GetState{LAPIC} answered with 1024 bytes */
    assert_int_equal(vstep(&plug, 0, "1a02 0804"), VW_OK);
    char hex[2200] = "2283 08 0a80 08";
    for (int i = 0; i < 1024; i++)
        strcat(hex, "00");
    assert_int_equal(vstep(&plug, 1, hex), VW_OK);
    assert_int_equal(vstep(&plug, 0, "1206 0a0401020304"), VW_OK);
    /* hyper-V call: the Resume carries the 8-byte result */
    assert_int_equal(vstep(&plug, 1, "1204 2202 0801"), VW_OK);
    assert_int_equal(vstep(&plug, 0, "1206 0a0401020304"), VW_E_BAD_LENGTH);
    assert_int_equal(vstep(&plug, 0, "120a 0a080102030405060708"), VW_OK);
    /* Shutdown ends the channel */
    assert_int_equal(vstep(&plug, 0, "4200"), VW_OK);
    assert_int_equal(vstep(&plug, 0, "0a00"), VW_E_STATE);
    /* during an I/O stop crosvm logs a request that does not decode and
     * resumes the vCPU (CV-VCPU-20): running, not failed */
    assert_int_equal(vstep(&host, 1, "12"), VW_E_TRUNCATED);
    assert_int_equal(host.state, VW_CROSVM_VS_RUNNING);
    assert_int_equal(vstep(&host, 1, "1200"), VW_E_STATE);
    /* during a pause the vCPU thread ends: the channel is unusable */
    assert_int_equal(vw_crosvm_vm_set_pause(&vm, 0, 7), VW_OK);
    assert_int_equal(vstep(&host, 0, "1204 1a02 0807"), VW_OK);
    assert_int_equal(vstep(&host, 1, "12"), VW_E_TRUNCATED);
    assert_int_equal(vstep(&host, 1, "1200"), VW_E_FAILED);
}


static void test_vcpu_upstream(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm;
    vm_with_ranges(&vm, VW_CROSVM_FINAL);
    assert_int_equal(vw_crosvm_vm_set_pause(&vm, 0, 7), VW_OK);
    vw_arena_init(&arena, mem, sizeof mem);
    struct vw_crosvm_vcpu host, plug, strict;
    struct vw_crosvm_vcpu_config hc = { VW_CROSVM_FINAL, VW_CROSVM_HOST, &vm, 0, &arena, 0 };
    struct vw_crosvm_vcpu_config pc = { VW_CROSVM_FINAL, VW_CROSVM_PLUGIN, &vm, 0, &arena, 0 };
    struct vw_crosvm_vcpu_config sc = { VW_CROSVM_FINAL, VW_CROSVM_HOST, NULL, 0, &arena, 1 };
    assert_int_equal(vw_crosvm_vcpu_init(&host, &hc), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_init(&plug, &pc), VW_OK);
    assert_int_equal(vw_crosvm_vcpu_init(&strict, &sc), VW_OK);
    /* Init pending: a request with no member is EPROTO, checked before validation */
    assert_int_equal(vstep(&host, 1, "f80601"), VW_E_STATE);
    expect_out(&host, "03 088e01");
    assert_int_equal(vstep(&host, 1, "0a00"), VW_OK);
    expect_out(&host, "04 1202 0a00");
    /* after Init: ENOTTY (25 -> 50), no member */
    assert_int_equal(vstep(&host, 1, "f80601"), VW_E_MISSING_FIELD);
    expect_out(&host, "02 0832");
    /* Resume data is ignored after Init, a write and a pause */
    assert_int_equal(vstep(&host, 1, "1203 0a0141"), VW_OK);
    assert_int_equal(vstep(&host, 0, "120a 1208 10f807 1801 2a0141"), VW_OK);
    assert_int_equal(vstep(&host, 1, "1203 0a0141"), VW_OK);
    assert_int_equal(vstep(&host, 0, "1204 1a02 0807"), VW_OK);
    assert_int_equal(vstep(&host, 1, "1203 0a0141"), VW_OK);
    /* after a 2-byte read longer data is cut, shorter data panics crosvm */
    assert_int_equal(vstep(&host, 0, "1209 1207 10f907 2a020000"), VW_OK);
    assert_int_equal(vstep(&host, 1, "1206 0a0441424344"), VW_OK);
    assert_int_equal(vstep(&host, 0, "1209 1207 10f907 2a020000"), VW_OK);
    assert_int_equal(vstep(&host, 1, "1203 0a0141"), VW_E_BAD_LENGTH);
    assert_int_equal(vstep(&host, 1, "1204 0a024142"), VW_E_FAILED);
    /* strict: exactly the bytes the stop waits for */
    assert_int_equal(vstep(&strict, 1, "0a00"), VW_OK);
    assert_int_equal(vstep(&strict, 1, "1203 0a0141"), VW_E_BAD_LENGTH);
    assert_int_equal(vstep(&strict, 1, "1200"), VW_OK);
    assert_int_equal(vstep(&strict, 0, "1209 1207 10f907 2a020000"), VW_OK);
    assert_int_equal(vstep(&strict, 1, "1206 0a0441424344"), VW_E_BAD_LENGTH);
    assert_int_equal(vstep(&strict, 1, "1204 0a024142"), VW_OK);
    /* hyper-V call: exactly 8 bytes even without strict */
    assert_int_equal(vstep(&strict, 0, "1204 2202 0801"), VW_OK);
    assert_int_equal(vstep(&strict, 1, "120b 0a09 010203040506070809"), VW_E_BAD_LENGTH);
    /* plugin: a read whose first byte is in 0x3f8..0x3ff, running past the end */
    assert_int_equal(vstep(&plug, 0, "0a00"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1202 0a00"), VW_OK);
    assert_int_equal(vstep(&plug, 0, "1200"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1209 1207 10ff07 2a020000"), VW_OK);
    /* GetMsrs: fewer values are fine in final, more are not */
    assert_int_equal(vstep(&plug, 0, "2a04 0a020102"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "3205 0a03050607"), VW_E_BAD_LENGTH);
    assert_int_equal(vstep(&plug, 1, "3203 0a0105"), VW_OK);
    /* a 9-byte port write is more than final crosvm passes on */
    assert_int_equal(vstep(&plug, 0, "1204 0a024142"), VW_OK);
    assert_int_equal(vstep(&plug, 1, "1212 1210 10f807 1801 2a09 000000000000000000"), VW_E_BAD_LENGTH);
}

/* vw_crosvm_vm_init() takes a config (issue 20): its refusals leave the VM as it was, and what it
 * accepts is what the engines see. */
static void test_vm_config(void **state)
{
    (void)state;
    static struct vw_crosvm_vm vm, before;
    struct vw_crosvm_vm_config c = { .rev = VW_CROSVM_FINAL, .n_vcpus = 3, .has_tap = true };
    assert_int_equal(vw_crosvm_vm_init(&vm, &c), VW_OK);
    assert_int_equal(vm.rev, VW_CROSVM_FINAL);
    assert_int_equal(vm.n_vcpus, 3);
    assert_true(vm.has_tap);
    assert_false(vm.started);
    assert_int_equal(vm.n_objects, 0);
    assert_int_equal(vm.n_ranges, 0);
    assert_int_equal(vm.pause_pending, 0);
    before = vm;
    /* refusals: NULL arguments, an unknown revision, more vCPUs than the revision allows */
    assert_int_equal(vw_crosvm_vm_init(NULL, &c), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_init(&vm, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ (enum vw_crosvm_revision)2, 1, false }),
                     VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ (enum vw_crosvm_revision)-1, 1, false }),
                     VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, VW_CROSVM_MAX_VCPUS + 1, false }),
                     VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_FINAL, VW_CROSVM_MAX_VCPUS_FINAL + 1, false }),
                     VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_FINAL, UINT_MAX, true }),
                     VW_E_INVALID_ARG);
    assert_memory_equal(&vm, &before, sizeof vm); /* every refusal left it alone */
    /* the limits themselves are accepted, and 0 (the plugin end before GetVcpus) */
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, VW_CROSVM_MAX_VCPUS, false }), VW_OK);
    assert_int_equal(vm.n_vcpus, VW_CROSVM_MAX_VCPUS);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_FINAL, VW_CROSVM_MAX_VCPUS_FINAL, false }), VW_OK);
    assert_int_equal(vm.n_vcpus, VW_CROSVM_MAX_VCPUS_FINAL);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, 0, false }), VW_OK);
    assert_int_equal(vm.n_vcpus, 0);
    /* a tap in seed is not refused (seed has no GetNetConfig); re-init clears a started VM */
    assert_int_equal(vw_crosvm_vm_set_started(&vm, true), VW_OK);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_SEED, 1, true }), VW_OK);
    assert_int_equal(vm.rev, VW_CROSVM_SEED);
    assert_true(vm.has_tap);
    assert_false(vm.started);
    /* final: has_tap decides GetNetConfig (CV-MAIN-16): with a tap the answer waits for the
     * application (it carries the MAC address); without one it is ENODATA (61, zig-zag 122) */
    static struct vw_crosvm_main m;
    struct vw_crosvm_main_event ev;
    uint8_t in[8];
    size_t used, n = unhex("4a00", in);
    vw_arena_init(&arena, mem, sizeof mem);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_FINAL, 1, true }), VW_OK);
    assert_int_equal(vw_crosvm_main_init(&m, &(struct vw_crosvm_main_config){ VW_CROSVM_HOST, &vm, &arena, false }), VW_OK);
    assert_int_equal(vw_crosvm_main_feed(&m, in, n, 0, &ev, &used), VW_OK);
    assert_true(ev.app_reply);
    assert_int_equal(ev.err, 0);
    setup_main(&m, &vm, VW_CROSVM_FINAL, VW_CROSVM_HOST, 1); /* has_tap false */
    assert_int_equal(hfeed(&m, "4a00", 0, "087a", &ev), VW_OK);
    assert_false(ev.app_reply);
    assert_int_equal(ev.err, 61);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_main_seed),
        cmocka_unit_test(test_host_main_final),
        cmocka_unit_test(test_plugin_main),
        cmocka_unit_test(test_vcpu_seed),
        cmocka_unit_test(test_vcpu_final),
        cmocka_unit_test(test_host_main_upstream),
        cmocka_unit_test(test_host_main_strict),
        cmocka_unit_test(test_vcpu_upstream),
        cmocka_unit_test(test_event_kind),
        cmocka_unit_test(test_vm_setters),
        cmocka_unit_test(test_vm_config),
    };
    return cmocka_run_group_tests_name("crosvm_session", tests, NULL, NULL);
}
