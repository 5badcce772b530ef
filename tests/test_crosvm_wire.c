/* Unit tests of the crosvm wire layer (decode/encode, both revisions), its
 * rules (vw_crosvm_validate) and the promise that decoding never calls malloc.
 * Every input and expectation is derived by hand from the schema tables in
 * spec/crosvm.md and protobuf's encoding rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crosvm/final/plugin.pb-c.h"
#include "crosvm/seed/plugin.pb-c.h"
#include "vmwire/crosvm.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VWT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define VWT_ASAN 1
#endif

/* ---- malloc counting ------------------------------------------------------ */

static volatile int counting;
static volatile unsigned long mallocs;

#ifdef VWT_ASAN
#include <sanitizer/allocator_interface.h>
static void on_malloc(const volatile void *p, size_t size)
{
    (void)p;
    (void)size;
    if (counting)
        mallocs++;
}
static void on_free(const volatile void *p)
{
    (void)p;
}
static void hooks_install(void)
{
    static int done;
    if (!done)
        __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
    done = 1;
}
#else
/* Interpose the allocator of the whole process (libvmwire and protobuf-c
 * included) and count calls while `counting` is set. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);
void *malloc(size_t n)
{
    if (counting)
        mallocs++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    if (counting)
        mallocs++;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        mallocs++;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    __libc_free(p);
}
static void hooks_install(void)
{
}
#endif

/* ---- helpers ---------------------------------------------------------------- */

static unsigned char arena_mem[1 << 16];
static struct vw_arena arena;

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    int hi = -1;
    for (; *h; h++) {
        int d = *h >= '0' && *h <= '9' ? *h - '0' : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10 : -1;
        if (d < 0)
            continue; /* spaces group bytes for the reader */
        if (hi < 0) {
            hi = d;
        } else {
            out[n++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    return n;
}

static size_t last_len;

static vw_status dec(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind, const char *hex,
                     ProtobufCMessage **m, size_t *off)
{
    static uint8_t buf[8192];
    size_t len = unhex(hex, buf);
    last_len = len;
    vw_arena_init(&arena, arena_mem, sizeof arena_mem);
    return vw_crosvm_decode(rev, kind, buf, len, &arena, m, off);
}

/* decode, then encode canonically and compare with @p want_hex */
static void roundtrip(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind, const char *in,
                      const char *want_hex)
{
    ProtobufCMessage *m;
    size_t off;
    uint8_t want[512], out[512];
    assert_int_equal(dec(rev, kind, in, &m, &off), VW_OK);
    size_t wlen = unhex(want_hex, want), w;
    assert_int_equal(vw_crosvm_encode(m, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, wlen);
    assert_memory_equal(out, want, wlen);
}

static vw_status val(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind, const char *hex)
{
    ProtobufCMessage *m;
    size_t off;
    vw_status st = dec(rev, kind, hex, &m, &off);
    assert_int_equal(st, VW_OK);
    return vw_crosvm_validate(rev, kind, m, last_len);
}

/* ---- wire --------------------------------------------------------------------- */

static void test_kind_names(void **state)
{
    (void)state;
    enum vw_crosvm_revision r;
    enum vw_crosvm_kind k;
    assert_int_equal(vw_crosvm_kind_parse("crosvm.final.VcpuResponse", &r, &k), VW_OK);
    assert_int_equal(r, VW_CROSVM_FINAL);
    assert_int_equal(k, VW_CROSVM_VCPU_RESPONSE);
    assert_int_equal(vw_crosvm_kind_parse("crosvm.seed.MainRequest", &r, &k), VW_OK);
    assert_int_equal(r, VW_CROSVM_SEED);
    assert_int_equal(k, VW_CROSVM_MAIN_REQUEST);
    assert_int_equal(vw_crosvm_kind_parse("crosvm.seed.Wait", &r, &k), VW_E_UNSUPPORTED);
    assert_int_equal(vw_crosvm_kind_parse("crosvm.middle.MainRequest", &r, &k), VW_E_UNSUPPORTED);
    assert_null(vw_crosvm_descriptor(VW_CROSVM_FINAL, (enum vw_crosvm_kind)4));
}

static void test_create_memory(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    /* Create{id 1, memory{start 0x10000, length 0x1000, dirty_log}} */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "0a0d08011a09108080041880202801", &m, &off), VW_OK);
    assert_int_equal(off, 15);
    const Vmwire__Crosvm__Seed__MainRequest *r = (const void *)m;
    assert_int_equal(r->message_case, VMWIRE__CROSVM__SEED__MAIN_REQUEST__MESSAGE_CREATE);
    assert_int_equal(r->create->id, 1);
    assert_int_equal(r->create->constructor_case, VMWIRE__CROSVM__SEED__MAIN_REQUEST__CREATE__CONSTRUCTOR_MEMORY);
    assert_int_equal(r->create->memory->start, 0x10000);
    assert_int_equal(r->create->memory->length, 0x1000);
    assert_true(r->create->memory->dirty_log);
    assert_false(r->create->memory->read_only);
    assert_int_equal(vw_crosvm_validate(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, m, off), VW_OK);
}

static void test_merge_and_oneof(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    /* create{id 5} then an empty create: merged, id stays 5 (CV-PB-5) */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "0a0208050a00", &m, &off), VW_OK);
    const Vmwire__Crosvm__Seed__MainRequest *r = (const void *)m;
    assert_int_equal(r->message_case, VMWIRE__CROSVM__SEED__MAIN_REQUEST__MESSAGE_CREATE);
    assert_int_equal(r->create->id, 5);
    /* destroy{id 7} then start{}: the last member wins (CV-PB-6) */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "120208075a00", &m, &off), VW_OK);
    r = (const void *)m;
    assert_int_equal(r->message_case, VMWIRE__CROSVM__SEED__MAIN_REQUEST__MESSAGE_START);
    roundtrip(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "120208075a00", "5a00");
}

