/* Serial guest protocol: helpers shared inside src/serial (not installed). */
#ifndef VW_SERIAL_INTERNAL_H
#define VW_SERIAL_INTERNAL_H

#include "vmwire/serial_guest.h"

/* vw_serial_guest_message_encode() without the 600-byte limit: what a decoder
 * without a size limit (micropb) produced re-encodes canonically,
 * which is never more than VW_SERIAL_GUEST_MESSAGE_MAX_SIZE (606) bytes. */
vw_status vw_serial__guest_message_encode_unlimited(const struct vw_serial_guest_message *m,
                                                   uint8_t *out, size_t cap, size_t *written);

#endif /* VW_SERIAL_INTERNAL_H */
