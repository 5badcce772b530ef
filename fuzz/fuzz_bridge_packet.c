/* Bridge register decoding and response writing.
 *
 * Input: trigger:u8, insn_len:u8, then registers (bridge_common.h), then a
 * response (values 4 x u64le, present:u8, has_result:u8, result:u64le) and
 * a status word (u64le).
 * Properties:
 *  - vw_bridge_read_packet() fails with BAD_MODE exactly for modes other
 *    than 64 and 32, with INVALID_ARG exactly for unknown triggers, never
 *    otherwise; in 32-bit mode every value is the low half of its register;
 *  - vw_bridge_write_response() sets exactly the present slots in RAX..RDX,
 *    leaves every other register alone, advances RIP by insn_len (mod 2^64),
 *    and refuses insn_len above 15 without writing anything;
 *  - a status word that unpacks packs back to itself; a word with reserved
 *    bits set is refused (vmwire's 64-bit layout); the vmi-rs terminal
 *    decode never fails and re-encodes to the word's low 24 bits;
 *  - vw_bridge_mode_of() (flags from the word's top five bits) is bad_mode
 *    exactly without paging and 64 exactly for IA-32e with CS.L. */
#include "bridge_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    uint8_t trig = fz_u8(&f);
    unsigned insn = fz_u8(&f) & 31;
    struct vw_bridge_regs r, r2;
    fuzz_bridge_regs(&f, &r);
    struct vw_bridge_response resp;
    memset(&resp, 0, sizeof resp);
    for (int i = 0; i < 4; i++)
        resp.values[i] = fz_u64(&f);
    resp.present = fz_u8(&f);
    resp.has_result = fz_u8(&f) & 1;
    resp.result = fz_u64(&f);
    uint64_t word = fz_u64(&f);

    enum vw_bridge_trigger trigger = (enum vw_bridge_trigger)(trig % 4);
    struct vw_bridge_packet p;
    vw_status st = vw_bridge_read_packet(&r, trigger, &p);
    int known_trigger = trigger == VW_BRIDGE_VMCALL || trigger == VW_BRIDGE_CPUID;
    int good_mode = r.mode == VW_BRIDGE_MODE_64 || r.mode == VW_BRIDGE_MODE_32;
    if (!known_trigger)
        FUZZ_CHECK_STATUS(st, VW_E_INVALID_ARG);
    else if (!good_mode)
        FUZZ_CHECK_STATUS(st, VW_E_BAD_MODE);
    else
        FUZZ_CHECK_STATUS(st, VW_OK);
    if (st == VW_OK && r.mode == VW_BRIDGE_MODE_32)
        for (int i = 0; i < 4; i++)
            FUZZ_CHECK(p.values[i] <= 0xffffffffu);

    r2 = r;
    st = vw_bridge_write_response(&r2, &resp, insn);
    if (insn > VW_BRIDGE_MAX_INSN_LEN) {
        FUZZ_CHECK_STATUS(st, VW_E_INVALID_ARG);
        FUZZ_CHECK(memcmp(&r, &r2, sizeof r) == 0);
    } else {
        FUZZ_CHECK_STATUS(st, VW_OK);
        fuzz_bridge_check_written(&r, &r2, &resp, insn);
    }

    struct vw_bridge_status_word w;
    st = vw_bridge_status_unpack(word, &w);
    if ((word >> 24) & 0xff)
        FUZZ_CHECK(st != VW_OK);
    if (st == VW_OK)
        FUZZ_CHECK(vw_bridge_status_pack(&w) == word);
    else
        FUZZ_CHECK(st == VW_E_RESERVED || st == VW_E_BAD_ENUM);

    struct vw_bridge_terminal t;
    FUZZ_CHECK_STATUS(vw_bridge_terminal_decode(word, ~word, &t), VW_OK);
    FUZZ_CHECK(vw_bridge_terminal_encode(&t) == (word & 0xffffffu) && t.native == ~word);

    struct vw_bridge_cpu_mode c = { (word >> 63) & 1, (word >> 62) & 1, (word >> 61) & 1, (word >> 60) & 1,
                                    (word >> 59) & 1 };
    enum vw_bridge_mode m = vw_bridge_mode_of(&c);
    FUZZ_CHECK(m == (!c.paging ? VW_BRIDGE_MODE_OTHER : c.ia32e && c.cs_l ? VW_BRIDGE_MODE_64 : VW_BRIDGE_MODE_32));
    return 0;
}