static void test_unknown_and_wrong_wire_type(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    /* errno as fixed32: skipped as unknown (CV-PB-2) */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "0d01020304", &m, &off), VW_OK);
    assert_int_equal(((const Vmwire__Crosvm__Seed__MainResponse *)m)->errno_, 0);
    /* a group at field 1 is skipped, then errno -2 (CV-PB-8) */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "0b0c0803", &m, &off), VW_OK);
    assert_int_equal(((const Vmwire__Crosvm__Seed__MainResponse *)m)->errno_, -2);
    /* unknown field 15 (varint) and 16 (length) skipped; re-encoding drops them */
    roundtrip(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "78018201020a0b0803", "0803");
    /* final: check_extension{has_extension as fixed32}: skipped, no value */
    assert_int_equal(dec(VW_CROSVM_FINAL, VW_CROSVM_MAIN_RESPONSE, "32050d01000000", &m, &off), VW_OK);
    const Vmwire__Crosvm__Final__MainResponse *f = (const void *)m;
    assert_int_equal(f->message_case, VMWIRE__CROSVM__FINAL__MAIN_RESPONSE__MESSAGE_CHECK_EXTENSION);
    assert_false(f->check_extension->has_extension);
    /* bool from an 11th-group varint: value bits above 63 ignored -> 10 bytes max, so false */
    assert_int_equal(dec(VW_CROSVM_FINAL, VW_CROSVM_MAIN_RESPONSE, "320b0880808080808080808002", &m, &off), VW_OK);
    f = (const void *)m;
    assert_false(f->check_extension->has_extension);
}

static void test_bad_bytes(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "820000", &m, &off), VW_E_BAD_FIELD_NUMBER);
    assert_null(m);
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "08", &m, &off), VW_E_TRUNCATED);
    assert_int_equal(off, 1);
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "0880", &m, &off), VW_E_TRUNCATED);
    assert_int_equal(off, 2);
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "08ffffffffffffffffffff01", &m, &off),
                     VW_E_BAD_VARINT);
    /* wire types 6 and 7 */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, "0e", &m, &off), VW_E_BAD_WIRE_TYPE);
    /* a length running past the end */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, "120300", &m, &off), VW_E_TRUNCATED);
    /* the 5-byte tag with bits above 2^32 reads as field 1 (CV-PB-10): errno 5 */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "88808080100a", &m, &off), VW_OK);
    assert_int_equal(((const Vmwire__Crosvm__Seed__MainResponse *)m)->errno_, 5);
}

static void test_packed_unpacked(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    /* get_msrs{entry_indices [1,2,3]} packed and unpacked decode the same */
    const char *forms[] = { "2a050a03010203", "2a06080108020803" };
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, forms[i], &m, &off), VW_OK);
        const Vmwire__Crosvm__Seed__VcpuRequest *r = (const void *)m;
        assert_int_equal(r->message_case, VMWIRE__CROSVM__SEED__VCPU_REQUEST__MESSAGE_GET_MSRS);
        assert_int_equal(r->get_msrs->n_entry_indices, 3);
        assert_int_equal(r->get_msrs->entry_indices[0], 1);
        assert_int_equal(r->get_msrs->entry_indices[2], 3);
        roundtrip(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, forms[i], "2a050a03010203");
    }
    /* mixed: one unpacked element, then a packed run */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, "2a0608010a020203", &m, &off), VW_OK);
    assert_int_equal(((const Vmwire__Crosvm__Seed__VcpuRequest *)m)->get_msrs->n_entry_indices, 3);
}

