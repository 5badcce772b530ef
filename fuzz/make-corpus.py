#!/usr/bin/env python3
"""Generate the seed corpora of the fuzz targets from the golden vectors.

    fuzz/make-corpus.py --vectors conformance/vectors --out fuzz/corpus [target ...]

Reads every conformance/vectors/*.json, turns each case's input bytes (and
the steps of session cases, the chunks of deframe cases) into inputs in the
format of the targets that exercise the same code, and writes them to
OUT/<target>/<sha1 of the input> (nghttp2 style names, so duplicates vanish).
A few hand-made seeds per target are added so that every corpus exists even
before the vectors of its protocol do. The corpora are build products: they
are generated, never committed. With target names, only those are written
(an unknown name gets just an empty input)."""

import argparse
import glob
import hashlib
import json
import os
import struct
import sys

# ---------------------------------------------------------------- helpers


def unhex(s):
    try:
        return bytes.fromhex(s)
    except (TypeError, ValueError):
        return None


def record(op, data):
    """One step of a session target's input: op:u8 len:u16le data."""
    data = data[:0xFFFF]
    return struct.pack('<BH', op & 0xFF, len(data)) + data


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def snake(name):
    out = ''
    for i, c in enumerate(name):
        if c.isupper() and i:
            out += '_'
        out += c.lower()
    return out


def hex_inputs(case):
    """Byte inputs a case carries: its input, its steps' inputs."""
    found = []
    inp = case.get('input')
    if isinstance(inp, str):
        b = unhex(inp)
        if b is not None:
            found.append(b)
    elif isinstance(inp, list) and all(isinstance(x, str) for x in inp):
        chunks = [unhex(x) for x in inp]
        if all(c is not None for c in chunks):
            found.append(b''.join(chunks))
    for step in case.get('steps', []) or []:
        if isinstance(step, dict):
            for key in ('input', 'send', 'recv', 'bytes'):
                v = step.get(key)
                if isinstance(v, str):
                    b = unhex(v)
                    if b is not None:
                        found.append(b)
    return found


def chunk_lists(case):
    """The chunk list of a deframe case (a list of hex strings), or None."""
    inp = case.get('input')
    if isinstance(inp, list) and all(isinstance(x, str) for x in inp):
        chunks = [unhex(x) for x in inp]
        if all(c is not None for c in chunks):
            return chunks
    return None


def chunk_plan(chunks):
    """Plan bytes reproducing a chunking (see fz_chunk() in fuzz/fuzz.h: a
    byte b gives a piece of (b & 63) + 1 bytes; chunks above 64 bytes are cut
    into pieces of 64)."""
    plan = bytearray()
    for c in chunks:
        n = len(c)
        while n:
            k = min(n, 64)
            plan.append(k - 1 if k > 1 else 64)
            n -= k
    return bytes(plan)


# ---------------------------------------------------------------- routing

class Corpus:
    def __init__(self, wanted):
        self.wanted = set(wanted) if wanted else None
        self.inputs = {}

    def add(self, target, data):
        if data is None:
            return
        if self.wanted is not None and target not in self.wanted:
            return
        self.inputs.setdefault(target, set()).add(bytes(data))

    def write(self, out):
        names = self.wanted if self.wanted is not None else set(self.inputs)
        for t in sorted(names):
            d = os.path.join(out, t)
            os.makedirs(d, exist_ok=True)
            items = self.inputs.get(t) or {b''}
            for data in items:
                name = hashlib.sha1(data).hexdigest()
                with open(os.path.join(d, name), 'wb') as f:
                    f.write(data)
        return {t: len(self.inputs.get(t) or {b''}) for t in names}


IC_SERVICES = {'heartbeat': 1, 'kvp': 2, 'shutdown': 3, 'timesync': 4, 'vss': 5}
IC_BODY_TARGET = {0: 'fuzz_ic_negotiate', 2: 'fuzz_ic_kvp', 5: 'fuzz_ic_vss'}


def ic_message_seeds(c, msg):
    """Routes one IC message (header + body) to the IC targets."""
    c.add('fuzz_ic_message', msg)
    c.add('fuzz_ic_packet', struct.pack('<II', 1, len(msg)) + msg)
    if len(msg) >= 20:
        mtype = struct.unpack_from('<H', msg, 4)[0]
        vmaj, vmin = struct.unpack_from('<HH', msg, 6)
        size = struct.unpack_from('<H', msg, 10)[0]
        body = msg[20:20 + size]
        head = bytes([vmaj & 0xFF, vmin & 0xFF])
        if mtype in IC_BODY_TARGET:
            c.add(IC_BODY_TARGET[mtype], head + body)
        else:
            c.add('fuzz_ic_body', head + bytes([mtype & 0xFF]) + body)


