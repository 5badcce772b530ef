/* Unit tests of the freestanding serial codec (src/serial/guest.c):
 * builders and their truncation rules (instar's push_str / push_str_256),
 * encode/decode, capacities, the size bounds against the worst-case
 * messages, fault offsets, the micropb decoder, vw_serial_read_config() over
 * a fake UART, and the all-or-nothing frame encoder. Expected bytes are
 * written from the wire rules of spec/serial.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/serial_guest.h"

static int nib(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* hex to bytes; spaces are ignored */
static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        while (*h == ' ')
            h++;
        if (!h[0] || !h[1] || n >= cap)
            return n;
        out[n++] = (uint8_t)(nib(h[0]) << 4 | nib(h[1]));
        h += 2;
    }
}

static void assert_bytes(const uint8_t *got, size_t n, const char *hex)
{
    uint8_t want[1024];
    size_t wn = unhex(hex, want, sizeof want);
    assert_int_equal(n, wn);
    assert_memory_equal(got, want, n);
}

static void str_eq(const struct vw_serial_str *s, const char *want)
{
    assert_int_equal(s->len, strlen(want));
    assert_memory_equal(s->data, want, s->len);
}

/* SER-GUEST-1: levels and payloads; SER-MSG-9: canonical bytes. */
static void builders_encode_canonically(void **state)
{
    (void)state;
    struct vw_serial_guest_message m;
    uint8_t out[VW_SERIAL_MAX_FRAME];
    size_t n;

    assert_int_equal(vw_serial_build_init(&m, "probe", "input", 4096), VW_OK);
    assert_int_equal(m.level, VW_SERIAL_LEVEL_INFO);
    assert_int_equal(m.which, VW_SERIAL_PAYLOAD_INIT);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_OK);
    assert_bytes(out, n, "080112110a0570726f62651205696e707574188020");

    assert_int_equal(vw_serial_build_capacity(&m, "output", 2048, 1048576), VW_OK);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_OK);
    assert_bytes(out, n, "08011a0f0a066f757470757410801018808040");

    assert_int_equal(vw_serial_build_progress(&m, "copy", 50, 200, 25), VW_OK);
    assert_int_equal(m.level, VW_SERIAL_LEVEL_PROGRESS);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_OK);
    assert_bytes(out, n, "0802220d0a04636f7079103218c8012019");

    assert_int_equal(vw_serial_build_error(&m, "read", "input", 7, 1), VW_OK);
    assert_int_equal(m.level, VW_SERIAL_LEVEL_ERROR);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_OK);
    assert_bytes(out, n, "08032a110a04726561641205696e70757418072001");

    assert_int_equal(vw_serial_build_complete(&m, "copy", 100, true), VW_OK);
    assert_int_equal(m.level, VW_SERIAL_LEVEL_COMPLETE);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_OK);
    assert_bytes(out, n, "0804320a0a04636f7079106418 01");

    struct vw_serial_info_args a = { "qcow2", 3, 1073741824u, 196608, 65536, 1, "base.img", NULL };
    assert_int_equal(vw_serial_build_info_result(&m, &a), VW_OK);
    assert_int_equal(m.level, VW_SERIAL_LEVEL_INFO);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_OK);
    assert_bytes(out, n,
                 "08013a230a0571636f77321003188080808004208080 0c2880800430013a08626173652e696d67");

    /* framed: 2-byte little-endian length first (SER-FRAME-1) */
    assert_int_equal(vw_serial_build_complete(&m, NULL, 0, false), VW_OK);
    assert_int_equal(vw_serial_guest_message_encode_framed(&m, out, sizeof out, &n), VW_OK);
    assert_bytes(out, n, "0400" "08043200");
}

