/* The testee operations (conformance/FORMAT.md, conformance/README.md): the
 * one list the runner, its option parser and the fuzz targets use. The
 * vector schema's "operation" enum (conformance/vectors.schema.json) must
 * name the same operations in the same order; tests/single_sources.py
 * checks it. Add an operation here and in the schema together. */
#ifndef VWT_OPERATIONS_H
#define VWT_OPERATIONS_H

#define VWT_OPERATIONS(X) X(decode) X(encode) X(validate) X(respond) X(session) X(deframe) X(dispatch)

#define VWT_OPERATION_STRING_(op) #op,

/* The names as array initialisers, NULL-terminated:
 *   static const char *const operations[] = { VWT_OPERATION_NAMES };  */
#define VWT_OPERATION_NAMES VWT_OPERATIONS(VWT_OPERATION_STRING_) NULL

#endif /* VWT_OPERATIONS_H */