TOOLS_KINDS = ['crosvm.seed.MainRequest', 'crosvm.seed.MainResponse', 'crosvm.seed.VcpuRequest',
               'crosvm.seed.VcpuResponse', 'crosvm.final.MainRequest', 'crosvm.final.MainResponse',
               'crosvm.final.VcpuRequest', 'crosvm.final.VcpuResponse', 'serial.GuestMessage',
               'serial.VmmConfig', 'ic.message', 'ic.packet', 'serial.guest', 'bridge.amd64',
               'vwtest.Scalars', 'vwtest.Repeated', 'vwtest.Choice', 'vwtest.Node']
CASE_ONLY = ('id', 'rules', 'comment', 'result', 'output', 'error', 'outputs', 'xfail')


def tools_seeds(c, group, case):
    """fuzz_tools_json (see its header): sel = kind | mode << 5; mode 0 the
    JSON input of an encode case, 1 the bytes of a decode case (and the
    expected output of a valid encode case), 2 the whole request."""
    message = group.get('message', '')
    op = group.get('operation', '')
    if message not in TOOLS_KINDS:
        return
    k = TOOLS_KINDS.index(message)
    inp = case.get('input')
    if op == 'encode' and isinstance(inp, (dict, list)):
        c.add('fuzz_tools_json', bytes([k]) + json.dumps(inp, sort_keys=True).encode())
        out = case.get('output')
        if isinstance(out, str) and unhex(out) is not None:
            c.add('fuzz_tools_json', bytes([k | 0x20]) + unhex(out))
    if op == 'decode' and isinstance(inp, str) and unhex(inp) is not None:
        c.add('fuzz_tools_json', bytes([k | 0x20]) + unhex(inp))
        if isinstance(case.get('output'), (dict, list)):
            c.add('fuzz_tools_json', bytes([k]) + json.dumps(case['output'], sort_keys=True).encode())
    req = {key: v for key, v in group.items() if key not in ('cases', 'comment')}
    req.update({key: v for key, v in case.items() if key not in CASE_ONLY})
    req.setdefault('id', case.get('id', 'x'))
    c.add('fuzz_tools_json', bytes([k | 0x40]) + json.dumps(req, sort_keys=True).encode())