/* SER-GUEST-2: cut before the first character that does not fit. */
static void builders_truncate_at_characters(void **state)
{
    (void)state;
    struct vw_serial_guest_message m;
    char s[80];
    memset(s, 'a', 40);
    s[40] = 0;
    assert_int_equal(vw_serial_build_init(&m, s, "", 0), VW_OK);
    assert_int_equal(m.u.init.stage.len, 32);
    assert_int_equal(m.u.init.device.len, 0);

    /* S9, push_str: 31 ASCII + a 2-byte character + "c": the character does not
     * fit and is skipped, the later "c" still fits (instar lib.rs push_str) */
    memset(s, 'b', 31);
    memcpy(s + 31, "\xc3\xa9" "c", 4);
    assert_int_equal(vw_serial_build_capacity(&m, s, 1, 2), VW_OK);
    assert_int_equal(m.u.capacity.device.len, 32);
    assert_int_equal(m.u.capacity.device.data[31], 'c');
    /* 31 ASCII + a 2-byte character and nothing after: 31 */
    memset(s, 'b', 31);
    memcpy(s + 31, "\xc3\xa9", 3);
    assert_int_equal(vw_serial_build_capacity(&m, s, 1, 2), VW_OK);
    assert_int_equal(m.u.capacity.device.len, 31);
    /* 30 ASCII + a 2-byte character: exactly 32 */
    memset(s, 'b', 30);
    memcpy(s + 30, "\xc3\xa9" "c", 4);
    assert_int_equal(vw_serial_build_capacity(&m, s, 1, 2), VW_OK);
    assert_int_equal(m.u.capacity.device.len, 32);
    assert_memory_equal(m.u.capacity.device.data + 30, "\xc3\xa9", 2);
    /* a 4-byte character across the boundary is skipped, then 3 ASCII fit */
    memset(s, 'b', 29);
    memcpy(s + 29, "\xf0\x9f\x98\x80" "xyz", 8);
    assert_int_equal(vw_serial_build_progress(&m, s, 0, 0, 0), VW_OK);
    assert_int_equal(m.u.progress.operation.len, 32);
    assert_memory_equal(m.u.progress.operation.data + 29, "xyz", 3);
    /* a 3-byte character skipped, then a 2-byte one that fits */
    memset(s, 'b', 30);
    memcpy(s + 30, "\xe2\x82\xac" "\xc3\xa9", 6);
    assert_int_equal(vw_serial_build_progress(&m, s, 0, 0, 0), VW_OK);
    assert_int_equal(m.u.progress.operation.len, 32);
    assert_memory_equal(m.u.progress.operation.data + 30, "\xc3\xa9", 2);

    /* invalid UTF-8 anywhere is refused and the message cleared (vmwire) */
    assert_int_equal(vw_serial_build_error(&m, "re\xff" "ad", "x", 1, 1), VW_E_BAD_UTF8);
    assert_int_equal(m.which, VW_SERIAL_PAYLOAD_NONE);
    assert_int_equal(vw_serial_build_complete(&m, "\xc3", 1, true), VW_E_BAD_UTF8);
    assert_int_equal(vw_serial_build_complete(&m, "\xed\xa0\x80", 1, true), VW_E_BAD_UTF8);
    memset(s, 'a', 32);
    memcpy(s + 32, "\xff", 2);
    assert_int_equal(vw_serial_build_complete(&m, s, 1, true), VW_E_BAD_UTF8);

    /* paths: 256 bytes */
    char p[300];
    memset(p, '/', 299);
    p[299] = 0;
    struct vw_serial_info_args a = { "raw", 0, 0, 0, 0, 0, p, p };
    assert_int_equal(vw_serial_build_info_result(&m, &a), VW_OK);
    assert_int_equal(m.u.info_result.backing_file.len, 256);
    assert_int_equal(m.u.info_result.external_data_file.len, 256);
    /* S9, push_str_256: a path stops at the first character that does not fit */
    memset(p, '/', 255);
    memcpy(p + 255, "\xc3\xa9" "b", 4);
    assert_int_equal(vw_serial_build_info_result(&m, &a), VW_OK);
    assert_int_equal(m.u.info_result.backing_file.len, 255);
    assert_int_equal(m.u.info_result.external_data_file.len, 255);
    p[255] = (char)0xff; /* and the rest must still be UTF-8 */
    assert_int_equal(vw_serial_build_info_result(&m, &a), VW_E_BAD_UTF8);
    assert_int_equal(vw_serial_build_info_result(&m, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_serial_build_init(NULL, "a", "b", 1), VW_E_INVALID_ARG);
}

static void fill_str(struct vw_serial_str *s, char c)
{
    s->len = VW_SERIAL_STRING_CAP;
    memset(s->data, c, VW_SERIAL_STRING_CAP);
}

static void fill_path(struct vw_serial_path *s, char c)
{
    s->len = VW_SERIAL_PATH_CAP;
    memset(s->data, c, VW_SERIAL_PATH_CAP);
}

static size_t enc_size(const struct vw_serial_guest_message *m)
{
    size_t n = 0;
    vw_status s = vw_serial_guest_message_encode(m, NULL, 0, &n);
    assert_true(s == VW_E_NOSPACE || s == VW_OK || s == VW_E_TOO_LONG);
    return n;
}

/* SER-CAP-4: the constants equal the encodings of the worst-case messages. */
static void size_bounds_match_worst_case(void **state)
{
    (void)state;
    struct vw_serial_guest_message m;
    memset(&m, 0, sizeof m);
    m.level = 4;

    m.which = VW_SERIAL_PAYLOAD_INIT;
    fill_str(&m.u.init.stage, 's');
    fill_str(&m.u.init.device, 'd');
    m.u.init.address = UINT64_MAX;
    assert_int_equal(enc_size(&m), 2 + 2 + VW_SERIAL_INIT_MAX_SIZE);
    assert_int_equal(VW_SERIAL_INIT_MAX_SIZE, 79);

    memset(&m.u, 0, sizeof m.u);
    m.which = VW_SERIAL_PAYLOAD_CAPACITY;
    fill_str(&m.u.capacity.device, 'd');
    m.u.capacity.sectors = m.u.capacity.bytes = UINT64_MAX;
    assert_int_equal(enc_size(&m), 2 + 2 + VW_SERIAL_CAPACITY_MAX_SIZE);
    assert_int_equal(VW_SERIAL_CAPACITY_MAX_SIZE, 56);

    memset(&m.u, 0, sizeof m.u);
    m.which = VW_SERIAL_PAYLOAD_PROGRESS;
    fill_str(&m.u.progress.operation, 'o');
    m.u.progress.current = m.u.progress.total = UINT64_MAX;
    m.u.progress.percent = UINT32_MAX;
    assert_int_equal(enc_size(&m), 2 + 2 + VW_SERIAL_PROGRESS_MAX_SIZE);
    assert_int_equal(VW_SERIAL_PROGRESS_MAX_SIZE, 62);

    memset(&m.u, 0, sizeof m.u);
    m.which = VW_SERIAL_PAYLOAD_ERROR;
    fill_str(&m.u.error.operation, 'o');
    fill_str(&m.u.error.device, 'd');
    m.u.error.sector = UINT64_MAX;
    m.u.error.status = UINT32_MAX;
    assert_int_equal(enc_size(&m), 2 + 2 + VW_SERIAL_ERROR_MAX_SIZE);
    assert_int_equal(VW_SERIAL_ERROR_MAX_SIZE, 85);

    memset(&m.u, 0, sizeof m.u);
    m.which = VW_SERIAL_PAYLOAD_COMPLETE;
    fill_str(&m.u.complete.operation, 'o');
    m.u.complete.count = UINT64_MAX;
    m.u.complete.success = true;
    assert_int_equal(enc_size(&m), 2 + 2 + VW_SERIAL_COMPLETE_MAX_SIZE);
    assert_int_equal(VW_SERIAL_COMPLETE_MAX_SIZE, 47);

    memset(&m.u, 0, sizeof m.u);
    m.which = VW_SERIAL_PAYLOAD_INFO_RESULT;
    struct vw_serial_info_result *r = &m.u.info_result;
    fill_str(&r->format, 'f');
    r->version = r->cluster_size = r->flags = UINT32_MAX;
    r->virtual_size = r->actual_size = UINT64_MAX;
    fill_path(&r->backing_file, 'b');
    fill_path(&r->external_data_file, 'e');
    assert_int_equal(VW_SERIAL_INFO_RESULT_MAX_SIZE, 592);
    assert_int_equal(VW_SERIAL_GUEST_MESSAGE_NAMED_MAX_SIZE, 597);
    assert_int_equal(enc_size(&m), VW_SERIAL_GUEST_MESSAGE_NAMED_MAX_SIZE);
    uint8_t out[VW_SERIAL_MAX_FRAME];
    size_t n;
    assert_int_equal(vw_serial_guest_message_encode_framed(&m, out, sizeof out, &n), VW_OK);
    assert_int_equal(n, 2 + 597);
    assert_int_equal(out[0] | out[1] << 8, 597);

    /* a negative level: 10 more bytes, 606 > 600 (SER-CAP-7) */
    m.level = -1;
    assert_int_equal(VW_SERIAL_GUEST_MESSAGE_MAX_SIZE, 606);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_E_TOO_LONG);
    assert_int_equal(n, VW_SERIAL_GUEST_MESSAGE_MAX_SIZE);

    struct vw_serial_vmm_config c;
    memset(&c, 0, sizeof c);
    c.n_devices = VW_SERIAL_MAX_DEVICES;
    for (unsigned i = 0; i < VW_SERIAL_MAX_DEVICES; i++) {
        fill_str(&c.devices[i].name, 'n');
        c.devices[i].sector_size = UINT32_MAX;
    }
    c.progress_percent = UINT32_MAX;
    assert_int_equal(vw_serial_vmm_config_encode(&c, NULL, 0, &n), VW_E_NOSPACE);
    assert_int_equal(n, VW_SERIAL_VMM_CONFIG_MAX_SIZE);
    assert_int_equal(VW_SERIAL_VMM_CONFIG_MAX_SIZE, 174);
    assert_int_equal(VW_SERIAL_DEVICE_CONFIG_MAX_SIZE, 40);
}

