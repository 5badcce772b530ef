/**
 * @file vmwire_crosvm.h
 * @brief Everything a user of the crosvm plugin protocol needs, in one include.
 *
 * The status type, arena, version and engine contract headers plus the
 * protocol's own API. Includes protobuf-c/protobuf-c.h (the messages are protobuf-c structs).
 */
#ifndef VMWIRE_VMWIRE_CROSVM_H
#define VMWIRE_VMWIRE_CROSVM_H

#include "vmwire/status.h"
#include "vmwire/arena.h"
#include "vmwire/version.h"
#include "vmwire/engine.h"
#include "vmwire/pb.h"
#include "vmwire/crosvm.h"

#endif /* VMWIRE_VMWIRE_CROSVM_H */
