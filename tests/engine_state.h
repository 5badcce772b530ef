/* Unit-test check of the engine contract (doc/CONVENTIONS.md): state() agrees
 * with output(), and output(NULL, cap > 0) is refused, for any engine with a
 * vw_<engine>_state() / vw_<engine>_output() pair. Include after cmocka.h. */
#ifndef VW_TESTS_ENGINE_STATE_H
#define VW_TESTS_ENGINE_STATE_H

#include "vmwire/engine.h"

/* HAVE_OUTPUT exactly when output(NULL, 0) asks for bytes; FAILED never with WANT_INPUT. */
#define VWT_STATE_AGREES(prefix, ctx)                                               \
    do {                                                                            \
        unsigned st_ = prefix##_state(ctx);                                         \
        size_t n_ = 12345;                                                          \
        vw_status s_ = prefix##_output((ctx), NULL, 0, &n_);                        \
        if (st_ & VW_ENGINE_HAVE_OUTPUT) {                                          \
            assert_int_equal(s_, VW_E_NOSPACE);                                     \
            assert_true(n_ > 0);                                                    \
        } else {                                                                    \
            assert_int_equal(s_, VW_OK);                                            \
            assert_int_equal(n_, 0);                                                \
        }                                                                           \
        n_ = 12345;                                                                 \
        assert_int_equal(prefix##_output((ctx), NULL, 1, &n_), VW_E_INVALID_ARG);   \
        assert_int_equal(n_, 0);                                                    \
        if (st_ & VW_ENGINE_FAILED)                                                 \
            assert_false(st_ & VW_ENGINE_WANT_INPUT);                               \
        assert_int_equal(prefix##_state(ctx), st_); /* probing changed nothing */   \
    } while (0)

#endif