/* Round trip of every builder's message through the decoder. */
static void decode_round_trip(void **state)
{
    (void)state;
    struct vw_serial_guest_message m, back;
    uint8_t out[VW_SERIAL_MAX_FRAME];
    size_t n, off;
    struct vw_serial_info_args a = { "vmdk", 1, 5, 6, 7, 0x7f, "/a/b", "\xc3\xa9" };
    assert_int_equal(vw_serial_build_info_result(&m, &a), VW_OK);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_OK);
    assert_int_equal(vw_serial_guest_message_decode(out, n, &back, &off), VW_OK);
    assert_int_equal(off, n);
    assert_int_equal(back.which, VW_SERIAL_PAYLOAD_INFO_RESULT);
    assert_int_equal(back.level, 1);
    str_eq(&back.u.info_result.format, "vmdk");
    assert_int_equal(back.u.info_result.flags, 0x7f);
    assert_int_equal(back.u.info_result.backing_file.len, 4);
    assert_int_equal(back.u.info_result.external_data_file.len, 2);

    assert_int_equal(vw_serial_build_error(&m, "write", "output", 123456789012ull, 2), VW_OK);
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_OK);
    assert_int_equal(vw_serial_guest_message_decode(out, n, &back, &off), VW_OK);
    str_eq(&back.u.error.operation, "write");
    str_eq(&back.u.error.device, "output");
    assert_true(back.u.error.sector == 123456789012ull);
    assert_int_equal(back.u.error.status, 2);
}

