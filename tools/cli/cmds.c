/* The vmwire command: kinds, frames (serial captures), bridge (register
 * files) and ic (pipe packets and engine sessions). */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/vwt.h"
#include "vmwire/vmwire.h"

/* ---- kinds ------------------------------------------------------------------ */

static const struct {
    const char *kind, *ops, *what;
} kinds[] = {
    { "ic.message", "decode encode validate", "Hyper-V IC message: 20-byte header and body (spec/ic.md 2-8)" },
    { "ic.packet", "decode encode validate respond session",
      "Hyper-V IC pipe packet: pipe header, message, ring padding; respond/session run the guest or host engine" },
    { "crosvm.seed.MainRequest", "decode encode validate session", "crosvm plugin main request, seed schema" },
    { "crosvm.seed.MainResponse", "decode encode validate session", "crosvm plugin main response, seed schema" },
    { "crosvm.seed.VcpuRequest", "decode encode validate session", "crosvm plugin vCPU request, seed schema" },
    { "crosvm.seed.VcpuResponse", "decode encode validate session", "crosvm plugin vCPU response, seed schema" },
    { "crosvm.final.MainRequest", "decode encode validate session", "crosvm plugin main request, final schema" },
    { "crosvm.final.MainResponse", "decode encode validate session", "crosvm plugin main response, final schema" },
    { "crosvm.final.VcpuRequest", "decode encode validate session", "crosvm plugin vCPU request, final schema" },
    { "crosvm.final.VcpuResponse", "decode encode validate session deframe",
      "crosvm plugin vCPU response, final schema; deframe splits the answer pipe's stream" },
    { "serial.GuestMessage", "decode encode validate", "serial guest protocol, guest to VMM (protobuf payload)" },
    { "serial.VmmConfig", "decode encode validate", "serial guest protocol, VMM to guest (protobuf payload)" },
    { "serial.guest", "encode", "serial guest side: the heapless builders and frame encoder (spec/serial.md)" },
    { "serial.stream", "deframe", "serial byte stream of 2-byte little-endian length frames" },
    { "bridge.amd64", "dispatch", "VMI bridge packet in AMD64 registers, dispatched to a handler table" },
};

void cli_print_kinds(FILE *f, const struct cli_style *st, int verbose)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        int annot = strstr(kinds[i].ops, "decode") != NULL;
        if (verbose)
            fprintf(f, "%s%-26s%s %-40s %s%s\n", cli_c(st, CLI_CYAN), kinds[i].kind, cli_c(st, CLI_RESET),
                    kinds[i].ops, kinds[i].what, annot ? "; --annotate" : "");
        else
            fprintf(f, "  %-26s %s\n", kinds[i].kind, kinds[i].ops);
    }
}

int cli_cmd_kinds(int argc, char **argv)
{
    static const char *const valued[] = { "--color", NULL };
    static const char *const flags[] = { "--json", NULL };
    struct cli_opts o;
    struct cli_style st;
    if (cli_opts_parse(argc, argv, flags, valued, &o) || o.npos || cli_style_init(&st, cli_val(&o, "--color"))) {
        fprintf(stderr, "usage: vmwire kinds [--json]\n");
        return 2;
    }
    if (cli_has(&o, "--json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
            json_t *ops = json_array();
            char buf[128];
            snprintf(buf, sizeof buf, "%s", kinds[i].ops);
            for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
                json_array_append_new(ops, json_string(t));
            json_array_append_new(arr, json_pack("{s:s,s:o,s:s,s:b}", "kind", kinds[i].kind, "operations", ops,
                                                 "description", kinds[i].what, "annotate",
                                                 strstr(kinds[i].ops, "decode") != NULL));
        }
        char *s = json_dumps(arr, JSON_INDENT(2));
        if (s)
            puts(s);
        free(s);
        json_decref(arr);
        return 0;
    }
    cli_print_kinds(stdout, &st, 1);
    return 0;
}

/* ---- frames -------------------------------------------------------------------- */

static void print_compact(FILE *f, const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s)
        fprintf(f, "%s\n", s);
    free(s);
}

