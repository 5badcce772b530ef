/* Unit tests of the IC wire layer, helpers and rules (src/ic/wire.c, rules.c, profiles.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/ic.h"

/* Hand-built reference: shutdown response header, fw 3.0, msg 3.2, tid 7, flags 5. */
static const uint8_t SD_RESPONSE[20] = { 3, 0, 0, 0, 3, 0, 3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7, 5, 0, 0 };

static void header_truncation_every_offset(void **state)
{
    (void)state;
    struct vw_ic_header h;
    size_t off = 999;
    for (size_t n = 0; n < 20; n++) {
        assert_int_equal(vw_ic_header_decode(SD_RESPONSE, n, &h, &off), VW_E_TRUNCATED);
        assert_int_equal(off, n);
        struct vw_ic_message m;
        assert_int_equal(vw_ic_message_decode(SD_RESPONSE, n, &m, &off), VW_E_TRUNCATED);
        assert_int_equal(off, n);
    }
    assert_int_equal(vw_ic_header_decode(SD_RESPONSE, 20, &h, &off), VW_OK);
    assert_int_equal(off, 20);
    assert_int_equal(h.framework_version.major, 3);
    assert_int_equal(h.message_type, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(h.message_version.minor, 2);
    assert_int_equal(h.transaction_id, 7);
    assert_int_equal(h.flags, 5);
    assert_int_equal(vw_ic_header_decode(NULL, 5, &h, &off), VW_E_INVALID_ARG);
}

static void header_encode_sizes(void **state)
{
    (void)state;
    struct vw_ic_header h;
    size_t off, w = 0;
    assert_int_equal(vw_ic_header_decode(SD_RESPONSE, 20, &h, &off), VW_OK);
    uint8_t out[20];
    for (size_t cap = 0; cap < 20; cap++) {
        assert_int_equal(vw_ic_header_encode(&h, out, cap, &w), VW_E_NOSPACE);
        assert_int_equal(w, 20);
    }
    assert_int_equal(vw_ic_header_encode(&h, NULL, 0, &w), VW_E_NOSPACE);
    assert_int_equal(w, 20);
    assert_int_equal(vw_ic_header_encode(&h, out, sizeof out, &w), VW_OK);
    assert_memory_equal(out, SD_RESPONSE, 20);
    struct vw_ic_pipe_header ph = { 1, 20 }, back;
    uint8_t pb[8];
    assert_int_equal(vw_ic_pipe_header_encode(&ph, pb, 8, &w), VW_OK);
    assert_int_equal(vw_ic_pipe_header_decode(pb, 7, &back, &off), VW_E_TRUNCATED);
    assert_int_equal(off, 7);
    assert_int_equal(vw_ic_pipe_header_decode(pb, 8, &back, &off), VW_OK);
    assert_int_equal(back.size, 20);
}

/* Encode, decode, encode again: the bytes must be identical and the body kind kept. */
static void round_trip(const struct vw_ic_message *m, uint8_t *buf, size_t cap, size_t *len, struct vw_ic_message *out)
{
    size_t need = 0, w = 0, off = 0;
    assert_int_equal(vw_ic_message_encode(m, NULL, 0, &need), VW_E_NOSPACE);
    assert_true(need <= cap);
    assert_int_equal(vw_ic_message_encode(m, buf, cap, &w), VW_OK);
    assert_int_equal(w, need);
    assert_int_equal(vw_ic_message_decode(buf, w, out, &off), VW_OK);
    assert_int_equal(off, w);
    assert_int_equal(out->kind, m->kind);
    static uint8_t again[16384];
    size_t w2 = 0;
    assert_int_equal(vw_ic_message_encode(out, again, sizeof again, &w2), VW_OK);
    assert_int_equal(w2, w);
    assert_memory_equal(again, buf, w);
    *len = w;
}

static void init_msg(struct vw_ic_message *m, uint16_t type, uint16_t vmaj, enum vw_ic_body_kind kind)
{
    memset(m, 0, sizeof *m);
    m->header.framework_version.major = 3;
    m->header.message_type = type;
    m->header.message_version.major = vmaj;
    m->header.flags = VW_IC_FLAG_TRANSACTION | VW_IC_FLAG_REQUEST;
    m->kind = kind;
}

static void size_from_body(struct vw_ic_message *m)
{
    size_t n = 0;
    assert_int_equal(vw_ic_body_size(m, &n), VW_OK);
    m->header.message_size = (uint16_t)n;
}

static void negotiate_round_trip_and_cap(void **state)
{
    (void)state;
    static uint8_t buf[2048];
    struct vw_ic_version fw[2] = { { 1, 0 }, { 3, 0 } }, sd[4] = { { 1, 0 }, { 3, 0 }, { 3, 1 }, { 3, 2 } };
    struct vw_ic_message m, d;
    init_msg(&m, VW_IC_MSG_NEGOTIATE, 0, VW_IC_BODY_NEGOTIATE);
    m.header.framework_version.major = 0;
    m.body.negotiate.framework_count = 2;
    m.body.negotiate.message_count = 4;
    m.body.negotiate.framework_versions = fw;
    m.body.negotiate.message_versions = sd;
    size_from_body(&m);
    assert_int_equal(m.header.message_size, 32);
    size_t len;
    round_trip(&m, buf, sizeof buf, &len, &d);
    assert_int_equal(len, 52);
    assert_int_equal(vw_ic_negotiate_version(&d.body.negotiate, 5).minor, 2);
    assert_int_equal(vw_ic_negotiate_version(&d.body.negotiate, 6).major, 0); /* out of range */
    m.body.negotiate.framework_count = 101;
    size_t w;
    assert_int_equal(vw_ic_message_encode(&m, buf, sizeof buf, &w), VW_E_TOO_LONG);
    /* decode F = 101: too_long at the count field (offset 20). */
    memset(buf, 0, 28);
    buf[10] = 8;
    buf[20] = 101;
    size_t off;
    assert_int_equal(vw_ic_message_decode(buf, 28, &d, &off), VW_E_TOO_LONG);
    assert_int_equal(off, 20);
    buf[20] = 1;
    buf[22] = 101;
    assert_int_equal(vw_ic_message_decode(buf, 28, &d, &off), VW_E_TOO_LONG);
    assert_int_equal(off, 22);
    buf[22] = 1; /* 2 entries announced, none present */
    assert_int_equal(vw_ic_message_decode(buf, 28, &d, &off), VW_E_TRUNCATED);
    assert_int_equal(off, 28);
}

static void heartbeat_shutdown_timesync(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    struct vw_ic_message m, d;
    size_t len;
    for (int form = 0; form < 2; form++) {
        init_msg(&m, VW_IC_MSG_HEARTBEAT, 3, VW_IC_BODY_HEARTBEAT);
        m.body.heartbeat.size = form ? 40 : 16;
        m.body.heartbeat.sequence_number = 0x1122334455667788ull;
        m.body.heartbeat.application_state = 2;
        m.body.heartbeat.reserved[form ? 27 : 3] = 0x99;
        size_from_body(&m);
        round_trip(&m, buf, sizeof buf, &len, &d);
        assert_int_equal(len, 20u + (form ? 40u : 16u));
        assert_true(d.body.heartbeat.sequence_number == 0x1122334455667788ull);
        assert_int_equal(buf[len - 1], 0x99);
    }
    m.body.heartbeat.size = 20;
    assert_int_equal(vw_ic_body_size(&m, &len), VW_E_BAD_LENGTH);

    init_msg(&m, VW_IC_MSG_SHUTDOWN, 3, VW_IC_BODY_SHUTDOWN);
    uint8_t text[2048] = { 'b', 'y', 'e' };
    m.body.shutdown.reason_code = VW_IC_SD_REASON_PLANNED;
    m.body.shutdown.flags = VW_IC_SD_FLAG_FORCE | VW_IC_SD_FLAG_RESTART;
    m.body.shutdown.display_message = text;
    size_from_body(&m);
    round_trip(&m, buf, sizeof buf, &len, &d);
    assert_int_equal(len, 2080);
    assert_int_equal(d.body.shutdown.flags, 3);
    assert_memory_equal(d.body.shutdown.display_message, "bye", 3);

    static const uint8_t sizes[2][2] = { { 28, 25 }, { 24, 22 } };
    for (int v4 = 0; v4 < 2; v4++) {
        for (int k = 0; k < 2; k++) {
            init_msg(&m, VW_IC_MSG_TIMESYNC, v4 ? 4 : 3, VW_IC_BODY_TIMESYNC);
            struct vw_ic_timesync *t = &m.body.timesync;
            t->v4 = v4;
            t->size = sizes[v4][k];
            t->parent_time = 133000000000000000ull;
            t->vm_reference_time = 77;
            t->round_trip_time = 5;
            t->flags = VW_IC_TS_FLAG_SAMPLE;
            t->stratum = 3;
            size_from_body(&m);
            round_trip(&m, buf, sizeof buf, &len, &d);
            assert_int_equal(len, 20u + sizes[v4][k]);
            assert_int_equal(d.body.timesync.v4, v4);
            assert_int_equal(d.body.timesync.flags, 2);
            if (v4) {
                assert_int_equal(d.body.timesync.vm_reference_time, 77);
                assert_int_equal(d.body.timesync.stratum, 3);
            } else {
                assert_int_equal(d.body.timesync.round_trip_time, 5);
            }
        }
    }
}

static void kvp_all_operations(void **state)
{
    (void)state;
    static uint8_t buf[8192];
    uint8_t key[8], val[12], q[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    size_t w, len;
    assert_int_equal(vw_ic_utf8_to_utf16("Key", 3, key, sizeof key, &w), VW_OK);
    key[6] = key[7] = 0;
    assert_int_equal(vw_ic_utf8_to_utf16("Value", 5, val, sizeof val, &w), VW_OK);
    val[10] = val[11] = 0;
    struct vw_ic_message m, d;
    for (uint8_t op = 0; op <= 5; op++) {
        init_msg(&m, VW_IC_MSG_KVP, op == 5 ? 5 : 4, VW_IC_BODY_KVP);
        struct vw_ic_kvp *k = &m.body.kvp;
        k->operation = op;
        k->pool = VW_IC_KVP_POOL_AUTO;
        k->index = 9;
        k->value.key.p = key;
        k->value.key.size = 8;
        k->value.value_type = op == 1 ? VW_IC_KVP_TYPE_QWORD : VW_IC_KVP_TYPE_STRING;
        k->value.value = op == 1 ? q : val;
        k->value.value_size = op == 1 ? 8 : 12;
        uint8_t v4[8] = { 10, 0, 0, 1, 10, 0, 0, 2 }, orig[4] = { 2, 0, 2, 0 }, sub[8] = { 255, 0, 0, 0, 255, 0, 0, 0 };
        if (op == 4) {
            k->ip_string.adapter_id.p = key;
            k->ip_string.adapter_id.size = 6;
            k->ip_string.address_family = 1;
            k->ip_string.dns.p = val;
            k->ip_string.dns.size = 10;
        } else if (op == 5) {
            k->ip_binary = true;
            k->ip_binary_info.ipv4_address_count = 2;
            k->ip_binary_info.ipv4_addresses = v4;
            k->ip_binary_info.ipv4_subnets = sub;
            k->ip_binary_info.address_origins = orig;
            k->ip_binary_info.address_family = 1;
        }
        size_from_body(&m);
        round_trip(&m, buf, sizeof buf, &len, &d);
        static const size_t want[6] = { 2576, 2576, 520, 2580, 7428, 3716 };
        assert_int_equal(d.header.message_size, want[op]);
        const struct vw_ic_kvp *r = &d.body.kvp;
        if (op <= 3) {
            assert_int_equal(r->value.key.size, 8);
            assert_memory_equal(r->value.key.p, key, 8);
        }
        if (op == 1)
            assert_memory_equal(r->value.value, q, 8);
        if (op == 3)
            assert_int_equal(r->index, 9);
        if (op == 4) {
            assert_int_equal(r->ip_string.adapter_id.size, 6);
            assert_int_equal(r->ip_string.dns.size, 10);
        }
        if (op == 5) {
            assert_true(r->ip_binary);
            assert_int_equal(r->ip_binary_info.ipv4_address_count, 2);
            assert_memory_equal(r->ip_binary_info.ipv4_addresses, v4, 8);
            assert_int_equal(r->ip_binary_info.address_origins[2], 2);
        }
    }
    /* The OpenVMM size: message_size 2580 pads DELETE with zeros. */
    init_msg(&m, VW_IC_MSG_KVP, 4, VW_IC_BODY_KVP);
    m.body.kvp.operation = VW_IC_KVP_OP_DELETE;
    m.body.kvp.value.key.p = key;
    m.body.kvp.value.key.size = 8;
    m.header.message_size = VW_IC_KVP_MESSAGE_SIZE;
    round_trip(&m, buf, sizeof buf, &len, &d);
    assert_int_equal(len, 2600);
    assert_int_equal(d.padding.len, 2580 - 520);
    /* Too long key: encoder refuses and leaves no partial output. */
    m.body.kvp.value.key.size = 514;
    memset(buf, 0xee, 64);
    assert_int_equal(vw_ic_message_encode(&m, buf, sizeof buf, &w), VW_E_TOO_LONG);
    assert_int_equal(w, 0);
    assert_int_equal(buf[0], 0);    /* the header it wrote is cleared */
    assert_int_equal(buf[23], 0);
    assert_int_equal(buf[63], 0xee); /* bytes it never reached are untouched */
}

static void kvp_decode_faults(void **state)
{
    (void)state;
    static uint8_t b[20 + 2580];
    size_t off;
    struct vw_ic_message d;
    memset(b, 0, sizeof b);
    b[4] = VW_IC_MSG_KVP;
    b[6] = 4;
    b[10] = (uint8_t)(2580 & 0xff);
    b[11] = (uint8_t)(2580 >> 8);
    b[20] = VW_IC_KVP_OP_SET;
    uint8_t *rec = b + 24;
    rec[0] = 1;
    rec[4] = 0x01;
    rec[5] = 0x02; /* key_size 513 */
    assert_int_equal(vw_ic_message_decode(b, sizeof b, &d, &off), VW_E_TOO_LONG);
    assert_int_equal(off, 28);
    rec[4] = 3;
    rec[5] = 0; /* odd key size */
    assert_int_equal(vw_ic_message_decode(b, sizeof b, &d, &off), VW_E_BAD_LENGTH);
    assert_int_equal(off, 28);
    rec[4] = 4;
    rec[12] = 'A';
    rec[14] = 'B'; /* "AB" without NUL */
    assert_int_equal(vw_ic_message_decode(b, sizeof b, &d, &off), VW_E_BAD_UTF16);
    assert_int_equal(off, 24 + 12 + 2);
    rec[14] = 0;
    rec[12] = 0x00;
    rec[13] = 0xDC; /* lone low surrogate */
    assert_int_equal(vw_ic_message_decode(b, sizeof b, &d, &off), VW_E_BAD_UTF16);
    assert_int_equal(off, 36);
    rec[12] = 'A';
    rec[13] = 0;
    rec[8] = 0x01;
    rec[9] = 0x08; /* value_size 2049 */
    assert_int_equal(vw_ic_message_decode(b, sizeof b, &d, &off), VW_E_TOO_LONG);
    assert_int_equal(off, 32);
    rec[8] = 0;
    rec[9] = 0;
    assert_int_equal(vw_ic_message_decode(b, sizeof b, &d, &off), VW_OK);
    b[20] = 6;
    assert_int_equal(vw_ic_message_decode(b, sizeof b, &d, &off), VW_E_BAD_TYPE);
    assert_int_equal(off, 20);
}

static void vss_forms(void **state)
{
    (void)state;
    static uint8_t buf[16384];
    struct vw_ic_vss_lun lun = { 2, { 0 }, { 0x10, 0xb8 }, 1, 2, 3, 0 }, back;
    uint8_t luns[2 * 24];
    size_t w, off, len;
    assert_int_equal(vw_ic_vss_lun_encode(&lun, luns, 23, &w), VW_E_NOSPACE);
    assert_int_equal(w, 24);
    assert_int_equal(vw_ic_vss_lun_encode(&lun, luns, 24, &w), VW_OK);
    assert_int_equal(vw_ic_vss_lun_encode(&lun, luns + 24, 24, &w), VW_OK);
    assert_int_equal(vw_ic_vss_lun_decode(luns, 23, &back, &off), VW_E_TRUNCATED);
    assert_int_equal(vw_ic_vss_lun_decode(luns, 24, &back, &off), VW_OK);
    assert_int_equal(back.lun, 3);
    assert_int_equal(back.controller[1], 0xb8);
    uint8_t status[8] = { 5, 0, 0, 0, 6, 0, 0, 0 };
    static const size_t sizes[] = { 12, 39, 6260, 12500, 7312, 7320 };
    for (int f = 0; f < 6; f++) {
        struct vw_ic_message m, d;
        init_msg(&m, VW_IC_MSG_VSS, 6, VW_IC_BODY_VSS);
        struct vw_ic_vss *v = &m.body.vss;
        v->form = f < 2 ? VW_IC_VSS_FORM_BASIC : (enum vw_ic_vss_form)(f - 1);
        v->operation = f < 2 ? VW_IC_VSS_OP_HOT_BACKUP : f < 4 ? VW_IC_VSS_OP_FREEZE : VW_IC_VSS_OP_CLUSTER_INFO;
        v->tail_len = f == 1 ? 20 : 0;
        v->flags = 5;
        v->lun_count = 2;
        v->luns = luns;
        v->shadow_luns = luns;
        v->lun_status = status;
        v->cluster_size = 4;
        v->last_move_time = 1234567890123ull;
        size_from_body(&m);
        assert_int_equal(m.header.message_size, sizes[f]);
        round_trip(&m, buf, sizeof buf, &len, &d);
        if (f < 2) {
            /* IC-VSS-2: flags at body offset 8 (Linux, 12 bytes) or 15 (OpenVMM VssMessage, 39 bytes). */
            size_t at = VW_IC_HEADER_SIZE + (f ? 15 : 8);
            assert_int_equal(buf[at], 5);
            assert_int_equal(d.body.vss.flags, 5);
            if (f == 1) {
                static const uint8_t zero7[7] = { 0 };
                assert_memory_equal(buf + VW_IC_HEADER_SIZE + 8, zero7, 7);
                assert_int_equal(d.body.vss.tail_len, 20);
            }
        }
        if (f >= 2) {
            assert_int_equal(d.body.vss.lun_count, 2);
            assert_memory_equal(d.body.vss.luns, luns, 48);
        }
        if (f == 5)
            assert_true(d.body.vss.last_move_time == 1234567890123ull);
        v->lun_count = 261;
        if (f >= 2)
            assert_int_equal(vw_ic_message_encode(&m, buf, sizeof buf, &w), VW_E_TOO_LONG);
    }
    /* IC-VSS-11: a 39-byte CREATE carries the snapshot set id at 15 and the backup type at 31. */
    struct vw_ic_message m, d;
    init_msg(&m, VW_IC_MSG_VSS, 6, VW_IC_BODY_VSS);
    m.body.vss.operation = VW_IC_VSS_OP_CREATE;
    m.body.vss.basic_size = VW_IC_VSS_SIZE_OPENVMM;
    for (int i = 0; i < 16; i++)
        m.body.vss.snapshot_set_id[i] = (uint8_t)(0xa0 + i);
    m.body.vss.backup_type = 7;
    m.body.vss.flags = 0x11; /* not written for CREATE */
    size_from_body(&m);
    assert_int_equal(m.header.message_size, 39);
    round_trip(&m, buf, sizeof buf, &len, &d);
    assert_int_equal(buf[VW_IC_HEADER_SIZE + 15], 0xa0);
    assert_int_equal(buf[VW_IC_HEADER_SIZE + 31], 7);
    assert_memory_equal(d.body.vss.snapshot_set_id, m.body.vss.snapshot_set_id, 16);
    assert_int_equal(d.body.vss.backup_type, 7);
    assert_int_equal(d.body.vss.flags, 0);
    assert_int_equal(d.body.vss.tail_len, 4);
    m.body.vss.tail_len = 20; /* CREATE leaves 4 data bytes, not 20 */
    assert_int_equal(vw_ic_message_encode(&m, buf, sizeof buf, &w), VW_E_BAD_LENGTH);
}

static void utf16_helpers(void **state)
{
    (void)state;
    size_t off = 0, w = 0;
    static const uint8_t ok[] = { 'a', 0, 0x3d, 0xd8, 0x00, 0xde, 0, 0 }; /* "a😀" + NUL */
    assert_int_equal(vw_ic_utf16_check(ok, sizeof ok, &off), VW_OK);
    assert_int_equal(vw_ic_utf16_check(ok, 7, &off), VW_E_BAD_LENGTH);
    assert_int_equal(vw_ic_utf16_check(ok, 0, &off), VW_E_BAD_UTF16);
    assert_int_equal(vw_ic_utf16_check(ok, 6, &off), VW_E_BAD_UTF16); /* no NUL */
    assert_int_equal(off, 4);
    static const uint8_t lone[] = { 0x3d, 0xd8, 0, 0 };
    assert_int_equal(vw_ic_utf16_check(lone, 4, &off), VW_E_BAD_UTF16);
    assert_int_equal(off, 0);
    char out[16];
    assert_int_equal(vw_ic_utf16_to_utf8(ok, 6, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, 5);
    assert_memory_equal(out, "a\xf0\x9f\x98\x80", 5);
    assert_int_equal(vw_ic_utf16_to_utf8(ok, 6, out, 3, &w), VW_E_NOSPACE);
    assert_int_equal(w, 5);
    assert_int_equal(vw_ic_utf16_to_utf8(lone, 2, out, sizeof out, &w), VW_E_BAD_UTF16);
    uint8_t u[16];
    assert_int_equal(vw_ic_utf8_to_utf16("a\xf0\x9f\x98\x80\xc3\xa9", 7, u, sizeof u, &w), VW_OK);
    assert_int_equal(w, 8);
    assert_memory_equal(u, ok, 6);
    assert_int_equal(u[6], 0xe9);
    static const char *const bad[] = { "\xc0\x80", "\xed\xa0\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\x80", "\xf4\x90\x80\x80" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(vw_ic_utf8_to_utf16(bad[i], strlen(bad[i]), u, sizeof u, &w), VW_E_BAD_UTF8);
    size_t len = 99;
    static const uint8_t fieldv[8] = { 'x', 0, 'y', 0, 0, 0, 'z', 0 };
    assert_int_equal(vw_ic_utf16_field(fieldv, 8, &len, &off), VW_OK);
    assert_int_equal(len, 4);
    assert_int_equal(vw_ic_utf16_field(fieldv, 4, &len, &off), VW_E_BAD_UTF16);
}

static void filetime_helpers(void **state)
{
    (void)state;
    int64_t s;
    uint32_t ns;
    vw_ic_filetime_to_unix(VW_IC_FILETIME_UNIX_EPOCH, &s, &ns);
    assert_int_equal(s, 0);
    assert_int_equal(ns, 0);
    /* 2001-09-09 01:46:40 UTC = 1000000000 s; FILETIME = (1000000000 + 11644473600) * 10^7 + 5. */
    vw_ic_filetime_to_unix(126444736000000005ull, &s, &ns);
    assert_int_equal(s, 1000000000);
    assert_int_equal(ns, 500);
    vw_ic_filetime_to_unix(0, &s, &ns);
    assert_int_equal(s, -11644473600ll);
    uint64_t ft;
    assert_int_equal(vw_ic_unix_to_filetime(1000000000, 599, &ft), VW_OK);
    assert_true(ft == 126444736000000005ull);
    assert_int_equal(vw_ic_unix_to_filetime(-11644473601ll, 0, &ft), VW_E_BAD_VALUE);
    assert_int_equal(vw_ic_unix_to_filetime(INT64_MAX, 0, &ft), VW_E_BAD_VALUE);
    assert_int_equal(vw_ic_unix_to_filetime(0, 1000000000u, &ft), VW_E_INVALID_ARG);
    assert_true(vw_ic_timesync_adjust(1000, 50, 80) == 1030);
    assert_true(vw_ic_timesync_adjust(1000, 80, 50) == 970);
}

static void validate_paths(void **state)
{
    (void)state;
    uint8_t b[20 + 40];
    struct vw_ic_message m;
    size_t off;
    memset(b, 0, sizeof b);
    b[0] = 3;
    b[4] = VW_IC_MSG_HEARTBEAT;
    b[6] = 3;
    b[10] = 40;
    b[17] = 3;
    assert_int_equal(vw_ic_message_decode(b, sizeof b, &m, &off), VW_OK);
    assert_int_equal(vw_ic_message_validate(&m, VW_IC_PROFILE_LINUX, &off), VW_OK);
    assert_int_equal(vw_ic_message_validate(&m, VW_IC_PROFILE_OPENVMM, &off), VW_E_BAD_LENGTH);
    assert_int_equal(off, 10);
    m.header.flags = 0x0b;
    assert_int_equal(vw_ic_message_validate(&m, VW_IC_PROFILE_LINUX, &off), VW_E_BAD_FLAGS);
    assert_int_equal(off, 17);
    /* IC-STRICT-1: REQUEST and RESPONSE together are refused only with the strict option. */
    m.header.flags = 0x07;
    assert_int_equal(vw_ic_message_validate(&m, VW_IC_PROFILE_LINUX, &off), VW_OK);
    assert_int_equal(vw_ic_message_validate_opts(&m, VW_IC_PROFILE_LINUX, 0, &off), VW_OK);
    assert_int_equal(vw_ic_message_validate_opts(&m, VW_IC_PROFILE_LINUX, VW_IC_OPT_STRICT, &off), VW_E_BAD_FLAGS);
    assert_int_equal(off, 17);
    assert_int_equal(vw_ic_message_validate_opts(&m, VW_IC_PROFILE_LINUX, 0x2, &off), VW_E_INVALID_ARG);
    m.header.flags = 3;
    m.header.reserved = 1;
    assert_int_equal(vw_ic_message_validate(&m, VW_IC_PROFILE_LINUX, &off), VW_E_RESERVED);
    assert_int_equal(off, 18);
    m.header.reserved = 0;
    m.header.message_version.major = 2;
    assert_int_equal(vw_ic_message_validate(&m, VW_IC_PROFILE_LINUX, &off), VW_E_BAD_VERSION);
    assert_int_equal(off, 6);
    m.header.message_type = 9;
    assert_int_equal(vw_ic_message_validate(&m, VW_IC_PROFILE_LINUX, &off), VW_E_BAD_TYPE);
    assert_int_equal(vw_ic_message_validate(&m, (enum vw_ic_profile)7, &off), VW_E_INVALID_ARG);
}

static void profiles(void **state)
{
    (void)state;
    const struct vw_ic_version *f, *m;
    size_t nf, nm;
    enum vw_ic_profile p;
    assert_int_equal(VW_IC_PROFILE_DEFAULT, VW_IC_PROFILE_LINUX);
    assert_int_equal(vw_ic_profile_from_name("openvmm", &p), VW_OK);
    assert_int_equal(p, VW_IC_PROFILE_OPENVMM);
    assert_string_equal(vw_ic_profile_name(VW_IC_PROFILE_LINUX), "linux");
    assert_int_equal(vw_ic_profile_from_name("windows", &p), VW_E_INVALID_ARG);
    assert_int_equal(vw_ic_profile_versions(VW_IC_PROFILE_LINUX, false, VW_IC_MSG_VSS, &f, &nf, &m, &nm), VW_OK);
    assert_int_equal(nf, 1);
    assert_int_equal(m[0].major, 5);
    assert_int_equal(vw_ic_profile_versions(VW_IC_PROFILE_LINUX, false, VW_IC_MSG_SHUTDOWN, &f, &nf, &m, &nm), VW_OK);
    assert_int_equal(nm, 4);
    assert_int_equal(m[0].minor, 2); /* most preferred first */
    assert_int_equal(vw_ic_profile_versions(VW_IC_PROFILE_OPENVMM, true, VW_IC_MSG_KVP, &f, &nf, &m, &nm), VW_OK);
    assert_int_equal(m[2].major, 5);
    assert_int_equal(f[0].major, 1); /* ascending */
    assert_int_equal(vw_ic_profile_versions(VW_IC_PROFILE_OPENVMM, false, VW_IC_MSG_HEARTBEAT, &f, &nf, &m, &nm),
                     VW_E_UNSUPPORTED);
    assert_int_equal(vw_ic_profile_versions(VW_IC_PROFILE_LINUX, true, VW_IC_MSG_SHUTDOWN, &f, &nf, &m, &nm),
                     VW_E_UNSUPPORTED);
    assert_int_equal(vw_ic_profile_versions(VW_IC_PROFILE_LINUX, false, 0, &f, &nf, &m, &nm), VW_E_INVALID_ARG);
}

static void packet_padding_and_trailing(void **state)
{
    (void)state;
    uint8_t p[8 + 20 + 2 + 4];
    memset(p, 0, sizeof p);
    p[0] = 1;
    p[4] = 22; /* message of 22 bytes: header + 2 trailing */
    memcpy(p + 8, SD_RESPONSE, 20);
    p[28] = 0xaa;
    struct vw_ic_packet pk;
    size_t off, w;
    assert_int_equal(vw_ic_packet_decode(p, sizeof p, &pk, &off), VW_OK);
    assert_int_equal(pk.message.trailing.len, 2);
    assert_int_equal(pk.padding.len, 4);
    assert_int_equal(vw_ic_packet_validate(&pk, VW_IC_PROFILE_OPENVMM, &off), VW_OK);
    uint8_t out[sizeof p];
    assert_int_equal(vw_ic_packet_encode(&pk, out, sizeof out, &w), VW_OK);
    assert_memory_equal(out, p, sizeof p);
    assert_int_equal(vw_ic_packet_encode(&pk, out, 10, &w), VW_E_NOSPACE);
    assert_int_equal(w, sizeof p);
    p[4] = 27;
    assert_int_equal(vw_ic_packet_decode(p, sizeof p, &pk, &off), VW_E_TRUNCATED);
    assert_int_equal(off, sizeof p);
}

/* One source of version tables (src/ic/profiles.c): every version a profile
 * offers, in either role, is one its messages may carry (IC-HDR-7,
 * IC-PROF-3), and an unknown one is refused. */
static void offered_versions_are_known(void **state)
{
    (void)state;
    const enum vw_ic_profile profiles[] = { VW_IC_PROFILE_LINUX, VW_IC_PROFILE_OPENVMM };
    int lists = 0;
    for (size_t pi = 0; pi < 2; pi++)
        for (int host = 0; host < 2; host++)
            for (uint16_t svc = VW_IC_MSG_HEARTBEAT; svc <= VW_IC_MSG_VSS; svc++) {
                const struct vw_ic_version *f, *m;
                size_t nf, nm;
                if (vw_ic_profile_versions(profiles[pi], host, svc, &f, &nf, &m, &nm) != VW_OK)
                    continue;
                lists++;
                for (size_t i = 0; i < nf; i++)
                    for (size_t j = 0; j <= nm; j++) {
                        struct vw_ic_message msg;
                        memset(&msg, 0, sizeof msg);
                        msg.header.framework_version = f[i];
                        msg.header.message_type = svc;
                        msg.header.message_version = j < nm ? m[j] : (struct vw_ic_version){ 9, 9 };
                        msg.header.flags = VW_IC_FLAG_TRANSACTION | VW_IC_FLAG_REQUEST;
                        msg.kind = VW_IC_BODY_NONE;
                        size_t off = 0;
                        vw_status st = vw_ic_message_validate(&msg, profiles[pi], &off);
                        if (j < nm)
                            assert_int_not_equal(st, VW_E_BAD_VERSION);
                        else
                            assert_int_equal(st, VW_E_BAD_VERSION); /* 9.9: no profile knows it */
                    }
            }
    assert_true(lists >= 8); /* linux guest x5, openvmm guest shutdown, host shutdown/timesync/kvp */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_truncation_every_offset),
        cmocka_unit_test(header_encode_sizes),
        cmocka_unit_test(negotiate_round_trip_and_cap),
        cmocka_unit_test(heartbeat_shutdown_timesync),
        cmocka_unit_test(kvp_all_operations),
        cmocka_unit_test(kvp_decode_faults),
        cmocka_unit_test(vss_forms),
        cmocka_unit_test(utf16_helpers),
        cmocka_unit_test(filetime_helpers),
        cmocka_unit_test(validate_paths),
        cmocka_unit_test(profiles),
        cmocka_unit_test(offered_versions_are_known),
        cmocka_unit_test(packet_padding_and_trailing),
    };
    return cmocka_run_group_tests_name("ic_wire", tests, NULL, NULL);
}