struct bad {
    const char *hex;
    vw_status st;
    size_t off;
};

/* SER-MSG-*, SER-CAP-*: statuses and offsets. */
static void decode_faults_and_offsets(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        { "08", VW_E_TRUNCATED, 1 },
        { "12050a03", VW_E_TRUNCATED, 4 },
        { "12020a03616263", VW_E_TRUNCATED, 4 }, /* inside init, which ends at 4 */
        { "08ffffffffffffffffffff01", VW_E_BAD_VARINT, 1 },
        { "0801" "88808080800001", VW_E_BAD_VARINT, 2 },
        { "1280808080080a", VW_E_BAD_VARINT, 1 },
        { "0801" "0001", VW_E_BAD_FIELD_NUMBER, 2 },
        { "0f", VW_E_BAD_WIRE_TYPE, 0 },
        { "0c", VW_E_BAD_WIRE_TYPE, 0 },
        { "0b14", VW_E_BAD_WIRE_TYPE, 1 },
        { "12020c00", VW_E_BAD_WIRE_TYPE, 2 },
        { "12060a0461ff6263", VW_E_BAD_UTF8, 5 },
        { "0801" "12230a21" "616161616161616161616161616161616161616161616161616161616161616161",
          VW_E_CAPACITY, 4 },
        /* the oversize occurrence that remains is the second one (at 5) */
        { "12280a0161" "0a21" "616161616161616161616161616161616161616161616161616161616161616161"
          "1801",
          VW_E_CAPACITY, 5 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[700];
        size_t n = unhex(cases[i].hex, buf, sizeof buf), off = 99999;
        struct vw_serial_guest_message m;
        memset(&m, 0x55, sizeof m);
        vw_status s = vw_serial_guest_message_decode(buf, n, &m, &off);
        if (s != cases[i].st || off != cases[i].off)
            fail_msg("case %zu (%s): got %s at %zu, want %s at %zu", i, cases[i].hex,
                     vw_status_name(s), off, vw_status_name(cases[i].st), cases[i].off);
        /* nothing partial is left behind */
        assert_int_equal(m.which, VW_SERIAL_PAYLOAD_NONE);
        assert_int_equal(m.level, 0);
    }
    /* the limit comes first */
    uint8_t big[601];
    memset(big, 0, sizeof big);
    size_t off;
    struct vw_serial_guest_message m;
    assert_int_equal(vw_serial_guest_message_decode(big, 601, &m, &off), VW_E_TOO_LONG);
    assert_int_equal(off, 600);
    assert_int_equal(vw_serial_guest_message_decode(NULL, 0, &m, &off), VW_OK);
    assert_int_equal(vw_serial_guest_message_decode(NULL, 1, &m, &off), VW_E_INVALID_ARG);
}

