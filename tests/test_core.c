/* Unit tests of src/core: status names, the arena, byte readers and writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/bytes.h"
#include "vmwire/vmwire.h"

static void status_names_round_trip(void **state)
{
    (void)state;
    int seen = 0;
    for (int v = 0; v < 128; v++) {
        const char *name = vw_status_name((vw_status)v);
        if (strcmp(name, "unknown") == 0)
            continue;
        seen++;
        vw_status back;
        assert_true(vw_status_from_name(name, &back));
        assert_int_equal(back, v);
        assert_string_not_equal(vw_status_str((vw_status)v), "unknown status");
    }
    assert_true(seen >= 30);
    assert_string_equal(vw_status_name(VW_OK), "ok");
    assert_string_equal(vw_status_name(VW_E_TRUNCATED), "truncated");
    assert_string_equal(vw_status_name((vw_status)12345), "unknown");
    assert_false(vw_status_from_name("no_such_status", NULL));
    assert_false(vw_status_from_name(NULL, NULL));
}

static void arena_aligns_and_counts(void **state)
{
    (void)state;
    _Alignas(16) unsigned char mem[100];
    struct vw_arena a;
    vw_arena_init(&a, mem, sizeof mem);
    void *p = vw_arena_alloc(&a, 3);
    void *q = vw_arena_alloc(&a, 17);
    assert_non_null(p);
    assert_non_null(q);
    assert_int_equal((uintptr_t)p % VW_ARENA_ALIGN, 0);
    assert_int_equal((uintptr_t)q % VW_ARENA_ALIGN, 0);
    assert_int_equal(vw_arena_used(&a), 16 + 32);
    /* 64 more would exceed 96 usable bytes: fails, but the need is counted. */
    assert_null(vw_arena_alloc(&a, 64));
    assert_int_equal(vw_arena_needed(&a), 16 + 32 + 64);
    /* Once exhausted, later small requests fail too: no partial results. */
    assert_null(vw_arena_alloc(&a, 1));
    vw_arena_reset(&a);
    assert_int_equal(vw_arena_used(&a), 0);
    assert_non_null(vw_arena_alloc(&a, 64));
}

static void arena_counting_only(void **state)
{
    (void)state;
    struct vw_arena a;
    vw_arena_init(&a, NULL, 1000);
    assert_null(vw_arena_alloc(&a, 10));
    assert_int_equal(vw_arena_needed(&a), 16);
}

static void writer_keeps_counting(void **state)
{
    (void)state;
    uint8_t buf[6];
    struct vw_wr w;
    vw_wr_init(&w, buf, sizeof buf);
    vw_wr_u32le(&w, 0x04030201u);
    assert_true(vw_wr_ok(&w));
    vw_wr_u64le(&w, 1);
    assert_false(vw_wr_ok(&w));
    assert_int_equal(w.off, 12);
    assert_memory_equal(buf, "\x01\x02\x03\x04", 4);
    assert_int_equal(vw_get_u32le(buf), 0x04030201u);
    uint8_t le[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    assert_true(vw_get_u64le(le) == 0x0807060504030201ull);
    assert_int_equal(vw_get_u16le(le + 1), 0x0302);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_names_round_trip),
        cmocka_unit_test(arena_aligns_and_counts),
        cmocka_unit_test(arena_counting_only),
        cmocka_unit_test(writer_keeps_counting),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
