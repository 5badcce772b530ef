/**
 * @file vmwire_ic.h
 * @brief Everything a user of the Hyper-V Integration Components needs, in one include.
 *
 * The status type, arena, version and engine contract headers plus the
 * protocol's own API. Needs no protobuf-c headers.
 */
#ifndef VMWIRE_VMWIRE_IC_H
#define VMWIRE_VMWIRE_IC_H

#include "vmwire/status.h"
#include "vmwire/arena.h"
#include "vmwire/version.h"
#include "vmwire/engine.h"
#include "vmwire/ic.h"

#endif /* VMWIRE_VMWIRE_IC_H */
