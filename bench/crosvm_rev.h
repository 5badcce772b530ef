/* vmwire-bench: the benchmarked crosvm messages of one schema revision.
 *
 * Included once per revision by bench_crosvm.c with these macros defined:
 *   CV_T(x)  protoc-c type name      (Vmwire__Crosvm__Final__##x)
 *   CV_C(x)  protoc-c constant name  (VMWIRE__CROSVM__FINAL__##x)
 *   CV_D(x)  protoc-c descriptor     (vmwire__crosvm__final__##x)
 *   CV_FN(x) a per-revision name     (x##_final)
 *   NP_T(x)  nanopb type name        (vmwire_crosvm_final_##x), only with VW_BENCH_NANOPB
 * The messages are built as protoc-c structs; bench_crosvm.c encodes them
 * with vmwire's own encoder to get the wire bytes.
 */

struct CV_FN(cv_msgs) {
    /* A: VcpuResponse{errno 0, wait{io{IOPORT, 0x3f8, is_write, 1 data byte}}} */
    CV_T(VcpuResponse) a;
    CV_T(VcpuResponse__Wait) a_wait;
    CV_T(VcpuResponse__Wait__Io) a_io;
    uint8_t a_data[1];
    /* B: VcpuRequest{resume{data: 4 bytes}} */
    CV_T(VcpuRequest) b;
    CV_T(VcpuRequest__Resume) b_resume;
    uint8_t b_data[4];
    /* C: VcpuResponse{get_state{state: 312 bytes (struct kvm_sregs)}} */
    CV_T(VcpuResponse) c;
    CV_T(VcpuResponse__GetState) c_get;
    uint8_t c_state[312];
    /* D: MainRequest{set_irq_routing{24 routes, irqchip and msi alternating}} */
    CV_T(MainRequest) d;
    CV_T(MainRequest__SetIrqRouting) d_set;
    CV_T(MainRequest__SetIrqRouting__Route) d_routes[24];
    CV_T(MainRequest__SetIrqRouting__Route) *d_route_ptrs[24];
    CV_T(MainRequest__SetIrqRouting__Route__Irqchip) d_chips[24];
    CV_T(MainRequest__SetIrqRouting__Route__Msi) d_msis[24];
    /* E: VcpuResponse{get_msrs{entry_data: 32 values}} */
    CV_T(VcpuResponse) e;
    CV_T(VcpuResponse__GetMsrs) e_get;
    uint64_t e_data[32];
};

static struct CV_FN(cv_msgs) CV_FN(cv_msgs);