static void test_errno_zigzag(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_VCPU_RESPONSE, "0801", &m, &off), VW_OK);
    assert_int_equal(((const Vmwire__Crosvm__Seed__VcpuResponse *)m)->errno_, -1);
    assert_int_equal(dec(VW_CROSVM_FINAL, VW_CROSVM_VCPU_RESPONSE, "088e01", &m, &off), VW_OK);
    assert_int_equal(((const Vmwire__Crosvm__Final__VcpuResponse *)m)->errno_, 71);
}

static void test_final_io_renumbered(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    /* Wait{io{space MMIO, address 0x1000, is_write, data 2a}}: data is field 5 in final */
    const char *fin = "120c 120a 0801 108020 1801 2a012a";
    assert_int_equal(dec(VW_CROSVM_FINAL, VW_CROSVM_VCPU_RESPONSE, fin, &m, &off), VW_OK);
    const Vmwire__Crosvm__Final__VcpuResponse *f = (const void *)m;
    assert_int_equal(f->message_case, VMWIRE__CROSVM__FINAL__VCPU_RESPONSE__MESSAGE_WAIT);
    assert_int_equal(f->wait->exit_case, VMWIRE__CROSVM__FINAL__VCPU_RESPONSE__WAIT__EXIT_IO);
    assert_int_equal(f->wait->io->address, 0x1000);
    assert_int_equal(f->wait->io->data.len, 1);
    assert_int_equal(f->wait->io->data.data[0], 0x2a);
    assert_false(f->wait->io->no_resume);
    /* the same bytes read as seed: field 5 is unknown there, so no data (CV-REV-3) */
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_VCPU_RESPONSE, fin, &m, &off), VW_OK);
    const Vmwire__Crosvm__Seed__VcpuResponse *sd = (const void *)m;
    assert_int_equal(sd->wait->io->data.len, 0);
    /* seed's data (field 4, bytes) read as final: field 4 is a bool, wrong wire type, skipped */
    assert_int_equal(dec(VW_CROSVM_FINAL, VW_CROSVM_VCPU_RESPONSE, "120c 120a 0801 108020 1801 22012a", &m, &off), VW_OK);
    f = (const void *)m;
    assert_false(f->wait->io->no_resume);
    assert_int_equal(f->wait->io->data.len, 0);
}

static void test_rules(void **state)
{
    (void)state;
    /* io_event length 3 refused, 4 accepted (CV-MAIN-6) */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "0a0608021202 1803"), VW_E_BAD_VALUE);
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "0a06080212021804"), VW_OK);
    /* create without constructor, empty request (CV-MAIN-3/4) */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "0a020805"), VW_E_MISSING_FIELD);
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, ""), VW_E_MISSING_FIELD);
    /* reserve_range space 2 is not named (CV-MAIN-9) */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "2a020802"), VW_E_BAD_ENUM);
    /* reserve_range that wraps: start 2^64-1, length 2 */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "2a0d10ffffffffffffffffff011802"), VW_E_BAD_VALUE);
    /* errno sign (CV-REV-2): seed either sign (+2 from a syscall); final +2 fine, -2 refused */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "0804"), VW_OK);
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "0803"), VW_OK);
    assert_int_equal(val(VW_CROSVM_FINAL, VW_CROSVM_MAIN_RESPONSE, "0804"), VW_OK);
    assert_int_equal(val(VW_CROSVM_FINAL, VW_CROSVM_MAIN_RESPONSE, "0803"), VW_E_BAD_VALUE);
    /* success must name its answer (CV-MAIN-16) */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, ""), VW_E_MISSING_FIELD);
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "5a00"), VW_OK);
    /* get_state with set 9 (CV-VCPU-4) */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, "1a020809"), VW_E_BAD_ENUM);
    /* final LAPIC is 4 in final only */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, "1a020804"), VW_E_BAD_ENUM);
    assert_int_equal(val(VW_CROSVM_FINAL, VW_CROSVM_VCPU_REQUEST, "1a020804"), VW_OK);
    /* Wait with no exit (CV-VCPU-7) */
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_VCPU_RESPONSE, "1200"), VW_E_MISSING_FIELD);
}