int cli_cmd_frames(int argc, char **argv)
{
    static const char *const flags[] = { "--binary", "--annotate", "--raw", NULL };
    static const char *const valued[] = { "--policy", "--limit", "--check", "--decoder", "--empty", "--kind", "--color",
                                          NULL };
    struct cli_opts o;
    struct cli_style st;
    if (cli_opts_parse(argc, argv, flags, valued, &o) || cli_style_init(&st, cli_val(&o, "--color"))) {
        fprintf(stderr, "usage: vmwire frames [FILE|HEX|-]... [--binary] [--policy resync|drop|reference] [--limit N]\n"
                        "       [--check GuestMessage|VmmConfig|none] [--decoder protobuf|micropb]\n"
                        "       [--empty accept|reject] [--kind KIND]\n"
                        "       [--annotate] [--raw]\n");
        return 2;
    }
    /* several arguments are pieces of one stream, in order */
    uint8_t *bytes = NULL;
    size_t len = 0;
    for (int i = 0; i < (o.npos ? o.npos : 1); i++) {
        uint8_t *b;
        size_t n;
        if (cli_input_bytes(o.npos ? o.pos[i] : NULL, cli_has(&o, "--binary"), &b, &n)) {
            free(bytes);
            return 2;
        }
        uint8_t *nb = realloc(bytes, len + n + 1);
        if (!nb) {
            vwt_nomem();
            free(b);
            free(bytes);
            return 2;
        }
        bytes = nb;
        memcpy(bytes + len, b, n);
        len += n;
        free(b);
    }
    json_t *req = json_object();
    json_object_set_new(req, "id", json_string("cli"));
    json_object_set_new(req, "operation", json_string("deframe"));
    json_object_set_new(req, "message", json_string("serial.stream"));
    json_t *chunks = json_array();
    json_array_append_new(chunks, vwt_hex_json(bytes, len));
    json_object_set_new(req, "input", chunks);
    const char *v;
    if ((v = cli_val(&o, "--policy")))
        json_object_set_new(req, "policy", json_string(v));
    if ((v = cli_val(&o, "--limit"))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || !*v) {
            fprintf(stderr, "vmwire: --limit wants a number\n");
            free(bytes);
            json_decref(req);
            return 2;
        }
        json_object_set_new(req, "limit", json_integer(n));
    }
    const char *check = cli_val(&o, "--check");
    if (check)
        json_object_set_new(req, "check", json_string(check));
    if ((v = cli_val(&o, "--decoder")))
        json_object_set_new(req, "decoder", json_string(v));
    if ((v = cli_val(&o, "--empty")))
        json_object_set_new(req, "empty", json_string(v));
    const char *kind = cli_val(&o, "--kind");
    if (!kind)
        kind = check && !strcmp(check, "VmmConfig") ? "serial.VmmConfig" : "serial.GuestMessage";
    json_t *resp = vwt_impl_handle(req);
    json_decref(req);
    const char *r = json_string_value(json_object_get(resp, "result"));
    if (!r || strcmp(r, "valid")) {
        const char *why = json_string_value(json_object_get(resp, "reason"));
        fprintf(stderr, "vmwire: frames: %s\n", why ? why : "the deframer refused the stream");
        json_decref(resp);
        free(bytes);
        return 2;
    }
    size_t pos = 0, i, nframes = 0, nerr = 0;
    int bad_payload = 0;
    json_t *ev;
    json_array_foreach(json_object_get(resp, "output"), i, ev)
    {
        json_t *fr = json_object_get(ev, "frame");
        if (fr) {
            uint8_t *pl;
            size_t pn;
            if (vwt_json_hex(fr, &pl, &pn))
                continue;
            nframes++;
            printf("%sframe %zu%s at offset %zu: length %zu (header %02x %02x)\n", cli_c(&st, CLI_BOLD), nframes,
                   cli_c(&st, CLI_RESET), pos, pn, pos < len ? bytes[pos] : 0, pos + 1 < len ? bytes[pos + 1] : 0);
            if (cli_has(&o, "--raw")) {
                json_t *h = vwt_hex_json(pl, pn);
                printf("  %s\n", json_string_value(h));
                json_decref(h);
            }
            if (cli_has(&o, "--annotate")) {
                cli_annotate(stdout, &st, kind, pl, pn, pos + 2);
            }
            json_t *dreq = json_pack("{s:s,s:s,s:s,s:o}", "id", "cli", "operation", "decode", "message", kind, "input",
                                     vwt_hex_json(pl, pn));
            json_t *dr = vwt_impl_handle(dreq);
            const char *res = json_string_value(json_object_get(dr, "result"));
            if (res && !strcmp(res, "valid")) {
                printf("  %s ", kind);
                print_compact(stdout, json_object_get(dr, "output"));
            } else if (res && !strcmp(res, "invalid")) {
                const char *name = NULL;
                size_t off = SIZE_MAX;
                printf("  %s: %sinvalid%s: %s", kind, cli_c(&st, CLI_RED), cli_c(&st, CLI_RESET),
                       json_string_value(json_object_get(dr, "error")));
                if (cli_fault_offset(kind, "decode", NULL, pl, pn, &name, &off) == 1 && off <= pn)
                    printf(" at payload offset %zu (stream offset %zu)", off, pos + 2 + off);
                printf("\n");
                bad_payload = 1;
            }
            json_decref(dr);
            json_decref(dreq);
            pos += 2 + pn;
            free(pl);
        } else if (json_object_get(ev, "error")) {
            nerr++;
            size_t sk = (size_t)json_integer_value(json_object_get(ev, "skipped"));
            printf("%serror%s at offset %zu: %s, %zu byte%s skipped\n", cli_c(&st, CLI_RED), cli_c(&st, CLI_RESET),
                   pos, json_string_value(json_object_get(ev, "error")), sk, sk == 1 ? "" : "s");
            pos += sk;
        } else if (json_object_get(ev, "pending")) {
            size_t pn = (size_t)json_integer_value(json_object_get(ev, "pending"));
            printf("pending at offset %zu: %zu byte%s of an incomplete frame\n", len - pn, pn, pn == 1 ? "" : "s");
        }
    }
    printf("%zu frame%s, %zu error%s, %zu bytes\n", nframes, nframes == 1 ? "" : "s", nerr, nerr == 1 ? "" : "s",
           len);
    json_decref(resp);
    free(bytes);
    return nerr || bad_payload ? 1 : 0;
}