def route(c, vfile, group, case):
    message = group.get('message', '')
    op = group.get('operation', '')
    proto = message.split('.')[0]
    params = dict(group)
    params.update(case)
    ins = hex_inputs(case)
    tools_seeds(c, group, case)

    if proto == 'crosvm':
        parts = message.split('.')
        if len(parts) == 3 and parts[1] in ('seed', 'final'):
            rev, kind = parts[1], snake(parts[2])
            t = 'fuzz_crosvm_%s_%s' % (rev, kind)
            if op in ('decode', 'validate'):
                kinds = ('main_request', 'main_response', 'vcpu_request', 'vcpu_response')
                root = (4 if rev == 'final' else 0) + (kinds.index(kind) if kind in kinds else 0)
                for b in ins:
                    c.add(t, b)
                    c.add('fuzz_pb_fast', bytes([root]) + b)
                    if rev == 'final' and kind == 'vcpu_response':
                        c.add('fuzz_crosvm_splitter', b'\x12\x00' + varint(len(b)) + b)
        if op in ('session', 'respond') and len(parts) == 3:
            final = parts[1] == 'final'
            plugin = params.get('role') == 'plugin'
            recs = b''
            for step in case.get('steps') or [{'input': case.get('input')}]:
                for key, opc in (('input', 0), ('send', 1)):
                    v = step.get(key)
                    if isinstance(v, str) and unhex(v) is not None:
                        recs += record(opc, unhex(v))
                recs += record(2, b'')
            for b in ins:
                for k in ('main_request', 'main_response', 'vcpu_request', 'vcpu_response'):
                    c.add('fuzz_crosvm_%s_%s' % (parts[1], k), b)
            if parts[2].startswith('Main'):
                nv = int(params.get('vcpus', 1) or 1)
                cfg = (1 if plugin else 0) | (2 if final else 0) | (((nv - 1) & 15) << 2)
                c.add('fuzz_crosvm_main', bytes([cfg]) + recs.replace(b'\x02\x00\x00', b'\x02\x00\x00'))
            else:
                cfg = (1 if plugin else 0) | (2 if final else 0) | (4 if params.get('started') else 0) \
                    | (0x20 if params.get('pauses') else 0)
                rng = b''
                ranges = params.get('ranges') or []
                for r in ranges[:7]:
                    def num(x):
                        return int(x, 16) if isinstance(x, str) else int(x)
                    rng += struct.pack('<BHB', int(r.get('space', 0)) & 1, num(r.get('start', 0)) & 0xFFFF,
                                       max(0, min(255, num(r.get('length', 1)) - 1)))
                c.add('fuzz_crosvm_vcpu', bytes([cfg, len(ranges[:7])]) + rng + recs)
        if op == 'deframe':
            chunks = chunk_lists(case)
            if chunks is not None:
                c.add('fuzz_crosvm_splitter', b'\x12\x00' + b''.join(chunks))
        return

    if proto == 'ic':
        for b in ins:
            if message in ('ic.packet',) or (len(b) >= 8 and struct.unpack_from('<I', b, 0)[0] in (1, 2, 3, 4)
                                             and struct.unpack_from('<I', b, 4)[0] + 8 <= len(b)
                                             and message != 'ic.message'):
                c.add('fuzz_ic_packet', b)
                size = struct.unpack_from('<I', b, 4)[0] if len(b) >= 8 else 0
                if len(b) >= 8 and size <= len(b) - 8:
                    ic_message_seeds(c, b[8:8 + size])
            else:
                ic_message_seeds(c, b)
        if op in ('session', 'respond'):
            svc = IC_SERVICES.get(params.get('service'), 1)
            if params.get('role') == 'host':
                cfg = (svc - 1) & 7
                recs = b''
                for step in case.get('steps') or [{'input': case.get('input')}]:
                    send = step.get('send')
                    if send == 'negotiate':
                        recs += record(1, b'') + record(2, b'')
                    elif isinstance(step.get('input'), str) and unhex(step['input']) is not None:
                        recs += record(0, unhex(step['input']))
                    else:
                        recs += record(4, b'')
                c.add('fuzz_ic_host', bytes([cfg]) + recs)
            else:
                cfg = (1 if params.get('profile') == 'openvmm' else 0) | ((svc - 1) << 1) \
                    | (0x10 if params.get('agent_ready') else 0) | (0x20 if params.get('hibernate_supported') else 0)
                recs = b''.join(record(0, b) + record(1, b'') for b in ins)
                c.add('fuzz_ic_guest', bytes([cfg]) + recs)
        return

    if proto == 'serial':
        kind = message.split('.')[-1]
        cfg = (1 if params.get('policy') == 'drop' else 0) | (2 if params.get('reject_empty') else 0)
        chk = params.get('check')
        cfg |= 4 if chk in ('GuestMessage', 'guest_message') else 8 if chk in ('VmmConfig', 'vmm_config') else 0
        chunks = chunk_lists(case)
        if chunks is not None:
            plan = chunk_plan(chunks)[:255]
            stream = b''.join(chunks)
            c.add('fuzz_serial_deframe', bytes([cfg, len(plan)]) + plan + stream)
            c.add('fuzz_serial_deframe', bytes([cfg, 0]) + stream)
            c.add('fuzz_serial_frame', b'\x00\x00' + stream[2:])
            return
        for b in ins:
            if kind == 'GuestMessage':
                c.add('fuzz_serial_guest_message', b)
                c.add('fuzz_pb_fast', bytes([8]) + b)
                c.add('fuzz_serial_frame', b'\x00\x00' + b)
                c.add('fuzz_serial_deframe', bytes([0x04, 0]) + struct.pack('<H', len(b)) + b)
            elif kind == 'VmmConfig':
                c.add('fuzz_serial_vmm_config', b)
                c.add('fuzz_pb_fast', bytes([9]) + b)
                c.add('fuzz_serial_deframe', bytes([0x08, 0]) + struct.pack('<H', len(b)) + b)
            else:
                c.add('fuzz_serial_deframe', bytes([cfg, 0]) + b)
        return

    if proto == 'bridge':
        inp = case.get('input')
        if not isinstance(inp, dict):
            return

        def num(x, default=0):
            if x is None:
                return default
            if isinstance(x, str):
                try:
                    return int(x, 16) & 0xFFFFFFFFFFFFFFFF
                except ValueError:
                    return default
            return int(x) & 0xFFFFFFFFFFFFFFFF
        regs = inp.get('registers') or {}
        names = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11',
                 'r12', 'r13', 'r14', 'r15', 'rip']
        mode = {64: 0, 32: 1}.get(inp.get('mode', 64), 2)
        regbytes = bytes([mode]) + b''.join(struct.pack('<Q', num(regs.get(n))) for n in names)
        trig = 2 if inp.get('trigger') == 'cpuid' else 1
        insn = 2 if trig == 2 else 3
        c.add('fuzz_bridge_packet', bytes([trig, insn]) + regbytes)
        magics = {0x42494D56: 0, 0x4B454B57: 1, 0: 2, 0xFFFFFFFF: 3}
        hs = params.get('handlers') or []
        hb = b''
        for h in hs[:16]:
            m = h.get('magic')
            fl = 0 if m is None else 1 | (magics.get(num(m), 0) << 1)
            ver = h.get('verify') or [None] * 4
            mask = sum(1 << i for i, v in enumerate(ver[:4]) if v is not None)
            fl |= mask << 3
            hb += bytes([fl, num(h.get('request')) & 3, 0, 0x0F]) + b''.join(
                struct.pack('<Q', num(v)) for v in (list(ver[:4]) + [None] * 4)[:4])
        c.add('fuzz_bridge_dispatch', bytes([len(hs[:16])]) + hb + bytes([trig - 1, insn]) + regbytes)
        return