static void test_state_blob(void **state)
{
    (void)state;
    char hex[2 * 200 + 1];
    /* 22 93 01 (set_state, 147 bytes) | 12 90 01 (state, 144 bytes) | zeros;
       set REGS = 0 is the default, so it is not on the wire */
    strcpy(hex, "229301129001");
    for (int i = 0; i < 144; i++)
        strcat(hex, "00");
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, hex), VW_OK);
    /* 143 bytes: wrong size for kvm_regs */
    strcpy(hex, "229201128f01");
    for (int i = 0; i < 143; i++)
        strcat(hex, "00");
    assert_int_equal(val(VW_CROSVM_SEED, VW_CROSVM_VCPU_REQUEST, hex), VW_E_BAD_LENGTH);
    assert_int_equal(vw_crosvm_state_size(VW_CROSVM_FINAL, 1, 4), 1024);
    assert_int_equal(vw_crosvm_state_size(VW_CROSVM_SEED, 1, 4), 0);
    assert_int_equal(vw_crosvm_state_size(VW_CROSVM_FINAL, 0, 3), 112);
    assert_int_equal(vw_crosvm_state_size(VW_CROSVM_SEED, 0, 0), 0);
}

static void test_size_limits(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, "5a00", &m, &off), VW_OK);
    assert_int_equal(vw_crosvm_validate(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, m, 4096), VW_OK);
    assert_int_equal(vw_crosvm_validate(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, m, 4097), VW_E_TOO_LONG);
    assert_int_equal(dec(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, "5a00", &m, &off), VW_OK);
    assert_int_equal(vw_crosvm_validate(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, m, 0x40000), VW_OK);
    assert_int_equal(vw_crosvm_validate(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, m, 0x40001), VW_E_TOO_LONG);
    /* a message of another kind is an argument error */
    assert_int_equal(vw_crosvm_validate(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, m, 2), VW_E_INVALID_ARG);
}

static void test_arena_needed(void **state)
{
    (void)state;
    uint8_t buf[32];
    size_t len = unhex("0a0d08011a09108080041880202801", buf), off;
    ProtobufCMessage *m;
    struct vw_arena small;
    unsigned char tiny[8];
    vw_arena_init(&small, tiny, sizeof tiny);
    assert_int_equal(vw_crosvm_decode(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, buf, len, &small, &m, &off), VW_E_NOMEM);
    assert_null(m);
    size_t need = vw_arena_needed(&small);
    assert_true(need > sizeof tiny);
    unsigned char *exact = arena_mem;
    vw_arena_init(&small, exact, need);
    assert_int_equal(vw_crosvm_decode(VW_CROSVM_SEED, VW_CROSVM_MAIN_REQUEST, buf, len, &small, &m, &off), VW_OK);
}

static void test_decode_never_mallocs(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "0a0d08011a09108080041880202801", "0a0208050a00", "0b0c0803", "820000", "2a06080108020803",
        "08ffffffffffffffffffff01", "78018201020a0b0803", "",
    };
    hooks_install();
    for (unsigned rev = 0; rev < 2; rev++) {
        for (unsigned k = 0; k < 4; k++) {
            for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
                uint8_t buf[64], out[64];
                size_t len = unhex(inputs[i], buf), off, w;
                ProtobufCMessage *m;
                vw_arena_init(&arena, arena_mem, sizeof arena_mem);
                mallocs = 0;
                counting = 1;
                vw_status st = vw_crosvm_decode((enum vw_crosvm_revision)rev, (enum vw_crosvm_kind)k, buf, len,
                                                &arena, &m, &off);
                if (st == VW_OK) {
                    (void)vw_crosvm_validate((enum vw_crosvm_revision)rev, (enum vw_crosvm_kind)k, m, len);
                    (void)vw_crosvm_encode(m, out, sizeof out, &w);
                }
                counting = 0;
                assert_int_equal(mallocs, 0);
            }
        }
    }
    /* the counter works: a malloc in the window is seen */
    mallocs = 0;
    counting = 1;
    void *volatile p = malloc(16);
    counting = 0;
    free(p);
    assert_int_equal(mallocs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_create_memory),
        cmocka_unit_test(test_merge_and_oneof),
        cmocka_unit_test(test_unknown_and_wrong_wire_type),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_packed_unpacked),
        cmocka_unit_test(test_errno_zigzag),
        cmocka_unit_test(test_final_io_renumbered),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_state_blob),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_arena_needed),
        cmocka_unit_test(test_decode_never_mallocs),
    };
    return cmocka_run_group_tests_name("crosvm_wire", tests, NULL, NULL);
}
