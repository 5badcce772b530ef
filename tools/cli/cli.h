/* Internal to the vmwire command (tools/cli/): input parsing, hex dumps,
 * the dissector (--annotate) and the subcommands added to the original
 * decode/validate/encode/deframe/request/status/version set. */
#ifndef VW_CLI_H
#define VW_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* ---- output style --------------------------------------------------------- */

/* Colour on a terminal, plain when piped (--color=auto|always|never, NO_COLOR). */
struct cli_style {
    int color;  /* standard output */
    int ecolor; /* standard error */
};

/* SGR sequences, or "" when colour is off. */
const char *cli_c(const struct cli_style *st, const char *sgr);
#define CLI_RESET "0"
#define CLI_BOLD "1"
#define CLI_DIM "2"
#define CLI_RED "1;31"
#define CLI_GREEN "32"
#define CLI_YELLOW "33"
#define CLI_BLUE "34"
#define CLI_CYAN "36"
#define CLI_MARK "1;41;97"

/* ---- input --------------------------------------------------------------- */

/* Parse hex text in any common spelling: bare ("0a0208", any case), spaced
 * or separated by ':' ',' '-' ';', with "0x" or "\x" prefixes, C or Rust
 * array brackets, `xxd` dumps (offset column and ASCII column dropped),
 * `hexdump -C` dumps, and '#' comments to the end of a line. On failure
 * returns -1 and sets *bad to the offset in @p text of the first bad
 * character. *out is malloc'd (never NULL on success). */
int cli_hex_parse(const char *text, size_t n, uint8_t **out, size_t *len, size_t *bad);

/* Read all of a stream / file into a malloc'd buffer (NUL-terminated, the
 * NUL not counted). Returns 0, or -1 on a read error. */
int cli_read_stream(FILE *f, uint8_t **out, size_t *len);
int cli_read_file(const char *path, uint8_t **out, size_t *len);

/* The bytes of one input argument: NULL or "-" is standard input, otherwise
 * hex text when it parses as hex, else the file of that name. With
 * @p binary, a file or stdin is taken as raw bytes. Prints a message and
 * returns -1 on failure. */
int cli_input_bytes(const char *arg, int binary, uint8_t **out, size_t *len);

/* Text of one input argument (JSON for encode): NULL or "-" is stdin, an
 * existing file is read, anything else is the text itself. */
char *cli_input_text(const char *arg);

/* ---- hex dump ------------------------------------------------------------- */

/* 16 bytes a row with offsets; the byte at @p mark (or the end of input
 * when mark == len) is marked: reversed colour on a terminal, and a caret
 * line under its row. mark = SIZE_MAX marks nothing. At most @p max_rows
 * rows around the mark. */
void cli_hexdump(FILE *f, const struct cli_style *st, const uint8_t *p, size_t len, size_t mark);

/* ---- knowledge from the vectors -------------------------------------------- */

/* The rules the golden vectors name for cases of (kind, operation) that
 * expect error @p status, comma separated into @p buf (at most a few), or
 * "" when none is known (no vectors installed, or none with that error). */
void cli_rules_for(const char *kind, const char *operation, const char *status, char *buf, size_t cap);

/* ---- the dissector -------------------------------------------------------- */

/* Print a line per field of @p p for message kind @p kind: offset, length,
 * raw bytes, and meaning; every byte of the input is on exactly one line.
 * @p base is added to printed offsets. Returns 0 when the kind is known,
 * -1 when the kind has no dissector. */
int cli_annotate(FILE *f, const struct cli_style *st, const char *kind, const uint8_t *p, size_t len,
                 size_t base);

/* The header line printed above an annotation. */
void cli_annotate_header(FILE *f, const struct cli_style *st);

/* ---- the library's verdict with its offset -------------------------------- */

/* Decode (and, for operation "validate", validate) @p p as @p kind through
 * the public decoders, to learn the fault offset the testee answer does not
 * carry. Returns 1 and sets *status_name / *off on a fault, 0 when valid,
 * -1 when the kind is not one of the decodable kinds. */
int cli_fault_offset(const char *kind, const char *operation, const char *profile, const uint8_t *p, size_t len,
                     const char **status_name, size_t *off);

/* ---- subcommands ------------------------------------------------------------ */

int cli_cmd_kinds(int argc, char **argv);
int cli_cmd_frames(int argc, char **argv);
int cli_cmd_bridge(int argc, char **argv);
int cli_cmd_ic(int argc, char **argv);
/* decode / validate: KIND [INPUT] and options (argv without the command). */
int cli_cmd_bytes(const char *cmd, int argc, char **argv);

/* Send a request to the built-in implementation and print the answer the
 * way `vmwire decode` always has; returns the exit status (0, 1, 2). When
 * @p bytes is given, an invalid answer is followed by the fault's offset,
 * rule and a marked hex dump on stderr. */
int cli_answer(json_t *req, const struct cli_style *st, const uint8_t *bytes, size_t len);
/* Same; print_output 0 leaves out the output JSON. */
int cli_answer_ex(json_t *req, const struct cli_style *st, const uint8_t *bytes, size_t len, int print_output);

/* ---- kinds, options ----------------------------------------------------------- */

/* The message kinds with their operations, one a line (verbose: with what
 * each kind is and its spec). */
void cli_print_kinds(FILE *f, const struct cli_style *st, int verbose);

/* Colour choice from --color (NULL: auto). Returns -1 for a bad value. */
int cli_style_init(struct cli_style *st, const char *when);

#define CLI_MAX_POS 256
#define CLI_MAX_OPT 32
/* Parsed options: flags (no value) and valued options ("--k V" or "--k=V"). */
struct cli_opts {
    const char *pos[CLI_MAX_POS];
    int npos;
    const char *flag[CLI_MAX_OPT];
    int nflag;
    const char *key[CLI_MAX_OPT];
    const char *val[CLI_MAX_OPT];
    int nval;
};
int cli_opts_parse(int argc, char **argv, const char *const *flags, const char *const *valued, struct cli_opts *o);
int cli_has(const struct cli_opts *o, const char *flag);
/* The last value given for @p key, or NULL. */
const char *cli_val(const struct cli_opts *o, const char *key);
/* Add --profile and --param KEY=JSON options to a request. */
int cli_add_params(const struct cli_opts *o, json_t *req);

#endif /* VW_CLI_H */