/* SER-MSG-4, SER-CAP-5: the capacity applies to the final value. */
static void capacity_applies_to_result(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t off;
    struct vw_serial_guest_message m;
    /* oversize stage replaced by "b" */
    size_t n = unhex("12260a21616161616161616161616161616161616161616161616161616161616161616161"
                     "0a0162",
                     buf, sizeof buf);
    assert_int_equal(vw_serial_guest_message_decode(buf, n, &m, &off), VW_OK);
    str_eq(&m.u.init.stage, "b");
    /* oversize init discarded by a switch to capacity */
    n = unhex("12230a21616161616161616161616161616161616161616161616161616161616161616161"
              "1a021005",
              buf, sizeof buf);
    assert_int_equal(vw_serial_guest_message_decode(buf, n, &m, &off), VW_OK);
    assert_int_equal(m.which, VW_SERIAL_PAYLOAD_CAPACITY);
    assert_int_equal(m.u.capacity.sectors, 5);
    /* merge keeps the earlier fields of the same member */
    n = unhex("12030a0161" "1203188020" "0805", buf, sizeof buf);
    assert_int_equal(vw_serial_guest_message_decode(buf, n, &m, &off), VW_OK);
    str_eq(&m.u.init.stage, "a");
    assert_int_equal(m.u.init.address, 4096);
    assert_int_equal(m.level, 5);
}