static void CV_FN(cv_build)(const ProtobufCMessage *out[5])
{
    struct CV_FN(cv_msgs) *m = &CV_FN(cv_msgs);

    protobuf_c_message_init(&CV_D(vcpu_response__descriptor), &m->a);
    protobuf_c_message_init(&CV_D(vcpu_response__wait__descriptor), &m->a_wait);
    protobuf_c_message_init(&CV_D(vcpu_response__wait__io__descriptor), &m->a_io);
    m->a_data[0] = 0x41;
    m->a_io.space = CV_C(ADDRESS_SPACE__IOPORT);
    m->a_io.address = 0x3f8;
    m->a_io.is_write = 1;
    m->a_io.data.len = sizeof m->a_data;
    m->a_io.data.data = m->a_data;
    m->a_wait.exit_case = CV_C(VCPU_RESPONSE__WAIT__EXIT_IO);
    m->a_wait.io = &m->a_io;
    m->a.errno_ = 0;
    m->a.message_case = CV_C(VCPU_RESPONSE__MESSAGE_WAIT);
    m->a.wait = &m->a_wait;
    out[0] = &m->a.base;

    protobuf_c_message_init(&CV_D(vcpu_request__descriptor), &m->b);
    protobuf_c_message_init(&CV_D(vcpu_request__resume__descriptor), &m->b_resume);
    memcpy(m->b_data, "\x12\x34\x56\x78", 4);
    m->b_resume.data.len = sizeof m->b_data;
    m->b_resume.data.data = m->b_data;
    m->b.message_case = CV_C(VCPU_REQUEST__MESSAGE_RESUME);
    m->b.resume = &m->b_resume;
    out[1] = &m->b.base;

    protobuf_c_message_init(&CV_D(vcpu_response__descriptor), &m->c);
    protobuf_c_message_init(&CV_D(vcpu_response__get_state__descriptor), &m->c_get);
    for (size_t i = 0; i < sizeof m->c_state; i++)
        m->c_state[i] = (uint8_t)(i * 7u + 3u);
    m->c_get.state.len = sizeof m->c_state;
    m->c_get.state.data = m->c_state;
    m->c.message_case = CV_C(VCPU_RESPONSE__MESSAGE_GET_STATE);
    m->c.get_state = &m->c_get;
    out[2] = &m->c.base;

    protobuf_c_message_init(&CV_D(main_request__descriptor), &m->d);
    protobuf_c_message_init(&CV_D(main_request__set_irq_routing__descriptor), &m->d_set);
    for (unsigned i = 0; i < 24; i++) {
        CV_T(MainRequest__SetIrqRouting__Route) *r = &m->d_routes[i];
        protobuf_c_message_init(&CV_D(main_request__set_irq_routing__route__descriptor), r);
        r->irq_id = i;
        if (i % 2 == 0) {
            protobuf_c_message_init(&CV_D(main_request__set_irq_routing__route__irqchip__descriptor),
                                    &m->d_chips[i]);
            m->d_chips[i].irqchip = i < 16 ? 0 : 2;
            m->d_chips[i].pin = i % 16;
            r->route_case = CV_C(MAIN_REQUEST__SET_IRQ_ROUTING__ROUTE__ROUTE_IRQCHIP);
            r->irqchip = &m->d_chips[i];
        } else {
            protobuf_c_message_init(&CV_D(main_request__set_irq_routing__route__msi__descriptor),
                                    &m->d_msis[i]);
            m->d_msis[i].address = UINT64_C(0xfee00000) | ((uint64_t)i << 12);
            m->d_msis[i].data = 0x4000u + i;
            r->route_case = CV_C(MAIN_REQUEST__SET_IRQ_ROUTING__ROUTE__ROUTE_MSI);
            r->msi = &m->d_msis[i];
        }
        m->d_route_ptrs[i] = r;
    }
    m->d_set.n_routes = 24;
    m->d_set.routes = m->d_route_ptrs;
    m->d.message_case = CV_C(MAIN_REQUEST__MESSAGE_SET_IRQ_ROUTING);
    m->d.set_irq_routing = &m->d_set;
    out[3] = &m->d.base;

    protobuf_c_message_init(&CV_D(vcpu_response__descriptor), &m->e);
    protobuf_c_message_init(&CV_D(vcpu_response__get_msrs__descriptor), &m->e_get);
    for (unsigned i = 0; i < 32; i++) /* small counters, addresses and full 64-bit values */
        m->e_data[i] = i % 3 == 0 ? i : i % 3 == 1 ? UINT64_C(0xfee00900) + i
                                                    : UINT64_C(0x8000000000000000) | (i * 0x1111u);
    m->e_get.n_entry_data = 32;
    m->e_get.entry_data = m->e_data;
    m->e.message_case = CV_C(VCPU_RESPONSE__MESSAGE_GET_MSRS);
    m->e.get_msrs = &m->e_get;
    out[4] = &m->e.base;
}

#ifdef VW_BENCH_NANOPB
/* nanopb storage: per case, a decode target and an encode source. */
union CV_FN(np_any) {
    NP_T(VcpuResponse) resp;
    NP_T(VcpuRequest) req;
    NP_T(MainRequest) mainr;
};
static union CV_FN(np_any) CV_FN(np_store)[5][2];

static void CV_FN(np_bind)(struct np_binding out[5])
{
    const pb_msgdesc_t *resp = NP_T(VcpuResponse_fields), *req = NP_T(VcpuRequest_fields),
                       *mainr = NP_T(MainRequest_fields);
    const pb_msgdesc_t *f[5] = {resp, req, resp, mainr, resp};
    size_t sz[5] = {sizeof(NP_T(VcpuResponse)), sizeof(NP_T(VcpuRequest)), sizeof(NP_T(VcpuResponse)),
                    sizeof(NP_T(MainRequest)), sizeof(NP_T(VcpuResponse))};
    for (int i = 0; i < 5; i++)
        out[i] = (struct np_binding){f[i], &CV_FN(np_store)[i][0], &CV_FN(np_store)[i][1], sz[i]};
}
#endif
