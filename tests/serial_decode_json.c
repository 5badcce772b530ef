/* Line-oriented front end of the serial message decoders, for
 * tests/serial_differential.py. Reads lines from stdin:
 *
 *   serial <Name> <hex>  -> canonical JSON of vw_serial_decode() (the protobuf
 *                           engine plus capacities and the 600-byte limit), or
 *                           "invalid <status name> <offset>"
 *   fixed <Name> <hex>   -> "ok <hex>" with the heapless guest codec's decode
 *                           re-encoded canonically, "toolong" when that
 *                           re-encoding exceeds 600 bytes, or
 *                           "invalid <status name> <offset>"
 *
 * <Name> is vmwire.serial.GuestMessage or vmwire.serial.VmmConfig. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbjson.h"
#include "common/vwt.h"
#include "vmwire/serial.h"

static _Alignas(16) unsigned char mem[1 << 16];

static void do_serial(enum vw_serial_kind kind, const uint8_t *buf, size_t len)
{
    struct vw_arena a;
    vw_arena_init(&a, mem, sizeof mem);
    ProtobufCMessage *m;
    size_t off;
    vw_status st = vw_serial_decode(kind, buf, len, &a, &m, &off);
    if (st != VW_OK) {
        printf("invalid %s %zu\n", vw_status_name(st), off);
        return;
    }
    json_t *j = vwt_pb_to_json(m);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    printf("%s\n", s ? s : "error json");
    free(s);
    json_decref(j);
}

static void do_fixed(enum vw_serial_kind kind, const uint8_t *buf, size_t len)
{
    uint8_t out[VW_SERIAL_MAX_MESSAGE];
    size_t off, n = 0;
    vw_status st, es;
    if (kind == VW_SERIAL_GUEST_MESSAGE) {
        static struct vw_serial_guest_message g;
        st = vw_serial_guest_message_decode(buf, len, &g, &off);
        es = st == VW_OK ? vw_serial_guest_message_encode(&g, out, sizeof out, &n) : VW_OK;
    } else {
        static struct vw_serial_vmm_config c;
        st = vw_serial_vmm_config_decode(buf, len, &c, &off);
        es = st == VW_OK ? vw_serial_vmm_config_encode(&c, out, sizeof out, &n) : VW_OK;
    }
    if (st != VW_OK) {
        printf("invalid %s %zu\n", vw_status_name(st), off);
    } else if (es == VW_E_TOO_LONG) {
        printf("toolong\n");
    } else if (es != VW_OK) {
        printf("error encode %s\n", vw_status_name(es));
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%02x", out[i]);
        printf("\n");
    }
}

int main(void)
{
    static char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *mode = strtok(line, " ");
        char *name = strtok(NULL, " ");
        char *hex = strtok(NULL, " ");
        if (!hex)
            hex = "";
        enum vw_serial_kind kind;
        uint8_t *buf;
        size_t len;
        if (!mode || !name) {
            printf("error bad line\n");
        } else if (strcmp(name, "vmwire.serial.GuestMessage") &&
                   strcmp(name, "vmwire.serial.VmmConfig")) {
            printf("error unknown message %s\n", name);
        } else if (vwt_hex_decode(hex, &buf, &len)) {
            printf("error bad hex\n");
        } else {
            kind = strcmp(name, "vmwire.serial.GuestMessage") ? VW_SERIAL_VMM_CONFIG
                                                               : VW_SERIAL_GUEST_MESSAGE;
            if (!strcmp(mode, "serial"))
                do_serial(kind, buf, len);
            else if (!strcmp(mode, "fixed"))
                do_fixed(kind, buf, len);
            else
                printf("error unknown mode %s\n", mode);
            free(buf);
        }
        fflush(stdout);
    }
    return 0;
}
