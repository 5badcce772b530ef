/* Internal to the tools (vmwire-conformance, vmwire-testee, vmwire CLI, tests):
 * JSON helpers and the built-in implementation behind the testee interface.
 * Tools may allocate; the library may not. */
#ifndef VWT_H
#define VWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "vmwire/status.h"

/* ---- hex --------------------------------------------------------------- */

/* Decode a hex string (upper or lower case, even length) into a malloc'd
 * buffer (never NULL on success, even for ""). Returns 0 on success, -1 if
 * the string is not hex. */
int vwt_hex_decode(const char *hex, uint8_t **out, size_t *len);

/* Same, from a JSON string value. Returns -1 if @p v is not a hex string. */
int vwt_json_hex(const json_t *v, uint8_t **out, size_t *len);

/* A new JSON string of lowercase hex. */
json_t *vwt_hex_json(const uint8_t *p, size_t len);

/* Parse "0x1f" / "1f" (hex) into a 64-bit value. Returns 0 on success. */
int vwt_parse_u64_hex(const char *s, uint64_t *out);

/* ---- responses ---------------------------------------------------------- */
/* Each returns a new object with "result" and its companion field; the caller
 * (the testee loop) adds "id". The output argument is stolen. */
json_t *vwt_valid(json_t *output);
json_t *vwt_valid_hex(const uint8_t *p, size_t len);
json_t *vwt_invalid(vw_status s);
/* An invalid result of a decoder fault with its byte offset ("offset"). */
json_t *vwt_invalid_at(vw_status s, size_t offset);
/* An invalid result that still carries output (e.g. an error reply sent). */
json_t *vwt_invalid_output(vw_status s, json_t *output);
json_t *vwt_skipped(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- out of memory (tools/common/nomem.c) --------------------------------- */
/* A process-wide note that an allocation failed: the tools' main()s call
 * vwt_nomem_watch() first (it clears the note and installs a jansson
 * allocator that notes jansson's failures) and, at the end, refuse to report
 * success when vwt_nomem_seen(). vwt_nomem() notes a failure of the tools'
 * own; vwt_skipped() calls it for a reason ending in "out of memory". */
void vwt_nomem_watch(void);
void vwt_nomem(void);
bool vwt_nomem_seen(void);

/* ---- the built-in implementation ----------------------------------------- */

/* One protocol's handler: returns a response object (see above) for a
 * request {"id","operation","message","input",...}, or NULL when the message
 * kind belongs to this protocol but is unknown (reported as skipped). */
typedef json_t *(*vwt_impl_fn)(const char *operation, const char *message, const json_t *req);

/* Per-protocol handlers, each in tools/common/impl_<protocol>.c. */
json_t *vwt_impl_ic(const char *operation, const char *message, const json_t *req);
json_t *vwt_impl_crosvm(const char *operation, const char *message, const json_t *req);
json_t *vwt_impl_serial(const char *operation, const char *message, const json_t *req);
json_t *vwt_impl_bridge(const char *operation, const char *message, const json_t *req);
/* `deframe` of crosvm.final.VcpuResponse (impl_crosvm_stream.c). */
json_t *vwt_crosvm_deframe(const json_t *req);

/* Route a request to the handler of its message kind's protocol (the part of
 * "message" before the first dot). Always returns a response object, never
 * NULL: malformed requests are answered as skipped with a reason. */
json_t *vwt_impl_handle(const json_t *req);

/* Fill memory the library is handed (an engine's context before its init,
 * a frame store, an arena) with a pattern rather than zeros, so that the
 * vectors catch library code that reads what it never wrote: the API
 * promises that an init sets every member the engine reads and that stores
 * and arenas need no clearing, and an embedder's context on the stack holds
 * garbage. */
static inline void vwt_poison(void *p, size_t n)
{
    memset(p, 0xA5, n);
}

#endif /* VWT_H */
