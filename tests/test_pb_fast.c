/* The generated decoders and encoders (src/pb/gen_fast.c, run-time pieces in
 * src/pb/fast.c) against the generic vw_pb_decode() and vw_pb_encode(): the
 * same status, offset, arena counters and re-encoded bytes, and the same
 * encoder results at every capacity (fuzz/pb_fast_diff.h) on every input of the
 * crosvm and serial decode and validate vectors, with roomy, exact and short
 * arenas, and on hand-made inputs for the paths the vectors may miss:
 * oneof members switching back and forth, repeated messages growing past
 * each array capacity, the hand-over to the generic decoder in the middle
 * of a nested message, and arenas that run out at every block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>

#include "../fuzz/pb_fast_diff.h"
#include "crosvm/seed/plugin.pb-c.h"
#include "serial/guest.pb-c.h"

static int unhex(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    size_t k = strlen(s);
    if (k % 2 || k / 2 > cap)
        return 0;
    for (size_t i = 0; i < k / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (uint8_t)v;
    }
    *n = k / 2;
    return 1;
}

static int root_of(const char *message)
{
    static const char *const kinds[4] = { "MainRequest", "MainResponse", "VcpuRequest",
                                          "VcpuResponse" };
    if (strcmp(message, "serial.GuestMessage") == 0)
        return 8;
    if (strcmp(message, "serial.VmmConfig") == 0)
        return 9;
    for (int rev = 0; rev < 2; rev++) {
        char name[64];
        for (int k = 0; k < 4; k++) {
            snprintf(name, sizeof name, "crosvm.%s.%s", rev ? "final" : "seed", kinds[k]);
            if (strcmp(message, name) == 0)
                return rev * 4 + k;
        }
    }
    return -1;
}

static void check(unsigned root, const uint8_t *b, size_t n, const char *what)
{
    char why[256];
    if (pbf_diff_sizes(root, b, n, why, sizeof why))
        fail_msg("%s: %s", what, why);
}

static void all_vector_inputs_agree(void **state)
{
    (void)state;
    const char *top = getenv("top_srcdir");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/conformance/vectors", top ? top : ".");
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    static uint8_t buf[1 << 20];
    unsigned inputs = 0, roots_seen = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 5, ".json") != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        json_error_t err;
        json_t *doc = json_load_file(path, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &err);
        if (!doc)
            fail_msg("%s: %s", path, err.text);
        size_t gi;
        json_t *g;
        json_array_foreach(json_object_get(doc, "groups"), gi, g)
        {
            const char *msg = json_string_value(json_object_get(g, "message"));
            const char *op = json_string_value(json_object_get(g, "operation"));
            int root = msg ? root_of(msg) : -1;
            if (root < 0 || !op || (strcmp(op, "decode") != 0 && strcmp(op, "validate") != 0))
                continue;
            size_t ci;
            json_t *c;
            json_array_foreach(json_object_get(g, "cases"), ci, c)
            {
                const char *hex = json_string_value(json_object_get(c, "input"));
                size_t n;
                if (!hex || !unhex(hex, buf, sizeof buf, &n))
                    continue;
                char what[512];
                snprintf(what, sizeof what, "%s %s", de->d_name,
                         json_string_value(json_object_get(c, "id")));
                check((unsigned)root, buf, n, what);
                inputs++;
                roots_seen |= 1u << root;
            }
        }
        json_decref(doc);
    }
    closedir(dp);
    assert_true(inputs >= 900); /* about 930 when this test was written */
    assert_int_equal(roots_seen, 0x3ff);
}

