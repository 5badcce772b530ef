/* Serial guest protocol: the streaming deframer (spec/serial.md, SER-FRAME-4..9, 11).
 *
 * The stream seen by the deframer is the bytes it holds (buf[start..start+have),
 * the beginning of a frame that arrived in pieces) followed by the caller's
 * input. A frame that arrives whole in one input is yielded in place; only
 * the bytes of a frame still incomplete at the end of an input are copied,
 * and only as many as the frame needs. */
#include <string.h>

#include "core/engine.h"
#include "vmwire/serial.h"

vw_status vw_serial_deframer_init(struct vw_serial_deframer *d,
                                  const struct vw_serial_deframer_config *cfg)
{
    if (!d)
        return VW_E_INVALID_ARG;
    memset(d, 0, sizeof *d);
    if (cfg)
        d->cfg = *cfg;
    if (d->cfg.policy == VW_SERIAL_POLICY_REFERENCE) {
        /* the reference VMM has no limit and no empty-frame option (SER-FRAME-11) */
        if ((d->cfg.limit != 0 && d->cfg.limit != VW_SERIAL_MAX_LIMIT) || d->cfg.reject_empty ||
            !d->cfg.buf || d->cfg.buf_cap < VW_SERIAL_REFERENCE_BUF_MIN)
            return VW_E_INVALID_ARG;
        d->cfg.limit = VW_SERIAL_MAX_LIMIT;
    }
    if (d->cfg.limit == 0)
        d->cfg.limit = VW_SERIAL_MAX_MESSAGE;
    if (d->cfg.limit > VW_SERIAL_MAX_LIMIT ||
        (d->cfg.policy != VW_SERIAL_POLICY_RESYNC && d->cfg.policy != VW_SERIAL_POLICY_DROP &&
         d->cfg.policy != VW_SERIAL_POLICY_REFERENCE))
        return VW_E_INVALID_ARG;
    if (d->cfg.buf) {
        d->buf = d->cfg.buf;
        d->cap = d->cfg.buf_cap;
    } else {
        d->buf = d->own;
        d->cap = sizeof d->own;
    }
    if (d->cap < VW_SERIAL_HEADER_SIZE + d->cfg.limit)
        return VW_E_INVALID_ARG;
    return VW_OK;
}

/* Append n bytes to the held ones; the caller guarantees have + n <= cap. */
static void hold(struct vw_serial_deframer *d, const uint8_t *p, size_t n)
{
    if (!n)
        return;
    if (d->start + d->have + n > d->cap) {
        memmove(d->buf, d->buf + d->start, d->have);
        d->start = 0;
    }
    memcpy(d->buf + d->start + d->have, p, n);
    d->have += n;
}

/* hold() when nothing is held (then start is 0, and n <= 2 + limit <= cap). */
static void hold_first(struct vw_serial_deframer *d, const uint8_t *p, size_t n)
{
    if (!n)
        return;
    memcpy(d->buf, p, n);
    d->have = n;
}

static void drop_held(struct vw_serial_deframer *d, size_t n)
{
    d->start += n;
    d->have -= n;
    if (d->have == 0)
        d->start = 0;
}

/* After an event, hand back the bytes of this input still held: they are the
 * tail of the held bytes, and the caller feeds them again. So when a call
 * consumes its whole input, nothing decidable is left held: a caller that
 * feeds until all is consumed misses no event (SER-FRAME-4). */
static size_t give_back(struct vw_serial_deframer *d, size_t copied)
{
    size_t tail = copied < d->have ? copied : d->have;
    d->have -= tail;
    if (d->have == 0)
        d->start = 0;
    return tail;
}

/* The held frame at h (its payload of flen bytes after the header) is whole:
 * run the content check; a good frame is handed out in *ev (its bytes stay
 * readable in the buffer until the next feed), counted and dropped from the
 * held bytes. Returns the check's verdict (VW_OK without a check); a bad
 * frame is left held, *check_off set by the check. */
static vw_status take_held(struct vw_serial_deframer *d, const uint8_t *h, size_t flen,
                           size_t *check_off, struct vw_serial_event *ev)
{
    vw_status bad = VW_OK;
    if (d->cfg.check)
        bad = d->cfg.check(d->cfg.check_user, h + VW_SERIAL_HEADER_SIZE, flen, check_off);
    if (bad == VW_OK) {
        ev->kind = VW_SERIAL_EV_FRAME;
        ev->payload = h + VW_SERIAL_HEADER_SIZE;
        ev->len = flen;
        d->frames++;
        drop_held(d, VW_SERIAL_HEADER_SIZE + flen);
    }
    return bad;
}

/* The reference VMM's SerialDecoder::add_byte, one byte at a time
 * (SER-FRAME-11): append the byte; once the buffer holds 2 + L bytes for the
 * L its first two bytes announce, make one attempt: a good frame is removed
 * and yielded, a bad one costs the buffer its first byte. Whatever else the
 * buffer holds waits for the next byte, even a complete frame.
 * The bytes up to the next attempt are appended in one copy: the header's
 * missing bytes, then the payload's; when the buffer already holds a whole
 * frame, the next byte alone is due. Between attempts the reference decoder
 * only appends, so the attempts fall on the same bytes as byte by byte. */