/* ---- bridge --------------------------------------------------------------------- */

static const char *const reg_names[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8",
                                         "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip" };
#define NREGS (sizeof reg_names / sizeof reg_names[0])

static uint64_t *reg_slot(struct vw_bridge_regs *r, size_t i)
{
    uint64_t *const s[NREGS] = { &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->rsp, &r->r8,
                                 &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15, &r->rip };
    return s[i];
}

/* 0x-prefixed hex or decimal. */
static int parse_num(const char *s, uint64_t *v)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return vwt_parse_u64_hex(s, v);
    if (!*s)
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    *v = x;
    return *end ? -1 : 0;
}

struct regfile {
    struct vw_bridge_regs regs;
    int have[NREGS];
    const char *trigger;
    int mode;
    int insn_len;
};

/* One "name=value" token (also "name:value"); names are case-insensitive,
 * e/r prefixes both accepted for the 32-bit names (eax = rax). */
static int regfile_token(struct regfile *rf, const char *tok)
{
    char name[16];
    const char *eq = strpbrk(tok, "=:");
    if (!eq || eq == tok || (size_t)(eq - tok) >= sizeof name)
        return -1;
    size_t nl = (size_t)(eq - tok);
    for (size_t i = 0; i < nl; i++)
        name[i] = (char)tolower((unsigned char)tok[i]);
    name[nl] = 0;
    const char *val = eq + 1;
    if (!strcmp(name, "trigger")) {
        rf->trigger = !strcmp(val, "cpuid") ? "cpuid" : !strcmp(val, "vmcall") ? "vmcall" : NULL;
        return rf->trigger ? 0 : -1;
    }
    uint64_t v;
    if (parse_num(val, &v))
        return -1;
    if (!strcmp(name, "mode")) {
        rf->mode = (int)v;
        return v == 64 || v == 32 || v == 0 || v == 16 ? 0 : -1;
    }
    if (!strcmp(name, "insn_len")) {
        rf->insn_len = (int)v;
        return v <= 15 ? 0 : -1;
    }
    if (name[0] == 'e')
        name[0] = 'r';
    for (size_t i = 0; i < NREGS; i++)
        if (!strcmp(reg_names[i], name)) {
            *reg_slot(&rf->regs, i) = v;
            rf->have[i] = 1;
            return 0;
        }
    return -1;
}

