/* vmwire-bench: the upb peer rows of the crosvm and serial groups (bench_upb.c, built
 * only with configure --with-upb=PREFIX). upb decodes with the mini-tables
 * generated at build time from the same .proto files (and with its fasttable
 * parser when configure found it usable: bench_upb_parser). The interface
 * carries no upb types, so bench_crosvm.c needs no upb headers. */
#ifndef VMWIRE_BENCH_UPB_H
#define VMWIRE_BENCH_UPB_H

#include <stddef.h>
#include <stdint.h>

struct bench_upb;

/* Which upb decoder runs ("fasttable" or the mini-table decoder). */
extern const char bench_upb_parser[];

/* Bind crosvm message @p msg (0..4: A..E) of revision @p rev (0 seed, 1
 * final) to its reference bytes, which must stay in place: checks that upb
 * decodes them and encodes the result back to the same bytes (and, for A,
 * reads the decoded values through the generated accessors), and keeps the
 * decoded message as the source of the encode row. NULL, or what failed. */
const char *bench_upb_crosvm_bind(struct bench_upb **out, int rev, int msg, const uint8_t *wire,
                                  size_t len);

/* The same for a serial GuestMessage (@p vmm_config 0) or VmmConfig (1). */
const char *bench_upb_serial_bind(struct bench_upb **out, int vmm_config, const uint8_t *wire, size_t len);

/* Measured loops (argument: the struct bench_upb). Decode: a fresh fixed
 * arena over the same memory per message (upb_Arena_Init, nothing freed),
 * upb_Message_New + upb_Decode with bytes aliasing the input (as vmwire's
 * bytes fields do). Encode: a fresh fixed arena per message, upb_Encode. */
int bench_upb_decode(void *arg, uint64_t n);
int bench_upb_encode(void *arg, uint64_t n);

#endif /* VMWIRE_BENCH_UPB_H */