/* seed and final VcpuResponse: wait (2) / resume (3 seed) with Wait.exit io (2) */
static void oneof_switching(void **state)
{
    (void)state;
    static const uint8_t cases[][24] = {
        /* wait{io{space 1}}, resume{}, wait{io{address 5}}: a new Wait after resume */
        { 0x12, 0x04, 0x12, 0x02, 0x08, 0x01, 0x1a, 0x00, 0x12, 0x04, 0x12, 0x02, 0x10, 0x05 },
        /* wait{io{space 1}}, wait{io{address 5}}: merged (PB-D-10) */
        { 0x12, 0x04, 0x12, 0x02, 0x08, 0x01, 0x12, 0x04, 0x12, 0x02, 0x10, 0x05 },
        /* wait{init{}}, wait{io{}}, wait{init{}}: the exit oneof switches twice */
        { 0x12, 0x02, 0x0a, 0x00, 0x12, 0x02, 0x12, 0x00, 0x12, 0x02, 0x0a, 0x00 },
        /* wait{io{data "ab", data "c"}}: bytes replaced */
        { 0x12, 0x09, 0x12, 0x07, 0x22, 0x02, 0x61, 0x62, 0x22, 0x01, 0x63 },
        /* errno -3 (sint32 zig-zag 5), then a 2-byte tag (field 16, unknown) inside io */
        { 0x08, 0x05, 0x12, 0x07, 0x12, 0x05, 0x08, 0x01, 0x80, 0x01, 0x00 },
        /* an unknown fixed32 field 15 inside io after one known field */
        { 0x12, 0x09, 0x12, 0x07, 0x08, 0x01, 0x7d, 0x01, 0x02, 0x03, 0x04 },
        /* truncated inside io: the generic decoder reports it */
        { 0x12, 0x05, 0x12, 0x03, 0x08, 0x81, 0x81 },
    };
    static const size_t lens[] = { 14, 12, 12, 11, 11, 11, 7 };
    for (unsigned r = 3; r < 8; r += 4)
        for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            char what[64];
            snprintf(what, sizeof what, "root %u case %u", r, i);
            check(r, cases[i], lens[i], what);
        }
}

/* MainRequest.set_irq_routing (7) with n routes, irqchip (2) and msi (3)
 * alternating, and every fifth route given twice in a row (a merge into a
 * repeated element is not one: a new element each time). */
static void repeated_growth(void **state)
{
    (void)state;
    static uint8_t b[4096];
    for (unsigned n = 0; n <= 70; n++) {
        uint8_t body[4000];
        size_t k = 0;
        for (unsigned i = 0; i < n; i++) {
            /* {irq_id i, msi{address 0x1234, data 7}} or {irq_id i, irqchip{irqchip 1, pin i}} */
            const int msi = i % 2;
            const uint8_t route[] = { 0x0a, msi ? 9 : 8, 0x08, (uint8_t)(i & 0x7f), msi ? 0x1a : 0x12,
                                      msi ? 5 : 4, 0x08, msi ? 0xb4 : 1, msi ? 0x24 : 0x10,
                                      msi ? 0x10 : (uint8_t)(i & 0x7f), 7 };
            memcpy(body + k, route, sizeof route - !msi); /* the 7 is msi's data */
            k += sizeof route - !msi;
        }
        size_t m = 0;
        b[m++] = 0x3a; /* set_irq_routing */
        if (k < 128) {
            b[m++] = (uint8_t)k;
        } else {
            b[m++] = (uint8_t)(0x80 | (k & 0x7f));
            b[m++] = (uint8_t)(k >> 7);
        }
        memcpy(b + m, body, k);
        m += k;
        char what[64];
        snprintf(what, sizeof what, "%u routes", n);
        check(0, b, m, what);
        check(4, b, m, what);
        /* the same routes in two set_irq_routing occurrences: merged */
        memcpy(b + m, b, m);
        check(0, b, 2 * m, what);
    }
}

static void check_enc(unsigned root, const ProtobufCMessage *m, const char *what)
{
    char why[256];
    if (pbf_enc_diffs(root, m, why, sizeof why))
        fail_msg("%s: %s", what, why);
}