static int regfile_text(struct regfile *rf, char *text)
{
    for (char *t = strtok(text, " \t\r\n,;"); t; t = strtok(NULL, " \t\r\n,;")) {
        if (t[0] == '#') { /* comment to the end of the line */
            t = strtok(NULL, "\n");
            continue;
        }
        if (regfile_token(rf, t)) {
            fprintf(stderr, "vmwire: bridge: cannot read \"%s\" (want NAME=VALUE, VALUE 0x-hex or decimal)\n", t);
            return -1;
        }
    }
    return 0;
}

static json_t *load_handlers(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, JSON_ALLOW_NUL, &e);
    if (!j) {
        fprintf(stderr, "vmwire: bridge: %s: %s\n", path, e.text);
        return NULL;
    }
    json_t *h = NULL;
    if (json_is_array(j))
        h = j;
    else if (json_is_array(json_object_get(j, "handlers")))
        h = json_object_get(j, "handlers");
    else { /* a vector file: the first dispatch group's table */
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(j, "groups"), i, g)
        {
            if (json_is_array(json_object_get(g, "handlers"))) {
                h = json_object_get(g, "handlers");
                break;
            }
        }
    }
    if (!h) {
        fprintf(stderr, "vmwire: bridge: %s holds no handler table\n", path);
        json_decref(j);
        return NULL;
    }
    json_incref(h);
    json_decref(j);
    return h;
}

