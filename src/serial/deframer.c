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

/* The reference VMM's SerialDecoder::add_byte, one byte at a time
 * (SER-FRAME-11): append the byte; once the buffer holds 2 + L bytes for the
 * L its first two bytes announce, make one attempt: a good frame is removed
 * and yielded, a bad one costs the buffer its first byte. Whatever else the
 * buffer holds waits for the next byte, even a complete frame. */
static vw_status feed_reference(struct vw_serial_deframer *d, const uint8_t *in, size_t len,
                                struct vw_serial_event *ev, size_t *consumed)
{
    size_t pos = 0;
    while (pos < len) {
        if (d->start + d->have == d->cap) {
            if (d->start == 0)
                return VW_E_INVALID_ARG; /* cannot happen with VW_SERIAL_REFERENCE_BUF_MIN */
            memmove(d->buf, d->buf + d->start, d->have);
            d->start = 0;
        }
        d->buf[d->start + d->have++] = in[pos++];
        if (d->have < VW_SERIAL_HEADER_SIZE)
            continue;
        const uint8_t *h = d->buf + d->start;
        size_t flen = (size_t)h[0] | (size_t)h[1] << 8;
        if (d->have < VW_SERIAL_HEADER_SIZE + flen)
            continue;
        vw_status bad = VW_OK;
        size_t check_off = 0;
        if (d->cfg.check)
            bad = d->cfg.check(d->cfg.check_user, h + VW_SERIAL_HEADER_SIZE, flen, &check_off);
        *consumed = pos;
        if (bad == VW_OK) {
            /* the bytes stay in place until the next feed */
            ev->type = VW_SERIAL_EV_FRAME;
            ev->payload = h + VW_SERIAL_HEADER_SIZE;
            ev->len = flen;
            d->frames++;
            drop_held(d, VW_SERIAL_HEADER_SIZE + flen);
            return VW_OK;
        }
        drop_held(d, 1);
        d->rejected++;
        d->skipped++;
        d->err_off = pos - 1;
        ev->type = VW_SERIAL_EV_ERROR;
        ev->error = bad;
        ev->skipped = 1;
        ev->check_off = check_off;
        return bad;
    }
    *consumed = pos;
    return VW_OK;
}

vw_status vw_serial_deframer_feed(struct vw_serial_deframer *d, const uint8_t *in, size_t len,
                                  struct vw_serial_event *ev, size_t *consumed)
{
    struct vw_serial_event dummy;
    VW_ENGINE_EVENT(ev, dummy);
    vw_status entry = vw_engine__feed_args(d, in, len, consumed);
    if (entry != VW_OK)
        return entry;
    size_t pos = 0;
    if (d->cfg.policy == VW_SERIAL_POLICY_REFERENCE)
        return feed_reference(d, in, len, ev, consumed);

    /* DROP policy: the announced rest of a rejected oversize frame */
    if (d->discard) {
        size_t n = d->discard < len ? d->discard : len;
        pos += n;
        d->discard -= n;
        if (d->discard) {
            *consumed = pos;
            return VW_OK;
        }
    }

    /* the header: from the held bytes, topped up from the input */
    if (d->have < VW_SERIAL_HEADER_SIZE && d->have + (len - pos) < VW_SERIAL_HEADER_SIZE) {
        hold(d, in + pos, len - pos);
        *consumed = len;
        return VW_OK;
    }
    size_t last = 0;   /* offset in `in` of the last byte used to decide */
    size_t copied = 0; /* bytes of `in` appended to the held ones by this call */
    const uint8_t *view;
    if (d->have) {
        if (d->have < VW_SERIAL_HEADER_SIZE) {
            size_t n = VW_SERIAL_HEADER_SIZE - d->have;
            hold(d, in + pos, n);
            pos += n;
            copied += n;
            last = pos - 1;
        }
        view = d->buf + d->start;
    } else {
        view = in + pos;
        last = pos + 1;
    }
    size_t flen = (size_t)view[0] | (size_t)view[1] << 8;
    vw_status bad = VW_OK;
    size_t check_off = 0;
    const uint8_t *payload = NULL;

    if (flen > d->cfg.limit) {
        bad = VW_E_TOO_LONG;
    } else if (flen == 0 && d->cfg.reject_empty) {
        bad = VW_E_BAD_FRAME;
    } else {
        size_t need = VW_SERIAL_HEADER_SIZE + flen;
        if (d->have) {
            if (d->have < need) {
                size_t n = need - d->have;
                if (n > len - pos)
                    n = len - pos;
                hold(d, in + pos, n);
                pos += n;
                copied += n;
                if (n)
                    last = pos - 1;
            }
            if (d->have < need) {
                *consumed = pos;
                return VW_OK;
            }
            payload = d->buf + d->start + VW_SERIAL_HEADER_SIZE;
        } else if (len - pos >= need) {
            payload = in + pos + VW_SERIAL_HEADER_SIZE;
            last = pos + need - 1;
        } else {
            hold(d, in + pos, len - pos);
            *consumed = len;
            return VW_OK;
        }
        if (d->cfg.check)
            bad = d->cfg.check(d->cfg.check_user, payload, flen, &check_off);
        if (bad == VW_OK) {
            ev->type = VW_SERIAL_EV_FRAME;
            ev->payload = payload;
            ev->len = flen;
            d->frames++;
            if (d->have) {
                /* the held frame stays readable until the next feed */
                drop_held(d, need);
                pos -= give_back(d, copied);
            } else {
                pos += need;
            }
            *consumed = pos;
            return VW_OK;
        }
    }

    /* a bad frame */
    size_t skip = 1;
    if (d->cfg.policy == VW_SERIAL_POLICY_DROP)
        skip = VW_SERIAL_HEADER_SIZE + flen;
    size_t rest = skip;
    size_t n = rest < d->have ? rest : d->have;
    drop_held(d, n);
    rest -= n;
    pos -= give_back(d, copied);
    n = rest < len - pos ? rest : len - pos;
    pos += n;
    rest -= n;
    d->discard = rest;
    d->rejected++;
    d->skipped += skip;
    d->err_off = last;
    ev->type = VW_SERIAL_EV_ERROR;
    ev->error = bad;
    ev->skipped = skip;
    ev->check_off = check_off;
    *consumed = pos;
    return bad;
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
    return VW_ENGINE_WANT_INPUT | (d->have || d->discard ? VW_ENGINE_PARTIAL : 0u);
}