# ---------------------------------------------------------------- hand seeds

def hand_seeds(c):
    # IC: a heartbeat request (Linux layout, 40-byte body) and a negotiate offer
    hdr = lambda t, vmaj, vmin, size, flags=3: struct.pack('<HHHHHHIBBH', 3, 0, t, vmaj, vmin, size, 0, 0, flags, 0)
    hb = hdr(1, 3, 0, 40) + struct.pack('<QI', 7, 0) + bytes(28)
    ic_message_seeds(c, hb)
    neg = hdr(0, 1, 0, 8 + 4 * 4) + struct.pack('<HHI', 2, 2, 0) + struct.pack('<HH', 1, 0) * 1 \
        + struct.pack('<HH', 3, 0) + struct.pack('<HH', 1, 0) + struct.pack('<HH', 3, 0)
    ic_message_seeds(c, neg)
    sd = hdr(3, 3, 0, 2060) + struct.pack('<III', 0x80000000, 0, 1) + bytes(2048)
    ic_message_seeds(c, sd)
    ts = hdr(4, 4, 0, 22) + struct.pack('<QQBBB', 1, 2, 1, 0, 0) + bytes(3)
    ic_message_seeds(c, ts)
    kvp = hdr(2, 5, 0, 2580) + struct.pack('<BBHI', 0, 0, 0, 0) + struct.pack('<III', 1, 4, 4) \
        + b'a\x00\x00\x00'.ljust(512, b'\x00') + b'b\x00\x00\x00'.ljust(2048, b'\x00')
    ic_message_seeds(c, kvp)
    vss = hdr(5, 5, 0, 12) + struct.pack('<B7xI', 2, 0)
    ic_message_seeds(c, vss)
    for cfg in (0x02, 0x03, 0x06, 0x08, 0x0a, 0x13, 0x35):
        c.add('fuzz_ic_guest', bytes([cfg]) + record(0, struct.pack('<II', 1, len(neg)) + neg)
              + record(1, b'') + record(0, struct.pack('<II', 1, len(hb)) + hb) + record(1, b''))
    reply = bytearray(neg)
    reply[17] = 0x05
    c.add('fuzz_ic_host', bytes([0x02]) + record(1, b'') + record(2, b'')
          + record(0, struct.pack('<II', 1, len(reply)) + bytes(reply)))

    # crosvm: empty messages, a oneof member, an errno answer
    for rev in ('seed', 'final'):
        for k in ('main_request', 'main_response', 'vcpu_request', 'vcpu_response'):
            t = 'fuzz_crosvm_%s_%s' % (rev, k)
            for h in ('', '0a00', '0a020805', '0801', '1200', '08011200', '0a0208050a00', '2a00'):
                c.add(t, bytes.fromhex(h))
    c.add('fuzz_crosvm_main', b'\x00' + record(0, bytes.fromhex('0a020805')) + record(2, b''))
    c.add('fuzz_crosvm_vcpu', b'\x04\x00' + record(0, bytes.fromhex('0a00')) + record(2, b''))
    c.add('fuzz_crosvm_splitter', b'\x10\x00' + bytes.fromhex('020801') + bytes.fromhex('00'))

    # the tools' JSON mapping over the test schema (tests/pb/test.proto)
    vw = TOOLS_KINDS.index('vwtest.Scalars')
    for k, j in ((vw, {'i32': -1, 'i64': '-9223372036854775808', 'u32': 4294967295,
                       'u64': '18446744073709551615', 's32': -2147483648, 's64': '9223372036854775807',
                       'f32': 1, 'f64': '2', 'sf32': -3, 'sf64': '-4', 'fl': 3.4028234663852886e38,
                       'db': -0.0, 'b': True, 'str': 'a\u0000b', 'by': 'AAEC/w==', 'color': 'NEGATIVE',
                       'errno': 5, 'bigFieldNumber': 7}),
                 (vw, {'fl': 'NaN', 'db': '-Infinity', 'by': '-_8', 'color': 7}),
                 (vw + 1, {'fl': [1.5, 1e-45, 'Infinity'], 'db': [5e-324, 1.7976931348623157e308],
                           'u64': ['0', '18446744073709551615'], 'inner': [{'a': '1', 'next': {'s': 'x'}}],
                           'unpacked': [1, 2], 'color': ['RED', 2, -1], 'by': ['', 'QQ']}),
                 (vw + 2, {'id': 1, 'msg': {'r': [1, 2, 3]}, 'single': {}, 'color': 'GREEN'}),
                 (vw + 2, {'text': ''}),
                 (vw + 3, {'child': {'child': {'child': {'value': 3}}}})):
        c.add('fuzz_tools_json', bytes([k]) + json.dumps(j).encode())
    c.add('fuzz_tools_json', bytes([vw | 0x20]) + bytes.fromhex('5dffff7f7f6100000000000000806801'))

    # serial: a frame of a few bytes; bridge: zero registers
    c.add('fuzz_serial_deframe', b'\x00\x00' + bytes.fromhex('02000801020008010000'))
    c.add('fuzz_bridge_packet', bytes(8 * 18))
    c.add('fuzz_bridge_dispatch', bytes(8 * 18))