int cli_cmd_bridge(int argc, char **argv)
{
    static const char *const flags[] = { "--json", NULL };
    static const char *const valued[] = { "--mode", "--trigger", "--handlers", "--insn-len", "--color", NULL };
    struct cli_opts o;
    struct cli_style st;
    if (cli_opts_parse(argc, argv, flags, valued, &o) || cli_style_init(&st, cli_val(&o, "--color"))) {
        fprintf(stderr, "usage: vmwire bridge [REG=VALUE...|FILE|-] [--mode 64|32|0] [--trigger vmcall|cpuid]\n"
                        "       [--insn-len N] [--handlers FILE] [--json]\n");
        return 2;
    }
    struct regfile rf;
    memset(&rf, 0, sizeof rf);
    rf.mode = 64;
    rf.insn_len = -1;
    rf.trigger = "vmcall";
    int toks = 0;
    for (int i = 0; i < o.npos; i++) {
        char *text;
        if (strpbrk(o.pos[i], "=:") && strcmp(o.pos[i], "-")) {
            text = strdup(o.pos[i]);
            if (!text)
                vwt_nomem();
        } else {
            text = cli_input_text(o.pos[i]);
        }
        if (!text || regfile_text(&rf, text)) {
            free(text);
            return 2;
        }
        free(text);
        toks++;
    }
    if (!toks) {
        char *text = cli_input_text(NULL);
        if (!text || regfile_text(&rf, text)) {
            free(text);
            return 2;
        }
        free(text);
    }
    const char *v;
    uint64_t n;
    if ((v = cli_val(&o, "--mode"))) {
        if (parse_num(v, &n) || (n != 64 && n != 32 && n != 0 && n != 16)) {
            fprintf(stderr, "vmwire: bridge: --mode is 64, 32 or 0\n");
            return 2;
        }
        rf.mode = (int)n;
    }
    if ((v = cli_val(&o, "--trigger"))) {
        if (strcmp(v, "vmcall") && strcmp(v, "cpuid")) {
            fprintf(stderr, "vmwire: bridge: --trigger is vmcall or cpuid\n");
            return 2;
        }
        rf.trigger = v;
    }
    if ((v = cli_val(&o, "--insn-len"))) {
        if (parse_num(v, &n) || n > 15) {
            fprintf(stderr, "vmwire: bridge: --insn-len is 0 to 15\n");
            return 2;
        }
        rf.insn_len = (int)n;
    }
    rf.regs.mode = rf.mode == 64 ? VW_BRIDGE_MODE_64 : rf.mode == 32 ? VW_BRIDGE_MODE_32 : VW_BRIDGE_MODE_OTHER;
    enum vw_bridge_trigger trig = !strcmp(rf.trigger, "cpuid") ? VW_BRIDGE_CPUID : VW_BRIDGE_VMCALL;

    struct vw_bridge_packet pk;
    vw_status s = vw_bridge_read_packet(&rf.regs, trig, &pk);
    printf("%smode %d, trigger %s%s\n", cli_c(&st, CLI_BOLD), rf.mode, rf.trigger, cli_c(&st, CLI_RESET));
    if (s != VW_OK) {
        fprintf(stderr, "invalid: %s (%s)\n", vw_status_name(s), vw_status_str(s));
        char rules[128];
        cli_rules_for("bridge.amd64", "dispatch", vw_status_name(s), rules, sizeof rules);
        if (*rules)
            fprintf(stderr, "  rule: %s\n", rules);
        return 1;
    }
    char ascii[5];
    for (int i = 0; i < 4; i++) {
        unsigned char ch = (unsigned char)(pk.magic >> (8 * i));
        ascii[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '.';
    }
    ascii[4] = 0;
    printf("  %smagic%s   = 0x%08" PRIx32 " (\"%s\" in memory order)\n", cli_c(&st, CLI_CYAN), cli_c(&st, CLI_RESET),
           pk.magic, ascii);
    printf("  %srequest%s = %" PRIu16 " (0x%04" PRIx16 ")\n", cli_c(&st, CLI_CYAN), cli_c(&st, CLI_RESET), pk.request,
           pk.request);
    printf("  %smethod%s  = %" PRIu16 " (0x%04" PRIx16 ")\n", cli_c(&st, CLI_CYAN), cli_c(&st, CLI_RESET), pk.method,
           pk.method);
    for (int i = 0; i < 4; i++)
        printf("  %svalue%d%s  = 0x%016" PRIx64 "\n", cli_c(&st, CLI_CYAN), i + 1, cli_c(&st, CLI_RESET),
               pk.values[i]);
    const char *hpath = cli_val(&o, "--handlers");
    if (!hpath)
        return 0;

    json_t *handlers = load_handlers(hpath);
    if (!handlers)
        return 2;
    json_t *regs = json_object();
    for (size_t i = 0; i < NREGS; i++) {
        char b[24];
        snprintf(b, sizeof b, "0x%" PRIx64, *reg_slot(&rf.regs, i));
        json_object_set_new(regs, reg_names[i], json_string(b));
    }
    json_t *in = json_pack("{s:s,s:i,s:o}", "trigger", rf.trigger, "mode", rf.mode, "registers", regs);
    if (rf.insn_len >= 0)
        json_object_set_new(in, "insn_len", json_integer(rf.insn_len));
    json_t *req = json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", "cli", "operation", "dispatch", "message", "bridge.amd64",
                            "input", in, "handlers", handlers);
    if (cli_has(&o, "--json")) {
        int rc = cli_answer(req, &st, NULL, 0);
        json_decref(req);
        return rc;
    }
    json_t *resp = vwt_impl_handle(req);
    const char *r = json_string_value(json_object_get(resp, "result"));
    int rc = 2;
    if (r && !strcmp(r, "valid")) {
        json_t *out = json_object_get(resp, "output");
        const char *res = json_string_value(json_object_get(out, "result"));
        const char *outcome = json_string_value(json_object_get(out, "outcome"));
        printf("%soutcome%s: %s\n", cli_c(&st, CLI_BOLD), cli_c(&st, CLI_RESET), outcome ? outcome : "none");
        printf("result: %s\n", res ? res : "none");
        json_t *after = json_object_get(out, "registers");
        int changed = 0;
        for (size_t i = 0; i < NREGS; i++) {
            uint64_t nv;
            if (vwt_parse_u64_hex(json_string_value(json_object_get(after, reg_names[i])), &nv) == 0 &&
                nv != *reg_slot(&rf.regs, i)) {
                printf("  %-3s 0x%016" PRIx64 " -> %s0x%016" PRIx64 "%s\n", reg_names[i], *reg_slot(&rf.regs, i),
                       cli_c(&st, CLI_GREEN), nv, cli_c(&st, CLI_RESET));
                changed++;
            }
        }
        if (!changed)
            printf("  no register changed\n");
        rc = 0;
    } else {
        json_decref(resp);
        resp = NULL;
        rc = cli_answer(req, &st, NULL, 0);
    }
    json_decref(resp);
    json_decref(req);
    return rc;
}

/* ---- ic ------------------------------------------------------------------------- */

