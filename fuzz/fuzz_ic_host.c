/* IC host initiator session (vw_ic_host_*), driven by the input.
 *
 * Input: config:u8, then records (fuzz.h: op:u8 len:u16le data):
 *   config: service 1 + (c & 7) % 5; bit 3: strict with a reply deadline of
 *   1 s; bit 4: strict without deadline (IC-STRICT-*); neither: OpenVMM's host;
 *   op % 5 == 0: feed the data as the guest's packet;
 *   op % 5 == 1: start (queue the negotiate request);
 *   op % 5 == 2: drain the pending request;
 *   op % 5 == 3: send a request whose body is the data decoded as an IC message;
 *   op % 5 == 4: tick.
 *   The clock advances by (op >> 3) * 100 ms before each step.
 * Properties: known statuses; offsets inside the input; the NOSPACE output
 * protocol; every request the engine writes decodes as a well-formed packet;
 * after VW_E_FAILED every feed fails with VW_E_FAILED until start. */
#include "engine_check.h"
#include "ic_common.h"

static struct vw_ic_host h;
static uint8_t out[FUZZ_IC_BUF];

FUZZ_ENGINE(host_engine, struct vw_ic_host, vw_ic_host);

static void drain(void)
{
    size_t w = fuzz_engine_drain(&host_engine, &h, out, sizeof out);
    if (w)
        fuzz_ic_check_packet_out(out, w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    uint8_t c = fz_u8(&f);
    struct vw_ic_host_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = (uint16_t)(1 + (c & 7) % 5);
    cfg.timeout_ns = (c & 8) ? 1000000000ull : 0;
    cfg.strict = (c & 0x18) != 0;
    vw_status st = vw_ic_host_init(&h, &cfg);
    FUZZ_CHECK(st == VW_OK || st == VW_E_UNSUPPORTED || st == VW_E_INVALID_ARG);
    if (st != VW_OK)
        return 0;

    uint64_t now = 1000;
    int failed = 0;
    uint8_t op;
    const uint8_t *p;
    size_t n;
    while (fz_record(&f, &op, &p, &n)) {
        now += (uint64_t)(op >> 3) * 100000000ull;
        unsigned was = fuzz_engine_check(&host_engine, &h);
        switch (op % 5) {
        case 0: {
            struct vw_ic_host_event ev;
            size_t consumed = (size_t)-1;
            st = vw_ic_host_feed(&h, p, n, now, &ev, &consumed);
            fuzz_engine_fed(&host_engine, &h, was, st, consumed, n);
            FUZZ_CHECK(fuzz_status_known(st));
            FUZZ_CHECK(st != VW_E_INVALID_ARG);
            if (failed)
                FUZZ_CHECK_STATUS(st, VW_E_FAILED);
            if (st == VW_OK)
                FUZZ_CHECK(consumed <= n);
            else
                FUZZ_CHECK(vw_ic_host_error_offset(&h) <= n);
            if (st == VW_E_FAILED)
                failed = 1;
            break;
        }
        case 1:
            FUZZ_CHECK_STATUS(vw_ic_host_start(&h, now), VW_OK);
            fuzz_engine_called(&host_engine, &h, was, VW_OK, 1); /* a restart clears the fault */
            failed = 0;
            break;
        case 2:
            drain();
            break;
        case 3: {
            struct vw_ic_message m;
            size_t off = 0;
            if (vw_ic_message_decode(p, n, &m, &off) == VW_OK) {
                st = vw_ic_host_send(&h, &m, now);
                fuzz_engine_called(&host_engine, &h, was, st, 0);
                FUZZ_CHECK(fuzz_status_known(st));
            }
            break;
        }
        default:
            st = vw_ic_host_tick(&h, now);
            fuzz_engine_called(&host_engine, &h, was, st, 0);
            FUZZ_CHECK(st == VW_OK || st == VW_E_TIMEOUT || st == VW_E_FAILED);
            break;
        }
    }
    drain();
    return 0;
}
