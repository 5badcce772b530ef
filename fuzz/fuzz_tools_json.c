/* The tools' JSON mapping (tools/common: pbjson.c and the IC, serial and
 * bridge mappings in impl_*.c), through vwt_impl_handle() as the testee and
 * the CLI use it, and through the pbjson functions directly.
 *
 * Input: sel:u8, then the rest.
 *   sel & 31 picks the message kind (kinds[] below, modulo its size): the
 *   testee's kinds, and the test schema's messages (tests/pb/test.proto:
 *   every scalar type, packed and unpacked fields, a oneof, recursion),
 *   which reach the paths of pbjson.c that the protocols' schemas do not
 *   (floats, doubles, signed and 64-bit integers, bytes, enums); those go
 *   through vwt_pb_encode_request() and vwt_pb_decode_request(), the
 *   handlers the crosvm and serial kinds share;
 *   sel >> 5, modulo 3, the mode:
 *   0  JSON to message and back: the rest is JSON text, the "input" of an
 *      encode request. When the encoder answers valid with bytes H, the
 *      decoder must take H (protobuf kinds and the serial builder: always;
 *      IC: when it does, the next step applies), and encoding the JSON the
 *      decoder gives must give H again. For protobuf kinds, also
 *      vwt_pb_from_json() -> vwt_pb_to_json() of the input must equal the
 *      decoder's JSON: what the tool read is what the wire carries.
 *   1  message to JSON and back: the rest is message bytes. When the decoder
 *      answers valid with JSON J, encoding J must answer valid with bytes
 *      H2, and decoding H2 must give J again (protobuf: H2 is the canonical
 *      form, a fixed point of encode(decode())).
 *   2  any request: the rest is the JSON text of a whole request (any
 *      operation: validate, session, respond, deframe, dispatch ...).
 * Every answer must be a well-formed response: an object whose "result" is
 * "valid", "invalid" with "error" naming a status, or "skipped" with a
 * "reason" string. JSON is read with the testee's flags
 * (JSON_REJECT_DUPLICATES). ASan/LSan check every allocation of the tools:
 * no overflow, no leak, no double free. */
#include <jansson.h>

#include "common/pbjson.h"
#include "common/vwt.h"
#include "vmwire/crosvm.h"
#include "vmwire/serial.h"

#include "fuzz.h"
#include "pb/test.pb-c.h"

