/**
 * @file vmwire_serial.h
 * @brief Everything a user of the serial guest protocol needs, in one include.
 *
 * The status type, arena, version and engine contract headers plus the
 * protocol's own API. Includes protobuf-c/protobuf-c.h (the messages are protobuf-c structs); a freestanding guest uses serial_guest.h alone.
 */
#ifndef VMWIRE_VMWIRE_SERIAL_H
#define VMWIRE_VMWIRE_SERIAL_H

#include "vmwire/status.h"
#include "vmwire/arena.h"
#include "vmwire/version.h"
#include "vmwire/engine.h"
#include "vmwire/pb.h"
#include "vmwire/serial_guest.h"
#include "vmwire/serial.h"

#endif /* VMWIRE_VMWIRE_SERIAL_H */
