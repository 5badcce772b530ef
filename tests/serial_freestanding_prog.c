/* A tiny freestanding "guest" for tests/serial_freestanding.sh: no C library,
 * no heap, its own entry point. It decodes a VmmConfig frame, builds and
 * encodes a GuestMessage frame, checks the bytes, and exits with 0 when all
 * is as expected (x86-64 Linux runs it; elsewhere it is only linked). */
#include "vmwire/serial_guest.h"

/* The compiler may call these four even in freestanding code; a guest
 * provides them (volatile keeps them from being turned into calls to
 * themselves). */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void _start(void);

void *memcpy(void *d, const void *s, size_t n)
{
    volatile unsigned char *o = d;
    const unsigned char *i = s;
    while (n--)
        *o++ = *i++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    volatile unsigned char *o = d;
    const unsigned char *i = s;
    if (o < i) {
        while (n--)
            *o++ = *i++;
    } else {
        while (n--)
            o[n] = i[n];
    }
    return d;
}

void *memset(void *d, int c, size_t n)
{
    volatile unsigned char *o = d;
    while (n--)
        *o++ = (unsigned char)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

static int run(void)
{
    /* VmmConfig frame: input 512, output 4096, progress 10 */
    static const uint8_t cfg_frame[] = { 27, 0, 0x0a, 0x0a, 0x0a, 0x05, 'i', 'n', 'p', 'u', 't',
                                         0x10, 0x80, 0x04, 0x0a, 0x0b, 0x0a, 0x06, 'o', 'u', 't',
                                         'p', 'u', 't', 0x10, 0x80, 0x20, 0x10, 0x0a };
    size_t len = (size_t)cfg_frame[0] | (size_t)cfg_frame[1] << 8, off;
    if (len + VW_SERIAL_HEADER_SIZE != sizeof cfg_frame || len > VW_SERIAL_MAX_MESSAGE)
        return 1;
    struct vw_serial_vmm_config cfg;
    if (vw_serial_vmm_config_decode(cfg_frame + 2, len, &cfg, &off) != VW_OK)
        return 2;
    uint32_t in = 0, out = 0;
    if (!vw_serial_vmm_config_device(&cfg, "input", &in) || in != 512)
        return 3;
    if (!vw_serial_vmm_config_device(&cfg, "output", &out) || out != 4096)
        return 4;
    if (cfg.progress_percent != 10)
        return 5;

    struct vw_serial_guest_message m;
    uint8_t frame[VW_SERIAL_MAX_FRAME];
    size_t n;
    if (vw_serial_build_progress(&m, "copy", 50, 200, 25) != VW_OK)
        return 6;
    if (vw_serial_guest_message_encode_framed(&m, frame, sizeof frame, &n) != VW_OK)
        return 7;
    static const uint8_t want[] = { 17, 0, 0x08, 0x02, 0x22, 0x0d, 0x0a, 0x04, 'c', 'o', 'p',
                                    'y', 0x10, 0x32, 0x18, 0xc8, 0x01, 0x20, 0x19 };
    if (n != sizeof want || memcmp(frame, want, n) != 0)
        return 8;
    return 0;
}

#if defined(__x86_64__) || defined(__i386__)
/* the kernel enters _start with no return address pushed: realign */
__attribute__((force_align_arg_pointer))
#endif
void _start(void)
{
    int rc = run();
#if defined(__x86_64__) && defined(__linux__)
    __asm__ volatile("syscall" : : "a"(60), "D"(rc) : "rcx", "r11", "memory");
#else
    (void)rc;
#endif
    for (;;) {
    }
}