static vw_status feed_reference(struct vw_serial_deframer *d, const uint8_t *in, size_t len,
                                struct vw_serial_event *ev, size_t *consumed)
{
    size_t pos = 0;
    while (pos < len) {
        size_t end = d->start + d->have;
        if (end == d->cap) {
            if (d->start == 0)
                return VW_E_INVALID_ARG; /* cannot happen with VW_SERIAL_REFERENCE_BUF_MIN */
            memmove(d->buf, d->buf + d->start, d->have);
            d->start = 0;
            end = d->have;
        }
        const uint8_t *h = d->buf + d->start;
        size_t want = 1;
        if (d->have < VW_SERIAL_HEADER_SIZE) {
            want = VW_SERIAL_HEADER_SIZE - d->have;
        } else {
            size_t need = VW_SERIAL_HEADER_SIZE + ((size_t)h[0] | (size_t)h[1] << 8);
            if (d->have < need)
                want = need - d->have;
        }
        if (want > len - pos)
            want = len - pos;
        if (want > d->cap - end)
            want = d->cap - end;
        memcpy(d->buf + end, in + pos, want);
        d->have += want;
        pos += want;
        if (d->have < VW_SERIAL_HEADER_SIZE)
            continue;
        size_t flen = (size_t)h[0] | (size_t)h[1] << 8;
        if (d->have < VW_SERIAL_HEADER_SIZE + flen)
            continue;
        size_t check_off = 0;
        vw_status bad = take_held(d, h, flen, &check_off, ev);
        *consumed = pos;
        if (bad == VW_OK)
            return VW_OK;
        drop_held(d, 1);
        d->rejected++;
        d->skipped++;
        d->err_off = pos - 1;
        ev->kind = VW_SERIAL_EV_ERROR;
        ev->error = bad;
        ev->skipped = 1;
        ev->check_off = check_off;
        return bad;
    }
    *consumed = pos;
    return VW_OK;
}

/* Report a bad frame that costs the stream `skip` bytes, of which `rest`
 * are still to drop from the input at @p pos on (the held ones are gone);
 * what the input does not hold yet is discarded from the next feeds (DROP). */
static vw_status reject(struct vw_serial_deframer *d, size_t len, size_t pos, size_t skip,
                        size_t rest, vw_status bad, size_t check_off, size_t last,
                        struct vw_serial_event *ev, size_t *consumed)
{
    size_t n = rest < len - pos ? rest : len - pos;
    pos += n;
    d->discard = rest - n;
    d->rejected++;
    d->skipped += skip;
    d->err_off = last;
    ev->kind = VW_SERIAL_EV_ERROR;
    ev->error = bad;
    ev->skipped = skip;
    ev->check_off = check_off;
    *consumed = pos;
    return bad;
}

/* Why a frame of payload length @p flen is bad before its payload is seen:
 * over the limit, or empty when empty frames are refused; VW_OK otherwise. */
static vw_status header_fault(const struct vw_serial_deframer *d, size_t flen)
{
    if (flen > d->cfg.limit)
        return VW_E_TOO_LONG;
    if (flen == 0 && d->cfg.reject_empty)
        return VW_E_BAD_FRAME;
    return VW_OK;
}

/* The frame whose first bytes are held: top up its header, then the rest of
 * it, from the input, in one copy each; decide once it is whole. */
static vw_status feed_held(struct vw_serial_deframer *d, const uint8_t *in, size_t len,
                           struct vw_serial_event *ev, size_t *consumed)
{
    size_t copied = 0; /* bytes of `in` appended to the held ones by this call */
    size_t last = 0;   /* offset in `in` of the last byte used to decide */
    if (d->have < VW_SERIAL_HEADER_SIZE) {
        copied = VW_SERIAL_HEADER_SIZE - d->have;
        if (len < copied) { /* one byte held and none given: len is 0 */
            hold(d, in, len);
            *consumed = len; /* 0 */
            return VW_OK;
        }
        hold(d, in, copied);
        last = copied - 1;
    }
    const uint8_t *h = d->buf + d->start;
    size_t flen = (size_t)h[0] | (size_t)h[1] << 8;
    size_t need = VW_SERIAL_HEADER_SIZE + flen;
    size_t check_off = 0;
    vw_status bad = header_fault(d, flen);
    if (bad == VW_OK) {
        if (d->have < need) {
            size_t n = need - d->have;
            if (len - copied < n) { /* still not whole: keep all of it */
                hold(d, in + copied, len - copied);
                *consumed = len;
                return VW_OK;
            }
            hold(d, in + copied, n);
            copied += n;
            last = copied - 1; /* the frame's last byte came from this input */
        }
        h = d->buf + d->start; /* hold() may have moved the bytes */
        bad = take_held(d, h, flen, &check_off, ev);
        if (bad == VW_OK) {
            *consumed = copied - give_back(d, copied);
            return VW_OK;
        }
    }
    size_t skip = d->cfg.policy == VW_SERIAL_POLICY_DROP ? need : 1;
    /* drop the frame's first `skip` bytes; the bytes of this input that are
     * still held after that go back to the caller */
    size_t n = skip < d->have ? skip : d->have;
    drop_held(d, n);
    size_t pos = copied - give_back(d, copied);
    return reject(d, len, pos, skip, skip - n, bad, check_off, last, ev, consumed);
}

