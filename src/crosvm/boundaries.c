/* crosvm message boundaries (spec/crosvm.md CV-MAIN-1, CV-VCPU-1, CV-VCPU-16):
 * one message per SOCK_SEQPACKET datagram, and the final revision's
 * varint-length-prefixed VcpuResponse stream with a streaming splitter. */
#include <string.h>

#include "core/engine.h"
#include "crosvm/internal.h"

vw_status vw_crosvm_datagram_check(enum vw_crosvm_kind kind, size_t len, bool truncated)
{
    size_t limit = kind == VW_CROSVM_MAIN_REQUEST ? VW_CROSVM_MAX_MAIN_REQUEST : VW_CROSVM_MAX_MESSAGE;
    if ((unsigned)kind > VW_CROSVM_VCPU_RESPONSE)
        return VW_E_INVALID_ARG;
    return truncated || len > limit ? VW_E_TOO_LONG : VW_OK;
}

vw_status vw_crosvm_frame_encode(const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
                                 size_t *written)
{
    uint8_t prefix[VW_CROSVM_MAX_PREFIX];
    if (written)
        *written = 0;
    if (!written || (!msg && len) || (!out && cap))
        return VW_E_INVALID_ARG;
    if (len > VW_CROSVM_MAX_MESSAGE)
        return VW_E_TOO_LONG;
    size_t n = vw_crosvm__put_varint(prefix, len);
    *written = n + len;
    if (cap < n + len)
        return VW_E_NOSPACE;
    memcpy(out, prefix, n);
    if (len)
        memcpy(out + n, msg, len);
    return VW_OK;
}

vw_status vw_crosvm_splitter_init(struct vw_crosvm_splitter *s, const struct vw_crosvm_splitter_config *cfg)
{
    if (!s || !cfg || (!cfg->buf && cfg->buf_cap))
        return VW_E_INVALID_ARG;
    memset(s, 0, sizeof *s);
    s->buf = cfg->buf;
    s->cap = cfg->buf_cap;
    s->strict = cfg->strict;
    return VW_OK;
}

vw_status vw_crosvm_splitter_set_strict(struct vw_crosvm_splitter *s, bool strict)
{
    if (!s)
        return VW_E_INVALID_ARG;
    s->strict = strict;
    return VW_OK;
}

static void next_frame(struct vw_crosvm_splitter *s)
{
    s->have = s->need = 0;
    s->prefix_len = 0;
    s->prefix_val = 0;
    s->in_body = false;
}

vw_status vw_crosvm_splitter_feed(struct vw_crosvm_splitter *s, const uint8_t *in, size_t len,
                                  const uint8_t **frame, size_t *frame_len, size_t *consumed)
{
    const uint8_t *frame_dummy;
    size_t len_dummy;
    if (!frame)
        frame = &frame_dummy;
    if (!frame_len)
        frame_len = &len_dummy;
    *frame = NULL;
    *frame_len = 0;
    vw_status st = vw_engine__feed_args(s, in, len, consumed);
    if (st != VW_OK)
        return st;
    s->err_off = 0;
    if (s->failed)
        return VW_E_FAILED;
    size_t i = 0;
    while (!s->in_body) {
        if (i == len) {
            *consumed = len;
            return VW_OK;
        }
        uint8_t b = in[i];
        /* A uint32 varint of at most 5 bytes. crosvm_plugin's read_varint32
         * drops the bits of a 5th byte beyond the 32nd and fails only on a
         * 6th byte; strict: the 5th byte holds bits 28..31 and nothing more. */
        if (s->prefix_len == 5 || (s->strict && s->prefix_len == 4 && b > 0x0f)) {
            s->err_off = i;
            s->failed = true;
            *consumed = i + 1; /* through the offending byte */
            return VW_E_BAD_VARINT;
        }
        s->prefix_val |= (uint32_t)(b & 0x7f) << (7 * s->prefix_len);
        s->prefix_len++;
        i++;
        if (!(b & 0x80)) {
            s->in_body = true;
            s->need = s->prefix_val;
            if (s->need > s->cap || s->need > VW_CROSVM_MAX_MESSAGE) {
                s->err_off = i - 1;
                s->failed = true;
                *consumed = i; /* through the offending byte */
                return VW_E_TOO_LONG;
            }
        }
    }
    if (s->need == 0) { /* an empty message */
        static const uint8_t empty[1] = { 0 };
        *frame = empty;
        *consumed = i;
        next_frame(s);
        return VW_OK;
    }
    if (i == len) {
        *consumed = i;
        return VW_OK;
    }
    if (s->have == 0 && len - i >= s->need) { /* whole body in this chunk: no copy */
        *frame = in + i;
        *frame_len = s->need;
        *consumed = i + s->need;
        next_frame(s);
        return VW_OK;
    }
    size_t take = s->need - s->have;
    if (take > len - i)
        take = len - i;
    memcpy(s->buf + s->have, in + i, take);
    s->have += take;
    i += take;
    if (s->have == s->need) {
        *frame = s->buf;
        *frame_len = s->need;
        next_frame(s);
    }
    *consumed = i;
    return VW_OK;
}

size_t vw_crosvm_splitter_pending(const struct vw_crosvm_splitter *s)
{
    return s ? s->prefix_len + s->have : 0;
}

bool vw_crosvm_splitter_partial(const struct vw_crosvm_splitter *s)
{
    return vw_crosvm_splitter_pending(s) > 0;
}

size_t vw_crosvm_splitter_error_offset(const struct vw_crosvm_splitter *s)
{
    return s ? s->err_off : 0;
}

unsigned vw_crosvm_splitter_state(const struct vw_crosvm_splitter *s)
{
    if (!s)
        return 0;
    if (s->failed)
        return VW_ENGINE_FAILED;
    return VW_ENGINE_WANT_INPUT | (vw_crosvm_splitter_pending(s) ? VW_ENGINE_PARTIAL : 0u);
}
