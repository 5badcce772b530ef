/**
 * @file vmwire.h
 * @brief Umbrella header of libvmwire: includes every public header.
 *
 * libvmwire implements small wire protocols spoken between virtual machines
 * and their hosts as pure buffer-in/buffer-out engines: no I/O (outside the
 * optional adapters), no threads, no global state and no heap allocation on
 * any decode or encode path.
 *
 * - ic.h: Hyper-V Integration Components (heartbeat, shutdown, time sync, KVP, VSS).
 * - crosvm.h: the crosvm plugin protocol, seed and final schema revisions.
 * - serial.h: the serial guest protocol (length-prefixed protobuf frames).
 * - bridge.h: VMI bridge packets carried in CPU registers.
 * - status.h: the one status type; arena.h: caller-owned memory for decoders.
 *
 * This header pulls in protobuf-c (through crosvm and serial). An IC-only or
 * bridge-only user includes vmwire_ic.h or vmwire_bridge.h instead, which need
 * no protobuf-c headers; vmwire_crosvm.h and vmwire_serial.h are the others.
 */
#ifndef VMWIRE_VMWIRE_H
#define VMWIRE_VMWIRE_H

#include "vmwire/vmwire_ic.h"
#include "vmwire/vmwire_bridge.h"
#include "vmwire/vmwire_crosvm.h"
#include "vmwire/vmwire_serial.h"

#endif /* VMWIRE_VMWIRE_H */
