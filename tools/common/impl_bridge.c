/* Built-in implementation of the bridge message kinds behind the testee
 * interface: kind "bridge.amd64", operation "dispatch" (spec/bridge.md,
 * "Conformance vectors"). The handler table arrives as data; it becomes a
 * vw_bridge_handler table whose callbacks answer from that data, and the case
 * runs through the library exactly as a host would: read, dispatch, write. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/vwt.h"
#include "vmwire/bridge.h"

/* ---- registers ------------------------------------------------------------ */

static const char *const reg_names[] = {
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8",
    "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
};
#define NREGS (sizeof reg_names / sizeof reg_names[0])

static uint64_t *reg_slot(struct vw_bridge_regs *r, size_t i)
{
    uint64_t *const slots[NREGS] = {
        &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->rsp, &r->r8,
        &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15, &r->rip,
    };
    return slots[i];
}

/* A "0x..." string of 1..16 hex digits. */
static int parse_hex(const json_t *v, uint64_t *out)
{
    const char *s = json_string_value(v);
    if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return -1;
    return vwt_parse_u64_hex(s, out);
}

static json_t *hex_json(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return json_string(buf);
}

/* ---- the handler table as data -------------------------------------------- */

/* One response slot: a constant, absent, or a field of the packet. */
enum slot_kind { SLOT_ABSENT, SLOT_CONST, SLOT_FIELD };
enum { F_MAGIC, F_REQUEST, F_METHOD, F_VALUE1 }; /* F_VALUE1 + n - 1 = value n */

static const char *const field_names[] = { "magic", "request", "method", "value1", "value2", "value3", "value4" };

struct slot {
    enum slot_kind kind;
    uint64_t value; /* constant, or field index */
};

struct method_answer {
    uint16_t method;
    int responds; /* 0: the method maps to null (no response) */
    struct slot slots[4];
    struct slot result; /* SLOT_ABSENT: no completion result */
};

struct data_handler {
    struct method_answer *answers;
    size_t count;
};

static int parse_method_key(const char *k, uint16_t *out)
{
    uint64_t v = 0;
    if (k[0] == '0' && (k[1] == 'x' || k[1] == 'X')) {
        if (vwt_parse_u64_hex(k, &v))
            return -1;
    } else {
        if (!*k || strlen(k) > 5)
            return -1;
        for (const char *p = k; *p; p++) {
            if (*p < '0' || *p > '9')
                return -1;
            v = v * 10 + (uint64_t)(*p - '0');
        }
    }
    if (v > 0xffff)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static int parse_slot(const json_t *v, struct slot *s)
{
    s->kind = SLOT_ABSENT;
    if (json_is_null(v))
        return 0;
    const char *str = json_string_value(v);
    if (!str)
        return -1;
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++) {
        if (strcmp(str, field_names[i]) == 0) {
            s->kind = SLOT_FIELD;
            s->value = i;
            return 0;
        }
    }
    if (parse_hex(v, &s->value))
        return -1;
    s->kind = SLOT_CONST;
    return 0;
}