/* Messages no decode produces, built as other code would: a forced empty
 * oneof sub-message (case set, pointer NULL), a member pointing to a message
 * of another type, a repeated element of another type and a NULL one, long
 * unmarked strings (a sub-message of 128 bytes or more), a nested message
 * and a serial message given to the crosvm entry (the generic encoder's). */
static void encoder_odd_messages(void **state)
{
    (void)state;
    Vmwire__Crosvm__Seed__VcpuResponse r = VMWIRE__CROSVM__SEED__VCPU_RESPONSE__INIT;
    Vmwire__Crosvm__Seed__VcpuResponse__Resume resume = VMWIRE__CROSVM__SEED__VCPU_RESPONSE__RESUME__INIT;
    Vmwire__Crosvm__Seed__VcpuResponse__Wait wait = VMWIRE__CROSVM__SEED__VCPU_RESPONSE__WAIT__INIT;
    r.errno_ = -70000;
    r.message_case = VMWIRE__CROSVM__SEED__VCPU_RESPONSE__MESSAGE_WAIT;
    r.wait = NULL;
    check_enc(3, &r.base, "wait NULL");
    r.wait = (Vmwire__Crosvm__Seed__VcpuResponse__Wait *)(void *)&resume;
    check_enc(3, &r.base, "wait of another type");
    r.wait = &wait;
    check_enc(3, &r.base, "wait");
    check_enc(3, &wait.base, "a nested message at the top");

    Vmwire__Crosvm__Seed__MainRequest q = VMWIRE__CROSVM__SEED__MAIN_REQUEST__INIT;
    Vmwire__Crosvm__Seed__MainRequest__SetIrqRouting sr =
        VMWIRE__CROSVM__SEED__MAIN_REQUEST__SET_IRQ_ROUTING__INIT;
    Vmwire__Crosvm__Seed__MainRequest__SetIrqRouting__Route rt[3] = {
        VMWIRE__CROSVM__SEED__MAIN_REQUEST__SET_IRQ_ROUTING__ROUTE__INIT,
        VMWIRE__CROSVM__SEED__MAIN_REQUEST__SET_IRQ_ROUTING__ROUTE__INIT,
        VMWIRE__CROSVM__SEED__MAIN_REQUEST__SET_IRQ_ROUTING__ROUTE__INIT,
    };
    Vmwire__Crosvm__Seed__MainRequest__SetIrqRouting__Route *arr[4] = { &rt[0], NULL, &rt[1], &rt[2] };
    rt[0].irq_id = 5;
    rt[2].irq_id = 300;
    q.message_case = VMWIRE__CROSVM__SEED__MAIN_REQUEST__MESSAGE_SET_IRQ_ROUTING;
    q.set_irq_routing = &sr;
    sr.routes = arr;
    sr.n_routes = 4;
    check_enc(0, &q.base, "routes with a NULL element");
    arr[2] = (Vmwire__Crosvm__Seed__MainRequest__SetIrqRouting__Route *)(void *)&resume;
    check_enc(0, &q.base, "a route of another type");

    Vmwire__Serial__GuestMessage g = VMWIRE__SERIAL__GUEST_MESSAGE__INIT;
    Vmwire__Serial__InitMessage init = VMWIRE__SERIAL__INIT_MESSAGE__INIT;
    char dev[200];
    memset(dev, 'd', sizeof dev - 1);
    dev[sizeof dev - 1] = 0;
    init.stage = "probe";
    init.device = dev;
    g.payload_case = VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_INIT;
    g.init = &init;
    check_enc(8, &g.base, "serial init, a 199-byte device name");
    check_enc(0, &g.base, "a serial message at the crosvm entry");
    check_enc(8, &r.base, "a crosvm message at the serial entry");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_vector_inputs_agree),
        cmocka_unit_test(oneof_switching),
        cmocka_unit_test(repeated_growth),
        cmocka_unit_test(encoder_odd_messages),
    };
    return cmocka_run_group_tests_name("pb_fast", tests, NULL, NULL);
}
