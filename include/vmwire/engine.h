/**
 * @file engine.h
 * @brief What every vmwire engine can say about itself (the engine contract).
 *
 * Every state machine in vmwire (IC guest and host, crosvm main and vCPU,
 * the crosvm vCPU stream splitter, the serial deframer) has a
 * `vw_<engine>_state()` call that returns a set of these flags, so one loop
 * can drive any engine: feed while ::VW_ENGINE_WANT_INPUT, call output while
 * ::VW_ENGINE_HAVE_OUTPUT, answer the engine's own completion call while
 * ::VW_ENGINE_WAIT_APP, stop on ::VW_ENGINE_FAILED. The flags describe the
 * engine between calls; they never change without a call on the engine.
 * The rules every engine follows are in doc/CONVENTIONS.md ("The engine
 * contract").
 */
#ifndef VMWIRE_ENGINE_H
#define VMWIRE_ENGINE_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Flags returned by every `vw_<engine>_state()` call (a bit set).
 */
enum vw_engine_flag {
    /** feed() is legal now: the engine expects, or accepts, bytes from the peer. */
    VW_ENGINE_WANT_INPUT = 1u << 0,
    /** output() has bytes to hand over: output(NULL, 0, &n) returns ::VW_E_NOSPACE with n > 0. */
    VW_ENGINE_HAVE_OUTPUT = 1u << 1,
    /** The engine waits for the application (a completion, send or fail call) before anything else. */
    VW_ENGINE_WAIT_APP = 1u << 2,
    /** A sticky fault: every further feed returns ::VW_E_FAILED. */
    VW_ENGINE_FAILED = 1u << 3,
    /** A stream engine holds part of a frame (more bytes are needed to finish it). */
    VW_ENGINE_PARTIAL = 1u << 4
};

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_ENGINE_H */