static void vmm_config_decode(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t off;
    struct vw_serial_vmm_config c;
    size_t n = unhex("0a0a0a05696e707574108004" "0a0b0a066f7574707574108020" "100a", buf, sizeof buf);
    assert_int_equal(vw_serial_vmm_config_decode(buf, n, &c, &off), VW_OK);
    assert_int_equal(c.n_devices, 2);
    str_eq(&c.devices[0].name, "input");
    assert_int_equal(c.devices[0].sector_size, 512);
    assert_int_equal(c.devices[1].sector_size, 4096);
    assert_int_equal(c.progress_percent, 10);
    uint32_t ss = 0;
    assert_true(vw_serial_vmm_config_device(&c, "output", &ss));
    assert_int_equal(ss, 4096);
    assert_false(vw_serial_vmm_config_device(&c, "outpu", &ss));
    assert_false(vw_serial_vmm_config_device(&c, "disk", &ss));

    /* re-encode: the same bytes */
    uint8_t out[VW_SERIAL_VMM_CONFIG_MAX_SIZE];
    size_t w;
    assert_int_equal(vw_serial_vmm_config_encode(&c, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, n);
    assert_memory_equal(out, buf, n);
    assert_int_equal(vw_serial_vmm_config_encode(&c, out, 3, &w), VW_E_NOSPACE);
    assert_int_equal(w, n);

    /* fifth device: capacity at its tag (offset 8); a later fault wins */
    n = unhex("0a000a000a000a000a00", buf, sizeof buf);
    assert_int_equal(vw_serial_vmm_config_decode(buf, n, &c, &off), VW_E_CAPACITY);
    assert_int_equal(off, 8);
    assert_int_equal(c.n_devices, 0);
    n = unhex("0a000a000a000a000a0010", buf, sizeof buf);
    assert_int_equal(vw_serial_vmm_config_decode(buf, n, &c, &off), VW_E_TRUNCATED);
    assert_int_equal(off, 11);
    /* a device name over capacity */
    n = unhex("0a230a21616161616161616161616161616161616161616161616161616161616161616161", buf,
              sizeof buf);
    assert_int_equal(vw_serial_vmm_config_decode(buf, n, &c, &off), VW_E_CAPACITY);
    assert_int_equal(off, 2);
    c.n_devices = 5;
    assert_int_equal(vw_serial_vmm_config_encode(&c, out, sizeof out, &w), VW_E_CAPACITY);
}

static void encoder_refuses_bad_structs(void **state)
{
    (void)state;
    struct vw_serial_guest_message m;
    uint8_t out[64];
    size_t n;
    assert_int_equal(vw_serial_build_init(&m, "a", "b", 1), VW_OK);
    m.u.init.stage.len = 33;
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_E_CAPACITY);
    m.u.init.stage.len = 1;
    m.u.init.stage.data[0] = (char)0xff;
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_E_BAD_UTF8);
    m.u.init.stage.data[0] = 'a';
    m.which = (enum vw_serial_payload)1;
    assert_int_equal(vw_serial_guest_message_encode(&m, out, sizeof out, &n), VW_E_INVALID_ARG);
    m.which = VW_SERIAL_PAYLOAD_INIT;
    /* too small: the size needed, nothing claimed written */
    assert_int_equal(vw_serial_guest_message_encode(&m, out, 3, &n), VW_E_NOSPACE);
    assert_int_equal(n, 12);
    assert_int_equal(vw_serial_guest_message_encode_framed(&m, out, 13, &n), VW_E_NOSPACE);
    assert_int_equal(n, 14);
    assert_int_equal(vw_serial_guest_message_encode_framed(&m, out, 14, &n), VW_OK);
    assert_bytes(out, n, "0c00" "0801" "12080a01611201621801");
}

