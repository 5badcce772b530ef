/* Status names and descriptions. The short names are a conformance contract. */
#include <stddef.h>
#include <string.h>

#include "vmwire/status.h"

struct status_entry {
    vw_status code;
    const char *name;
    const char *text;
};

static const struct status_entry status_table[] = {
    { VW_OK, "ok", "success" },
    { VW_E_TRUNCATED, "truncated", "input ends before the structure it announces" },
    { VW_E_TOO_LONG, "too_long", "length or count exceeds the protocol limit" },
    { VW_E_BAD_LENGTH, "bad_length", "length field disagrees with the data" },
    { VW_E_BAD_VERSION, "bad_version", "undefined or unsupported version" },
    { VW_E_BAD_TYPE, "bad_type", "undefined type or kind" },
    { VW_E_BAD_FLAGS, "bad_flags", "undefined flag bits or combination" },
    { VW_E_RESERVED, "reserved", "reserved field or padding not zero" },
    { VW_E_BAD_UTF16, "bad_utf16", "malformed UTF-16LE string" },
    { VW_E_BAD_UTF8, "bad_utf8", "malformed UTF-8 string" },
    { VW_E_BAD_VARINT, "bad_varint", "malformed varint or length prefix" },
    { VW_E_BAD_WIRE_TYPE, "bad_wire_type", "invalid protobuf wire type or unbalanced group" },
    { VW_E_BAD_FIELD_NUMBER, "bad_field_number", "protobuf field number 0 or out of range" },
    { VW_E_TOO_DEEP, "too_deep", "nesting exceeds the recursion limit" },
    { VW_E_BAD_MAGIC, "bad_magic", "magic number does not match" },
    { VW_E_BAD_FRAME, "bad_frame", "unusable frame length prefix" },
    { VW_E_BAD_VALUE, "bad_value", "field value out of the allowed range" },
    { VW_E_BAD_ENUM, "bad_enum", "enum value not named by the schema" },
    { VW_E_MISSING_FIELD, "missing_field", "required oneof member or field missing or not allowed" },
    { VW_E_CAPACITY, "capacity", "fixed schema capacity exceeded" },
    { VW_E_BAD_STATUS, "bad_status", "status field reports failure" },
    { VW_E_BAD_FDS, "bad_fds", "wrong number of file descriptors" },
    { VW_E_NO_COMMON_VERSION, "no_common_version", "no version supported by both sides" },
    { VW_E_BAD_MODE, "bad_mode", "CPU execution mode cannot carry the message" },
    { VW_E_NO_MATCH, "no_match", "no handler matched" },
    { VW_E_NO_RESPONSE, "no_response", "matching handler produced no response" },
    { VW_E_CONFLICT, "conflict", "id, range or object conflicts with an existing one" },
    { VW_E_NOT_FOUND, "not_found", "referenced id or object does not exist" },
    { VW_E_STATE, "state", "message not allowed in the current state" },
    { VW_E_MISMATCH, "mismatch", "reply does not match the request in flight" },
    { VW_E_TIMEOUT, "timeout", "reply did not arrive in time" },
    { VW_E_FAILED, "failed", "engine stopped after an earlier fatal error" },
    { VW_E_NOSPACE, "nospace", "output buffer too small" },
    { VW_E_NOMEM, "nomem", "arena exhausted" },
    { VW_E_INVALID_ARG, "invalid_arg", "invalid argument" },
    { VW_E_UNSUPPORTED, "unsupported", "operation or kind not supported" },
    { VW_E_IO, "io", "operating system I/O call failed" },
    { VW_E_CLOSED, "closed", "peer closed the channel" },
};

#define STATUS_COUNT (sizeof(status_table) / sizeof(status_table[0]))

static const struct status_entry *find(vw_status s)
{
    for (size_t i = 0; i < STATUS_COUNT; i++)
        if (status_table[i].code == s)
            return &status_table[i];
    return NULL;
}

const char *vw_status_name(vw_status s)
{
    const struct status_entry *e = find(s);
    return e ? e->name : "unknown";
}

const char *vw_status_str(vw_status s)
{
    const struct status_entry *e = find(s);
    return e ? e->text : "unknown status";
}

int vw_status_from_name(const char *name, vw_status *out)
{
    if (name == NULL)
        return 0;
    for (size_t i = 0; i < STATUS_COUNT; i++) {
        if (strcmp(status_table[i].name, name) == 0) {
            if (out)
                *out = status_table[i].code;
            return 1;
        }
    }
    return 0;
}