vw_status vw_serial_deframer_feed(struct vw_serial_deframer *d, const uint8_t *in, size_t len,
                                  struct vw_serial_event *ev, size_t *consumed)
{
    struct vw_serial_event dummy;
    VW_ENGINE_EVENT(ev, dummy);
    vw_status entry = vw_engine__feed_args(d, in, len, consumed);
    if (entry != VW_OK)
        return entry;
    if (d->cfg.policy == VW_SERIAL_POLICY_REFERENCE)
        return feed_reference(d, in, len, ev, consumed);
    if (d->have) /* then nothing is being discarded */
        return feed_held(d, in, len, ev, consumed);

    /* DROP policy: the announced rest of a rejected oversize frame */
    size_t pos = 0;
    if (d->discard) {
        pos = d->discard < len ? d->discard : len;
        d->discard -= pos;
        if (d->discard) {
            *consumed = pos;
            return VW_OK;
        }
    }

    /* nothing held: a frame that is whole in the input is yielded in place */
    size_t left = len - pos;
    const uint8_t *p = in + pos;
    if (left < VW_SERIAL_HEADER_SIZE) {
        hold_first(d, p, left);
        *consumed = len;
        return VW_OK;
    }
    size_t flen = (size_t)p[0] | (size_t)p[1] << 8;
    size_t need = VW_SERIAL_HEADER_SIZE + flen;
    size_t check_off = 0;
    size_t last = pos + 1;
    vw_status bad = header_fault(d, flen);
    if (bad == VW_OK) {
        if (left < need) {
            hold_first(d, p, left);
            *consumed = len;
            return VW_OK;
        }
        last = pos + need - 1;
        if (d->cfg.check)
            bad = d->cfg.check(d->cfg.check_user, p + VW_SERIAL_HEADER_SIZE, flen, &check_off);
        if (bad == VW_OK) {
            ev->kind = VW_SERIAL_EV_FRAME;
            ev->payload = p + VW_SERIAL_HEADER_SIZE;
            ev->len = flen;
            d->frames++;
            *consumed = pos + need;
            return VW_OK;
        }
    }
    size_t skip = d->cfg.policy == VW_SERIAL_POLICY_DROP ? need : 1;
    return reject(d, len, pos, skip, skip, bad, check_off, last, ev, consumed);
}

size_t vw_serial_deframer_error_offset(const struct vw_serial_deframer *d)
{
    return d ? d->err_off : 0;
}

size_t vw_serial_deframer_pending(const struct vw_serial_deframer *d)
{
    return d ? d->have : 0;
}

uint64_t vw_serial_deframer_frames(const struct vw_serial_deframer *d)
{
    return d ? d->frames : 0;
}

uint64_t vw_serial_deframer_rejected(const struct vw_serial_deframer *d)
{
    return d ? d->rejected : 0;
}

uint64_t vw_serial_deframer_skipped(const struct vw_serial_deframer *d)
{
    return d ? d->skipped : 0;
}

vw_status vw_serial_check_guest_message(void *user, const uint8_t *payload, size_t len,
                                        size_t *off)
{
    (void)user;
    struct vw_serial_guest_message m;
    return vw_serial_guest_message_decode(payload, len, &m, off);
}

vw_status vw_serial_check_vmm_config(void *user, const uint8_t *payload, size_t len, size_t *off)
{
    (void)user;
    struct vw_serial_vmm_config c;
    return vw_serial_vmm_config_decode(payload, len, &c, off);
}

vw_status vw_serial_check_guest_message_micropb(void *user, const uint8_t *payload, size_t len,
                                                size_t *off)
{
    (void)user;
    struct vw_serial_guest_message m;
    return vw_serial_guest_message_decode_micropb(payload, len, &m, off);
}

vw_status vw_serial_check_vmm_config_micropb(void *user, const uint8_t *payload, size_t len,
                                             size_t *off)
{
    (void)user;
    struct vw_serial_vmm_config c;
    return vw_serial_vmm_config_decode_micropb(payload, len, &c, off);
}

unsigned vw_serial_deframer_state(const struct vw_serial_deframer *d)
{
    if (!d)
        return 0;
    return VW_ENGINE_WANT_INPUT | ((d->have | d->discard) != 0 ? VW_ENGINE_PARTIAL : 0u);
}