int cli_cmd_ic(int argc, char **argv)
{
    static const char *const flags[] = { "--binary", "--annotate", "--session", "--message", NULL };
    static const char *const valued[] = { "--role", "--profile", "--service", "--param", "--color", NULL };
    struct cli_opts o;
    struct cli_style st;
    if (cli_opts_parse(argc, argv, flags, valued, &o) || cli_style_init(&st, cli_val(&o, "--color")) ||
        (!cli_has(&o, "--session") && o.npos > 1)) {
        fprintf(stderr, "usage: vmwire ic [HEX|FILE|-] [--message] [--annotate] [--binary]\n"
                        "       vmwire ic --session --role guest|host --service NAME [--profile P] [--param K=V]\n"
                        "                 PACKET|FILE...   (a packet of \"send:negotiate\" or \"tick\" for a host)\n");
        return 2;
    }
    const char *kind = cli_has(&o, "--message") ? "ic.message" : "ic.packet";
    if (!cli_has(&o, "--session")) {
        /* a pipe packet (or with --message an IC message): decode or annotate */
        char *args[8];
        int n = 0;
        args[n++] = (char *)kind;
        if (o.npos)
            args[n++] = (char *)o.pos[0];
        if (cli_has(&o, "--annotate"))
            args[n++] = "--annotate";
        if (cli_has(&o, "--binary"))
            args[n++] = "--binary";
        if (cli_val(&o, "--profile")) {
            args[n++] = "--profile";
            args[n++] = (char *)cli_val(&o, "--profile");
        }
        if (cli_val(&o, "--color")) {
            args[n++] = "--color";
            args[n++] = (char *)cli_val(&o, "--color");
        }
        args[n] = NULL;
        return cli_cmd_bytes("decode", n, args);
    }
    const char *role = cli_val(&o, "--role"), *svc = cli_val(&o, "--service");
    if (!role || !svc || !o.npos) {
        fprintf(stderr, "vmwire: ic --session needs --role, --service and at least one packet\n");
        return 2;
    }
    json_t *req = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", "cli", "operation", "session", "message", "ic.packet",
                            "role", role, "service", svc);
    if (cli_add_params(&o, req)) {
        json_decref(req);
        return 2;
    }
    json_t *steps = json_array();
    for (int i = 0; i < o.npos; i++) {
        json_t *step;
        if (!strcmp(o.pos[i], "send:negotiate")) {
            step = json_pack("{s:s}", "send", "negotiate");
        } else if (!strcmp(o.pos[i], "tick")) {
            step = json_pack("{s:b}", "tick", 1);
        } else if (!strncmp(o.pos[i], "send:", 5)) {
            json_t *body = json_loads(o.pos[i] + 5, 0, NULL);
            if (!body) {
                fprintf(stderr, "vmwire: ic: step %d: send: wants a JSON body\n", i + 1);
                json_decref(steps);
                json_decref(req);
                return 2;
            }
            step = json_pack("{s:o}", "send", body);
        } else {
            uint8_t *b;
            size_t n;
            if (cli_input_bytes(o.pos[i], cli_has(&o, "--binary"), &b, &n)) {
                json_decref(steps);
                json_decref(req);
                return 2;
            }
            step = json_pack("{s:o}", "input", vwt_hex_json(b, n));
            free(b);
        }
        json_array_append_new(steps, step);
    }
    json_object_set_new(req, "steps", steps);
    json_t *resp = vwt_impl_handle(req);
    const char *r = json_string_value(json_object_get(resp, "result"));
    int rc = 0;
    if (!r || strcmp(r, "valid")) {
        json_decref(resp);
        rc = cli_answer(req, &st, NULL, 0);
        json_decref(req);
        return rc;
    }
    size_t i;
    json_t *sr;
    json_array_foreach(json_object_get(resp, "output"), i, sr)
    {
        const char *res = json_string_value(json_object_get(sr, "result"));
        const char *err = json_string_value(json_object_get(sr, "error"));
        json_t *out = json_object_get(sr, "output");
        printf("%sstep %zu%s: %s%s%s", cli_c(&st, CLI_BOLD), i + 1, cli_c(&st, CLI_RESET),
               res && !strcmp(res, "valid") ? cli_c(&st, CLI_GREEN) : cli_c(&st, CLI_RED), res ? res : "?",
               cli_c(&st, CLI_RESET));
        if (err)
            printf(" (%s)", err);
        if (json_is_string(out))
            printf(", sent %s\n", *json_string_value(out) ? json_string_value(out) : "nothing");
        else {
            printf(", output ");
            print_compact(stdout, out);
        }
        if (res && strcmp(res, "valid"))
            rc = 1;
    }
    json_decref(resp);
    json_decref(req);
    return rc;
}