static int parse_answer(const char *key, const json_t *v, struct method_answer *a)
{
    memset(a, 0, sizeof *a);
    if (parse_method_key(key, &a->method))
        return -1;
    if (json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return -1;
    a->responds = 1;
    const json_t *values = json_object_get(v, "values");
    if (values) {
        if (!json_is_array(values) || json_array_size(values) != 4)
            return -1;
        for (size_t n = 0; n < 4; n++)
            if (parse_slot(json_array_get(values, n), &a->slots[n]))
                return -1;
    }
    const json_t *result = json_object_get(v, "result");
    if (result && parse_slot(result, &a->result))
        return -1;
    return 0;
}

/* A constant, or the packet field it names, zero-extended. */
static uint64_t slot_value(const struct slot *s, const struct vw_bridge_packet *p)
{
    uint64_t v = s->value;
    if (s->kind == SLOT_FIELD)
        v = v == F_MAGIC ? p->magic : v == F_REQUEST ? p->request : v == F_METHOD ? p->method : p->values[v - F_VALUE1];
    return v;
}

static vw_status answer_from_data(void *user, const struct vw_bridge_packet *p, struct vw_bridge_response *r)
{
    const struct data_handler *h = user;
    for (size_t i = 0; i < h->count; i++) {
        const struct method_answer *a = &h->answers[i];
        if (a->method != p->method)
            continue;
        if (!a->responds)
            return VW_E_NO_RESPONSE;
        for (unsigned n = 0; n < 4; n++) {
            const struct slot *s = &a->slots[n];
            if (s->kind == SLOT_ABSENT)
                continue;
            r->values[n] = slot_value(s, p);
            r->present |= VW_BRIDGE_SLOT(n + 1);
        }
        r->has_result = a->result.kind != SLOT_ABSENT;
        r->result = r->has_result ? slot_value(&a->result, p) : 0;
        return VW_OK;
    }
    return VW_E_NO_RESPONSE; /* an unlisted method gives no response */
}

struct table_data {
    struct vw_bridge_handler *handlers;
    struct data_handler *data;
    struct vw_bridge_index_entry *index;
    size_t count;
};

static void table_free(struct table_data *t)
{
    if (t->data)
        for (size_t i = 0; i < t->count; i++)
            free(t->data[i].answers);
    free(t->handlers);
    free(t->data);
    free(t->index);
    memset(t, 0, sizeof *t);
}

/* Returns NULL on success, else a reason for "skipped". */
static const char *table_parse(const json_t *list, struct table_data *t)
{
    memset(t, 0, sizeof *t);
    if (!json_is_array(list))
        return "parameter \"handlers\" is missing or not a list";
    size_t n = json_array_size(list);
    t->count = n;
    t->handlers = calloc(n ? n : 1, sizeof *t->handlers);
    t->data = calloc(n ? n : 1, sizeof *t->data);
    t->index = calloc(n ? VW_BRIDGE_INDEX_CAP(n) : 1, sizeof *t->index);
    if (!t->handlers || !t->data || !t->index)
        return "out of memory";
    vwt_poison(t->index, (n ? VW_BRIDGE_INDEX_CAP(n) : 1) * sizeof *t->index); /* the table init fills it */
    for (size_t i = 0; i < n; i++) {
        const json_t *hj = json_array_get(list, i);
        struct vw_bridge_handler *h = &t->handlers[i];
        if (!json_is_object(hj))
            return "a handler is not an object";
        const json_t *magic = json_object_get(hj, "magic");
        if (magic && !json_is_null(magic)) {
            uint64_t m;
            if (parse_hex(magic, &m) || m > 0xffffffffu)
                return "a handler's \"magic\" is not a 32-bit hex string or null";
            h->has_magic = true;
            h->magic = (uint32_t)m;
        }
        const json_t *req = json_object_get(hj, "request");
        if (!json_is_integer(req) || json_integer_value(req) < 0 || json_integer_value(req) > 0xffff)
            return "a handler's \"request\" is not a number 0..65535";
        h->request = (uint16_t)json_integer_value(req);
        const json_t *verify = json_object_get(hj, "verify");
        if (verify && !json_is_null(verify)) {
            if (!json_is_array(verify) || json_array_size(verify) != 4)
                return "a handler's \"verify\" is not a list of four";
            for (size_t k = 0; k < 4; k++) {
                const json_t *v = json_array_get(verify, k);
                if (json_is_null(v))
                    continue;
                if (parse_hex(v, &h->verify[k]))
                    return "a verify value is not a hex string or null";
                h->verify_present |= VW_BRIDGE_SLOT(k + 1);
            }
        }
        const json_t *methods = json_object_get(hj, "methods");
        if (methods && !json_is_object(methods))
            return "a handler's \"methods\" is not an object";
        size_t m = methods ? json_object_size(methods) : 0;
        t->data[i].answers = calloc(m ? m : 1, sizeof *t->data[i].answers);
        if (!t->data[i].answers)
            return "out of memory";
        const char *key;
        json_t *val;
        size_t k = 0;
        json_object_foreach((json_t *)methods, key, val)
        {
            if (parse_answer(key, val, &t->data[i].answers[k]))
                return "a method key or response is malformed";
            for (size_t j = 0; j < k; j++)
                if (t->data[i].answers[j].method == t->data[i].answers[k].method)
                    return "a handler lists the same method twice";
            k++;
        }
        t->data[i].count = k;
        h->handle = answer_from_data;
        h->user = &t->data[i];
    }
    return NULL;
}

/* ---- the dispatch operation ------------------------------------------------ */

/* "cpu": the processor state of BR-MODE-3; an absent flag is false. */
static const char *cpu_parse(const json_t *cpu, enum vw_bridge_mode *mode)
{
    static const char *const names[] = { "paging", "ia32e", "cs_l", "cs_d", "eflags_vm" };
    bool flags[5] = { false, false, false, false, false };
    if (!json_is_object(cpu))
        return "input \"cpu\" is not an object";
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)cpu, key, val)
    {
        size_t i = 0;
        while (i < 5 && strcmp(names[i], key) != 0)
            i++;
        if (i == 5)
            return "input \"cpu\" names an unknown flag";
        if (!json_is_boolean(val))
            return "a \"cpu\" flag is not true or false";
        flags[i] = json_is_true(val);
    }
    struct vw_bridge_cpu_mode m = { flags[0], flags[1], flags[2], flags[3], flags[4] };
    *mode = vw_bridge_mode_of(&m);
    return NULL;
}

