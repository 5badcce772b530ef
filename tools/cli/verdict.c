/* The vmwire command: printing the built-in implementation's answer, and
 * for an invalid message the fault's offset (asked again of the public
 * decoders, since the testee answer carries only the status), the rule the
 * vectors name for that status, and a hex dump with the byte marked. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/vwt.h"
#include "vmwire/vmwire.h"

int cli_fault_offset(const char *kind, const char *operation, const char *profile, const uint8_t *p, size_t len,
                     const char **status_name, size_t *off)
{
    vw_status s;
    int validate = !strcmp(operation, "validate");
    *off = SIZE_MAX;
    if (!strcmp(kind, "ic.message") || !strcmp(kind, "ic.packet")) {
        enum vw_ic_profile prof = VW_IC_PROFILE_DEFAULT;
        if (profile && vw_ic_profile_from_name(profile, &prof) != VW_OK)
            return -1;
        if (!strcmp(kind, "ic.packet")) {
            struct vw_ic_packet pk;
            s = vw_ic_packet_decode(p, len, &pk, off);
            if (s == VW_OK && validate)
                s = vw_ic_packet_validate(&pk, prof, off);
        } else {
            struct vw_ic_message m;
            s = vw_ic_message_decode(p, len, &m, off);
            if (s == VW_OK && validate)
                s = vw_ic_message_validate(&m, prof, off);
        }
    } else {
        enum vw_crosvm_revision rev;
        enum vw_crosvm_kind ck;
        enum vw_serial_kind sk;
        int serial = 1;
        if (!strcmp(kind, "serial.GuestMessage"))
            sk = VW_SERIAL_GUEST_MESSAGE;
        else if (!strcmp(kind, "serial.VmmConfig"))
            sk = VW_SERIAL_VMM_CONFIG;
        else if (vw_crosvm_kind_parse(kind, &rev, &ck) == VW_OK)
            serial = 0;
        else
            return -1;
        size_t cap = 65536 + 16 * len;
        void *mem = malloc(cap);
        if (!mem) {
            vwt_nomem();
            return -1;
        }
        struct vw_arena a;
        vw_arena_init(&a, mem, cap);
        ProtobufCMessage *m = NULL;
        s = serial ? vw_serial_decode(sk, p, len, &a, &m, off) : vw_crosvm_decode(rev, ck, p, len, &a, &m, off);
        if (s == VW_OK && validate) {
            s = serial ? vw_serial_validate(m) : vw_crosvm_validate(rev, ck, m, len);
            *off = SIZE_MAX; /* message-level rules: no byte offset */
        }
        free(mem);
    }
    if (s == VW_OK)
        return 0;
    *status_name = vw_status_name(s);
    return 1;
}

/* stderr lines after "invalid: STATUS (text)". */
static void explain(const json_t *req, const char *error, const struct cli_style *st, const uint8_t *bytes,
                    size_t len)
{
    const char *kind = json_string_value(json_object_get(req, "message"));
    const char *op = json_string_value(json_object_get(req, "operation"));
    const char *profile = json_string_value(json_object_get(req, "profile"));
    if (!kind || !op || !error)
        return;
    char rules[256];
    cli_rules_for(kind, op, error, rules, sizeof rules);
    if (*rules)
        fprintf(stderr, "  rule: %s (the rule%s the vectors check with this error for %s %s)\n", rules,
                strchr(rules, ',') ? "s" : "", kind, op);
    if (!bytes)
        return;
    const char *name = NULL;
    size_t off = SIZE_MAX;
    if (cli_fault_offset(kind, op, profile, bytes, len, &name, &off) == 1 && !strcmp(name, error) &&
        off != SIZE_MAX && off <= len) {
        if (off < len)
            fprintf(stderr, "  offset: %zu (byte 0x%02x) of %zu bytes\n", off, bytes[off], len);
        else
            fprintf(stderr, "  offset: %zu (the end of the input) of %zu bytes\n", off, len);
        cli_hexdump(stderr, st, bytes, len, off);
    } else if (len) {
        fprintf(stderr, "  offset: none (a rule on the whole message)\n");
        cli_hexdump(stderr, st, bytes, len, SIZE_MAX);
    }
}

int cli_answer(json_t *req, const struct cli_style *st, const uint8_t *bytes, size_t len)
{
    return cli_answer_ex(req, st, bytes, len, 1);
}

int cli_answer_ex(json_t *req, const struct cli_style *st, const uint8_t *bytes, size_t len, int print_output)
{
    json_t *resp = vwt_impl_handle(req);
    const char *r = json_string_value(json_object_get(resp, "result"));
    int rc = 2;
    if (r && !strcmp(r, "valid") && !print_output) {
        rc = 0;
    } else if (r && !strcmp(r, "valid")) {
        json_t *out = json_object_get(resp, "output");
        if (json_is_string(out)) {
            puts(json_string_value(out));
        } else {
            char *s = json_dumps(out, JSON_INDENT(2) | JSON_ENCODE_ANY);
            if (s) {
                puts(s);
                free(s);
            }
        }
        rc = 0;
    } else if (r && !strcmp(r, "invalid")) {
        const char *e = json_string_value(json_object_get(resp, "error"));
        vw_status s = VW_E_INVALID_ARG;
        vw_status_from_name(e, &s);
        /* this first line is the command's contract: never coloured */
        fprintf(stderr, "invalid: %s (%s)\n", e ? e : "?", vw_status_str(s));
        struct cli_style es = { st && st->ecolor, 0 };
        explain(req, e, &es, bytes, len);
        json_t *out = json_object_get(resp, "output");
        if (out && print_output) {
            char *o = json_dumps(out, JSON_ENCODE_ANY);
            if (o) {
                printf("%s\n", o);
                free(o);
            }
        }
        rc = 1;
    } else {
        const char *why = json_string_value(json_object_get(resp, "reason"));
        fprintf(stderr, "not supported: %s\n", why ? why : "?");
    }
    json_decref(resp);
    return rc;
}