static void utf8_validator(void **state)
{
    (void)state;
    size_t bad = 0;
    assert_true(vw_serial_utf8_valid(NULL, 0, &bad));
    assert_true(vw_serial_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf", 4, &bad));
    assert_false(vw_serial_utf8_valid((const uint8_t *)"ab\xf4\x90\x80\x80", 6, &bad));
    assert_int_equal(bad, 2);
    assert_false(vw_serial_utf8_valid((const uint8_t *)"\xe0\x9f\xbf", 3, &bad));
    assert_false(vw_serial_utf8_valid((const uint8_t *)"\xc1\xbf", 2, &bad));
    assert_true(vw_serial_utf8_valid((const uint8_t *)"\xed\x9f\xbf", 3, &bad));
    assert_false(vw_serial_utf8_valid((const uint8_t *)"\x80", 1, &bad));
    assert_true(vw_serial_utf8_valid((const uint8_t *)"a\0b", 3, &bad));
}

/* ---- the micropb decoder (SER-MICROPB-*) -------------------------------------- */

static vw_status mp_gm(const char *hex, struct vw_serial_guest_message *m, size_t *off)
{
    static uint8_t b[700];
    size_t n = unhex(hex, b, sizeof b);
    return vw_serial_guest_message_decode_micropb(b, n, m, off);
}

static void micropb_decode_semantics(void **state)
{
    (void)state;
    struct vw_serial_guest_message m;
    size_t off;
    /* S2: the wire type of a known field is ignored */
    assert_int_equal(mp_gm("0f02", &m, &off), VW_OK);
    assert_int_equal(m.level, 2);
    assert_int_equal(mp_gm("12030d0161", &m, &off), VW_OK);
    assert_int_equal(m.which, VW_SERIAL_PAYLOAD_INIT);
    assert_int_equal(m.u.init.stage.len, 1);
    /* S3: zero and empty do not overwrite */
    assert_int_equal(mp_gm("08010800", &m, &off), VW_OK);
    assert_int_equal(m.level, 1);
    assert_int_equal(mp_gm("12050a01610a00", &m, &off), VW_OK);
    assert_int_equal(m.u.init.stage.len, 1);
    /* S4: bool from the low 32 bits */
    assert_int_equal(mp_gm("3206188080808010", &m, &off), VW_OK);
    assert_false(m.u.complete.success);
    /* S5: a 10-byte tag */
    assert_int_equal(mp_gm("88 8080808080808080 00 01", &m, &off), VW_OK);
    assert_int_equal(m.level, 1);
    assert_int_equal(off, 11);
    /* faults and their offsets */
    assert_int_equal(mp_gm("0801 4b 0801 4c", &m, &off), VW_E_BAD_WIRE_TYPE); /* S1 */
    assert_int_equal(off, 2);
    assert_int_equal(m.level, 0); /* zeroed on failure */
    assert_int_equal(mp_gm("0801 07", &m, &off), VW_E_BAD_FIELD_NUMBER);
    assert_int_equal(off, 2);
    assert_int_equal(mp_gm("88 808080808080808080 00 01", &m, &off), VW_E_BAD_VARINT);
    assert_int_equal(off, 0);
    assert_int_equal(mp_gm("1202 0a03 616263", &m, &off), VW_E_BAD_LENGTH); /* WrongLen */
    assert_int_equal(off, 4);
    assert_int_equal(mp_gm("1223 0a21 6161", &m, &off), VW_E_CAPACITY); /* S8 */
    assert_int_equal(off, 2);
    assert_int_equal(mp_gm("1205 0a03 61", &m, &off), VW_E_TRUNCATED);
    assert_int_equal(off, 5);
    assert_int_equal(mp_gm("1204 0a02 61ff", &m, &off), VW_E_BAD_UTF8);
    assert_int_equal(off, 5);
    assert_int_equal(vw_serial_guest_message_decode_micropb(NULL, 1, &m, &off), VW_E_INVALID_ARG);

    /* VmmConfig: the fifth device is capacity before a later wire fault */
    struct vw_serial_vmm_config c;
    uint8_t b[64];
    size_t n = unhex("0a00 0a00 0a00 0a00 0a00 10", b, sizeof b);
    assert_int_equal(vw_serial_vmm_config_decode_micropb(b, n, &c, &off), VW_E_CAPACITY);
    assert_int_equal(off, 8);
    struct vw_serial_vmm_config g;
    assert_int_equal(vw_serial_vmm_config_decode(b, n, &g, &off), VW_E_TRUNCATED);
    n = unhex("0a05 108010 1000 100a 1000", b, sizeof b);
    assert_int_equal(vw_serial_vmm_config_decode_micropb(b, n, &c, &off), VW_OK);
    assert_int_equal(c.n_devices, 1);
    assert_int_equal(c.devices[0].sector_size, 2048);
    assert_int_equal(c.progress_percent, 10);
}

/* ---- read_config (SER-GUEST-4) -------------------------------------------------- */

struct fake_uart {
    const uint8_t *data;
    size_t len, pos;
    size_t gap_at;   /* no data ready once, before this byte (SIZE_MAX: never) */
    unsigned polls;
};

static bool fu_ready(void *ctx)
{
    struct fake_uart *f = ctx;
    f->polls++;
    if (f->pos == f->gap_at) {
        f->gap_at = (size_t)-1;
        return false;
    }
    return f->pos < f->len;
}

static uint8_t fu_read(void *ctx)
{
    struct fake_uart *f = ctx;
    return f->pos < f->len ? f->data[f->pos++] : 0;
}

static vw_status read_cfg(const char *hex, struct vw_serial_guest_config *cfg, size_t *left)
{
    static uint8_t b[700];
    struct fake_uart f = { b, unhex(hex, b, sizeof b), 0, (size_t)-1, 0 };
    f.gap_at = f.len > 3 ? 3 : (size_t)-1; /* the payload is late once: the guest polls */
    struct vw_serial_uart u = { fu_ready, fu_read, &f, 1000 };
    vw_status s = vw_serial_read_config(&u, cfg);
    *left = f.len - f.pos;
    return s;
}

static void read_config_rules(void **state)
{
    (void)state;
    struct vw_serial_guest_config cfg;
    size_t left;
    /* nothing waiting: the defaults */
    assert_int_equal(read_cfg("", &cfg, &left), VW_E_NOT_FOUND);
    assert_int_equal(cfg.input_sector_size, 512);
    assert_int_equal(cfg.output_sector_size, 512);
    assert_int_equal(cfg.progress_percent, 10);
    assert_false(cfg.has_output_device);
    /* input 4096, output 1000 (unchecked), progress 0 replaces the default */
    assert_int_equal(read_cfg("1900 0a0a0a05696e707574108020 0a0b0a066f757470757410e807",
                              &cfg, &left), VW_OK);
    assert_int_equal(cfg.input_sector_size, 4096);
    assert_int_equal(cfg.output_sector_size, 1000);
    assert_int_equal(cfg.progress_percent, 0);
    assert_true(cfg.has_output_device);
    assert_int_equal(left, 0);
    /* other names ignored, the last "input" wins */
    assert_int_equal(read_cfg("1700 0a090a046469736b108004 0a0a0a05696e707574108008",
                              &cfg, &left), VW_OK);
    assert_int_equal(cfg.input_sector_size, 1024);
    assert_false(cfg.has_output_device);
    /* L = 601: refused before reading, the payload stays in the UART */
    assert_int_equal(read_cfg("5902 0a00", &cfg, &left), VW_E_TOO_LONG);
    assert_int_equal(left, 2);
    assert_int_equal(cfg.progress_percent, 10);
    /* a payload that does not decode (micropb: a group) keeps every default */
    assert_int_equal(read_cfg("0600 1064 0a00 1b1c", &cfg, &left), VW_E_BAD_WIRE_TYPE);
    assert_int_equal(cfg.progress_percent, 10);
    /* micropb semantics: zero does not overwrite, wire type ignored */
    assert_int_equal(read_cfg("0400 1064 1000", &cfg, &left), VW_OK);
    assert_int_equal(cfg.progress_percent, 100);
    /* the stream stops inside the payload: the poll limit ends the wait */
    assert_int_equal(read_cfg("0500 0a00", &cfg, &left), VW_E_TIMEOUT);
    assert_int_equal(cfg.input_sector_size, 512);
    assert_int_equal(vw_serial_read_config(NULL, &cfg), VW_E_INVALID_ARG);
}

/* SER-FRAME-10 for the guest's frame encoder: nothing written when short. */
static void encode_framed_all_or_nothing(void **state)
{
    (void)state;
    struct vw_serial_guest_message m;
    assert_int_equal(vw_serial_build_complete(&m, "copy", 100, true), VW_OK);
    uint8_t out[64];
    size_t n;
    memset(out, 0xee, sizeof out);
    assert_int_equal(vw_serial_guest_message_encode_framed(&m, out, 5, &n), VW_E_NOSPACE);
    assert_int_equal(n, 2 + 14);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(out[i], 0xee);
    assert_int_equal(vw_serial_guest_message_encode_framed(&m, out, sizeof out, &n), VW_OK);
    assert_bytes(out, n, "0e00 0804320a0a04636f707910641801");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builders_encode_canonically),
        cmocka_unit_test(builders_truncate_at_characters),
        cmocka_unit_test(size_bounds_match_worst_case),
        cmocka_unit_test(decode_round_trip),
        cmocka_unit_test(decode_faults_and_offsets),
        cmocka_unit_test(capacity_applies_to_result),
        cmocka_unit_test(vmm_config_decode),
        cmocka_unit_test(encoder_refuses_bad_structs),
        cmocka_unit_test(utf8_validator),
        cmocka_unit_test(micropb_decode_semantics),
        cmocka_unit_test(read_config_rules),
        cmocka_unit_test(encode_framed_all_or_nothing),
    };
    return cmocka_run_group_tests_name("serial_guest", tests, NULL, NULL);
}