# ---------------------------------------------------------------- 64 KiB seeds

# libFuzzer's -max_len in every smoke and campaign run (scripts/fuzz-smoke,
# scripts/fuzz-campaign, fuzz/oss-fuzz/build.sh). libFuzzer grows its inputs
# slowly from small seeds, so each target that takes a stream, a session or a
# message also gets seeds of close to this size: mutations of a seed keep its
# size, and the fuzzer works at 64 KiB from the first second.
MAX_LEN = 65536
BIG = MAX_LEN - 64  # leaves room for a target's config bytes


def records_of(data):
    """The records (op:u8 len:u16le data) of a session input, or None."""
    out, i = [], 0
    while i < len(data):
        if i + 3 > len(data):
            return None
        n = struct.unpack_from('<H', data, i + 1)[0]
        if i + 3 + n > len(data):
            return None
        out.append(data[i:i + 3 + n])
        i += 3 + n
    return out


def fill(unit, size):
    """@p unit repeated to at most @p size bytes (at least once)."""
    if not unit:
        return b''
    k = max(1, size // len(unit))
    return unit * k


def big_seeds(c):
    def largest(t, k):
        items = sorted(c.inputs.get(t) or (), key=lambda b: (-len(b), b))
        return items[:k]

    # serial deframer: config, plan_len, plan, stream
    gm = bytes.fromhex('0801120612040a02696e')  # a small GuestMessage
    tiny = b''.join(struct.pack('<H', len(x)) + x for x in (b'', b'\x08\x01', gm))
    one = struct.pack('<H', BIG - 8) + bytes(range(256)) * ((BIG - 8) // 256) + bytes((BIG - 8) % 256)
    for cfg, plan in ((0xF0, b''),          # resync, no check, limit 65535, byte by byte
                      (0xF1, b'\x3f' * 32),  # drop, limit 65535, 64-byte chunks
                      (0x0C, b''),          # reference, no check, byte by byte
                      (0x0C, b'\x07\x00')):  # reference, chunks of 8 then the rest
        c.add('fuzz_serial_deframe', bytes([cfg, len(plan)]) + plan + one)
    for cfg, plan in ((0x00, b''), (0x05, b'\x3f\x02\x11'), (0x84, b'\x00'),
                      (0x0D, b'\x3f'), (0x0E, b''), (0x09, b'\x05\x3f')):
        c.add('fuzz_serial_deframe', bytes([cfg, len(plan)]) + plan + fill(tiny, BIG))
    # serial frame: limit:u16le, payload
    c.add('fuzz_serial_frame', struct.pack('<H', 0xFFFF) + bytes(BIG))
    c.add('fuzz_serial_frame', struct.pack('<H', 0xFFFE) + fill(gm, BIG))

    # crosvm splitter: cap (1 << (cap % 19)), plan_len, plan, stream of frames
    vr = bytes.fromhex('1200')
    frames = fill(varint(len(vr)) + vr, BIG)
    bigframe = bytes(BIG - 8)
    for cap, plan in ((18, b''), (18, b'\x3f\x00'), (16, b'\x3f' * 16), (12, b'')):
        c.add('fuzz_crosvm_splitter', bytes([cap, len(plan)]) + plan + frames)
        c.add('fuzz_crosvm_splitter', bytes([cap, len(plan)]) + plan + varint(len(bigframe)) + bigframe)

    # sessions: the records of the longest seeds, repeated
    for t, head in (('fuzz_crosvm_main', 1), ('fuzz_ic_host', 1), ('fuzz_ic_guest', 1)):
        for seed in largest(t, 3):
            recs = records_of(seed[head:])
            if recs:
                c.add(t, seed[:head] + fill(b''.join(recs), BIG))
    for seed in largest('fuzz_crosvm_vcpu', 3):
        if len(seed) >= 2:
            head = 2 + 4 * seed[1]
            recs = records_of(seed[head:])
            if recs:
                c.add('fuzz_crosvm_vcpu', seed[:head] + fill(b''.join(recs), BIG))

    # protobuf messages: a message repeated is one valid message (protobuf
    # merges the copies), so the decoders see 64 KiB of real fields
    for rev in ('seed', 'final'):
        for k in ('main_request', 'main_response', 'vcpu_request', 'vcpu_response'):
            t = 'fuzz_crosvm_%s_%s' % (rev, k)
            for seed in largest(t, 2):
                if seed:
                    c.add(t, fill(seed, BIG))
    for t in ('fuzz_serial_guest_message', 'fuzz_serial_vmm_config'):
        for seed in largest(t, 1):
            if seed:
                c.add(t, fill(seed, BIG))

    # IC: a message whose message_size makes its body 64 KiB long (padding,
    # IC-HDR-9), and body targets with 64 KiB bodies
    for seed in largest('fuzz_ic_message', 2):
        if len(seed) >= 20:
            body = BIG - 20
            m = bytearray(seed[:20]) + seed[20:] + bytes(max(0, body - (len(seed) - 20)))
            struct.pack_into('<H', m, 10, body)
            c.add('fuzz_ic_message', bytes(m))
            c.add('fuzz_ic_packet', struct.pack('<II', 1, min(len(m), 16384)) + bytes(m)[:BIG - 8])
    for t in ('fuzz_ic_negotiate', 'fuzz_ic_kvp', 'fuzz_ic_vss', 'fuzz_ic_body'):
        for seed in largest(t, 1):
            c.add(t, seed + bytes(max(0, BIG - len(seed))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--vectors', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('targets', nargs='*')
    args = ap.parse_args()
    c = Corpus(args.targets)
    hand_seeds(c)
    nfiles = 0
    for path in sorted(glob.glob(os.path.join(args.vectors, '*.json'))):
        try:
            with open(path, encoding='utf-8') as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print('make-corpus: skipping %s: %s' % (path, e), file=sys.stderr)
            continue
        nfiles += 1
        for group in doc.get('groups', []):
            for case in group.get('cases', []):
                route(c, path, group, case)
    big_seeds(c)
    counts = c.write(args.out)
    print('make-corpus: %d vector files, %d targets, %d seeds' %
          (nfiles, len(counts), sum(counts.values())))


if __name__ == '__main__':
    main()
