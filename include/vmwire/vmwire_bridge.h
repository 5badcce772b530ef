/**
 * @file vmwire_bridge.h
 * @brief Everything a user of the VMI bridge (host dispatcher and guest side) needs, in one include.
 *
 * The status type, arena, version and engine contract headers plus the
 * protocol's own API. Needs no protobuf-c headers.
 */
#ifndef VMWIRE_VMWIRE_BRIDGE_H
#define VMWIRE_VMWIRE_BRIDGE_H

#include "vmwire/status.h"
#include "vmwire/arena.h"
#include "vmwire/version.h"
#include "vmwire/engine.h"
#include "vmwire/bridge.h"
#include "vmwire/bridge_guest.h"

#endif /* VMWIRE_VMWIRE_BRIDGE_H */