static const char *const kinds[] = {
    "crosvm.seed.MainRequest",  "crosvm.seed.MainResponse",  "crosvm.seed.VcpuRequest",
    "crosvm.seed.VcpuResponse", "crosvm.final.MainRequest",  "crosvm.final.MainResponse",
    "crosvm.final.VcpuRequest", "crosvm.final.VcpuResponse", "serial.GuestMessage",
    "serial.VmmConfig",         "ic.message",                "ic.packet",
    "serial.guest",             "bridge.amd64",              "vwtest.Scalars",
    "vwtest.Repeated",          "vwtest.Choice",             "vwtest.Node",
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* The protobuf descriptor of a kind, or NULL for IC, the builder, bridge. */
static const ProtobufCMessageDescriptor *pb_desc(const char *kind)
{
    enum vw_crosvm_revision rev;
    enum vw_crosvm_kind k;
    if (vw_crosvm_kind_parse(kind, &rev, &k) == VW_OK)
        return vw_crosvm_descriptor(rev, k);
    if (!strcmp(kind, "serial.GuestMessage"))
        return vw_serial_descriptor(VW_SERIAL_GUEST_MESSAGE);
    if (!strcmp(kind, "serial.VmmConfig"))
        return vw_serial_descriptor(VW_SERIAL_VMM_CONFIG);
    if (!strcmp(kind, "vwtest.Scalars"))
        return &vwtest__scalars__descriptor;
    if (!strcmp(kind, "vwtest.Repeated"))
        return &vwtest__repeated__descriptor;
    if (!strcmp(kind, "vwtest.Choice"))
        return &vwtest__choice__descriptor;
    if (!strcmp(kind, "vwtest.Node"))
        return &vwtest__node__descriptor;
    return NULL;
}

/* Checks the response shape; returns its "result" ("valid", "invalid",
 * "skipped"). */
static const char *result_of(const json_t *r)
{
    FUZZ_CHECK(json_is_object(r));
    const char *res = json_string_value(json_object_get(r, "result"));
    FUZZ_CHECK(res != NULL);
    if (!strcmp(res, "invalid")) {
        const char *e = json_string_value(json_object_get(r, "error"));
        FUZZ_CHECK(e != NULL && strcmp(e, "unknown") != 0);
    } else if (!strcmp(res, "skipped")) {
        FUZZ_CHECK(json_is_string(json_object_get(r, "reason")));
    } else {
        FUZZ_CHECK(!strcmp(res, "valid"));
    }
    return res;
}

/* vwt_impl_handle() of {operation, message, input}; @p input is borrowed. */
static json_t *call(const char *op, const char *kind, json_t *input)
{
    json_t *req = json_object();
    FUZZ_CHECK(req != NULL);
    json_object_set_new(req, "operation", json_string(op));
    json_object_set_new(req, "message", json_string(kind));
    json_object_set(req, "input", input);
    json_t *r;
    if (!strncmp(kind, "vwtest.", 7))
        r = !strcmp(op, "encode") ? vwt_pb_encode_request(pb_desc(kind), req)
                                  : vwt_pb_decode_request(pb_desc(kind), req);
    else
        r = vwt_impl_handle(req);
    json_decref(req);
    (void)result_of(r);
    return r;
}

static int is_valid(const json_t *r)
{
    return !strcmp(json_string_value(json_object_get(r, "result")), "valid");
}

static void fail_json(const char *what, const json_t *a, const json_t *b)
{
    char *sa = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    char *sb = b ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    fprintf(stderr, "%s\n  %.2000s\n  %.2000s\n", what, sa ? sa : "(null)", sb ? sb : "(null)");
    FUZZ_FAIL("%s", what);
}

/* The serial builder writes a frame: the decoder takes its payload. */
static void builder_roundtrip(const json_t *r1)
{
    const char *hex = json_string_value(json_object_get(r1, "output"));
    FUZZ_CHECK(hex != NULL && strlen(hex) >= 4);
    json_t *payload = json_string(hex + 4);
    json_t *r2 = call("decode", "serial.GuestMessage", payload);
    if (!is_valid(r2))
        fail_json("the builder's frame does not decode", r1, r2);
    json_decref(r2);
    json_decref(payload);
}

/* Mode 0: JSON in, bytes, JSON, bytes again. */
static void json_first(const char *kind, json_t *in)
{
    json_t *r1 = call("encode", kind, in);
    if (!is_valid(r1)) {
        json_decref(r1);
        return;
    }
    if (!strcmp(kind, "serial.guest")) {
        builder_roundtrip(r1);
        json_decref(r1);
        return;
    }
    const ProtobufCMessageDescriptor *d = pb_desc(kind);
    json_t *hex = json_object_get(r1, "output");
    FUZZ_CHECK(json_is_string(hex));
    json_t *r2 = call("decode", kind, hex);
    if (!is_valid(r2)) {
        if (d)
            fail_json("the encoder's bytes do not decode", r1, r2);
        json_decref(r1);
        json_decref(r2); /* IC: the encoder writes what it is told */
        return;
    }
    json_t *j2 = json_object_get(r2, "output");
    json_t *r3 = call("encode", kind, j2);
    if (!is_valid(r3) || !json_equal(json_object_get(r3, "output"), hex))
        fail_json("encode(decode(encode(J))) != encode(J)", r1, r3);
    if (d) {
        static unsigned char mem[1u << 22];
        struct vw_arena a;
        ProtobufCMessage *m;
        char err[256];
        vw_arena_init(&a, mem, sizeof mem);
        if (vwt_pb_from_json(d, in, &a, &m, err, sizeof err) == 0) {
            json_t *j1 = vwt_pb_to_json(m);
            FUZZ_CHECK(j1 != NULL);
            if (!json_equal(j1, j2))
                fail_json("to_json(from_json(J)) != the decoder's JSON", j1, j2);
            json_decref(j1);
        } else {
            /* the handler read it with a larger arena; ours must be too small */
            FUZZ_CHECK(vw_arena_needed(&a) > sizeof mem);
        }
    }
    json_decref(r1);
    json_decref(r2);
    json_decref(r3);
}

/* Mode 1: bytes in, JSON, bytes, JSON again. */
static void bytes_first(const char *kind, const uint8_t *p, size_t n)
{
    if (!strcmp(kind, "serial.guest") || !strcmp(kind, "bridge.amd64"))
        return; /* no decoder */
    json_t *hex = vwt_hex_json(p, n);
    FUZZ_CHECK(hex != NULL);
    json_t *r1 = call("decode", kind, hex);
    json_decref(hex);
    if (!is_valid(r1)) {
        json_decref(r1);
        return;
    }
    json_t *j = json_object_get(r1, "output");
    json_t *r2 = call("encode", kind, j);
    if (!is_valid(r2))
        fail_json("the decoder's JSON does not encode", r1, r2);
    json_t *r3 = call("decode", kind, json_object_get(r2, "output"));
    if (!is_valid(r3) || !json_equal(json_object_get(r3, "output"), j))
        fail_json("decode(encode(decode(B))) != decode(B)", r1, r3);
    if (pb_desc(kind)) {
        json_t *r4 = call("encode", kind, json_object_get(r3, "output"));
        if (!is_valid(r4) || !json_equal(json_object_get(r4, "output"), json_object_get(r2, "output")))
            fail_json("the canonical form is not a fixed point", r2, r4);
        json_decref(r4);
    }
    json_decref(r1);
    json_decref(r2);
    json_decref(r3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    const char *kind = kinds[(sel & 31) % N_KINDS];
    unsigned mode = (unsigned)(sel >> 5) % 3;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    if (mode == 1) {
        bytes_first(kind, p, n);
        return 0;
    }
    json_error_t jerr;
    json_t *j = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!j)
        return 0;
    if (mode == 0) {
        json_first(kind, j);
    } else if (json_is_object(j) && strncmp(kind, "vwtest.", 7)) {
        json_t *r = vwt_impl_handle(j);
        (void)result_of(r);
        json_decref(r);
    }
    json_decref(j);
    return 0;
}