static const char *input_parse(const json_t *in, struct vw_bridge_regs *regs, enum vw_bridge_trigger *trigger,
                               unsigned *insn_len)
{
    memset(regs, 0, sizeof *regs);
    if (!json_is_object(in))
        return "input is not an object";
    const char *tr = json_string_value(json_object_get(in, "trigger"));
    if (tr && strcmp(tr, "vmcall") == 0)
        *trigger = VW_BRIDGE_VMCALL;
    else if (tr && strcmp(tr, "cpuid") == 0)
        *trigger = VW_BRIDGE_CPUID;
    else
        return "input \"trigger\" is not \"vmcall\" or \"cpuid\"";
    const json_t *mode = json_object_get(in, "mode");
    const json_t *cpu = json_object_get(in, "cpu");
    if (mode && cpu)
        return "input has both \"mode\" and \"cpu\"";
    if (cpu) {
        const char *why = cpu_parse(cpu, &regs->mode);
        if (why)
            return why;
    } else {
        if (!json_is_integer(mode))
            return "input \"mode\" is not a number";
        json_int_t m = json_integer_value(mode);
        if (m == 64)
            regs->mode = VW_BRIDGE_MODE_64;
        else if (m == 32)
            regs->mode = VW_BRIDGE_MODE_32;
        else if (m == 0 || m == 16) /* 16: the earlier name of "paging off" */
            regs->mode = VW_BRIDGE_MODE_OTHER;
        else
            return "input \"mode\" is not 64, 32, 0 or 16";
    }
    const json_t *rj = json_object_get(in, "registers");
    if (!json_is_object(rj))
        return "input \"registers\" is not an object";
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)rj, key, val)
    {
        size_t i = 0;
        while (i < NREGS && strcmp(reg_names[i], key) != 0)
            i++;
        if (i == NREGS)
            return "input names an unknown register";
        if (parse_hex(val, reg_slot(regs, i)))
            return "a register value is not a 64-bit \"0x\" hex string";
    }
    *insn_len = *trigger == VW_BRIDGE_VMCALL ? VW_BRIDGE_VMCALL_LEN : VW_BRIDGE_CPUID_LEN;
    const json_t *len = json_object_get(in, "insn_len");
    if (len) {
        if (!json_is_integer(len) || json_integer_value(len) < 0 ||
            json_integer_value(len) > (json_int_t)VW_BRIDGE_MAX_INSN_LEN)
            return "input \"insn_len\" is not a number 0..15";
        *insn_len = (unsigned)json_integer_value(len);
    }
    return NULL;
}

static json_t *dispatch(const json_t *req)
{
    struct vw_bridge_regs regs;
    enum vw_bridge_trigger trigger;
    unsigned insn_len;
    const char *why = input_parse(json_object_get(req, "input"), &regs, &trigger, &insn_len);
    if (why)
        return vwt_skipped("%s", why);

    struct table_data td;
    why = table_parse(json_object_get(req, "handlers"), &td);
    if (why) {
        table_free(&td);
        return vwt_skipped("%s", why);
    }
    struct vw_bridge_table table;
    vw_status st = vw_bridge_table_init(&table, td.handlers, td.count, td.index,
                                        VW_BRIDGE_INDEX_CAP(td.count), NULL);
    if (st != VW_OK) {
        table_free(&td);
        return vwt_skipped("vw_bridge_table_init: %s", vw_status_name(st));
    }

    struct vw_bridge_response resp;
    st = vw_bridge_serve(&table, &regs, trigger, insn_len, &resp, NULL);
    table_free(&td);

    json_t *out = json_object();
    json_t *rj = json_object();
    for (size_t i = 0; i < NREGS; i++)
        json_object_set_new(rj, reg_names[i], hex_json(*reg_slot(&regs, i)));
    const char *outcome;
    if (st == VW_OK)
        outcome = "handled";
    else if (st == VW_E_NO_MATCH)
        outcome = "no_match";
    else if (st == VW_E_NO_RESPONSE)
        outcome = "no_response";
    else { /* bad_mode: the registers, to show that none changed */
        json_object_set_new(out, "registers", rj);
        return vwt_invalid_output(st, out);
    }
    json_object_set_new(out, "outcome", json_string(outcome));
    json_object_set_new(out, "registers", rj);
    json_object_set_new(out, "result", resp.has_result ? hex_json(resp.result) : json_null());
    return vwt_valid(out);
}

json_t *vwt_impl_bridge(const char *operation, const char *message, const json_t *req)
{
    if (strcmp(message, "bridge.amd64") == 0 && strcmp(operation, "dispatch") == 0)
        return dispatch(req);
    return NULL;
}
