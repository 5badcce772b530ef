#!/usr/bin/env python3
"""A minimal vmwire conformance testee, in plain Python 3 (standard library only).

It implements ONE thing for real: the `decode` operation of the `ic.message`
kind (the 20-byte Hyper-V IC header of spec/ic.md section 2), for messages
that carry no body to decode: `message_size` 0, and message types above 5,
whose body is kept as raw bytes. Every other request is answered `skipped`,
which the runner reports without failing the run.

Run it with:

    vmwire-conformance --testee 'python3 conformance/examples/testee_example.py'

The interface (conformance/README.md): one JSON request per line on stdin,
one JSON answer per line on stdout, in the same order, each flushed at once.
Anything the testee wants to log goes to stderr.
"""
import json
import struct
import sys

HEADER = struct.Struct("<HHHHHHIBBH")  # 20 bytes, little-endian (spec/ic.md section 2)


def invalid(error):
    return {"result": "invalid", "error": error}


def skipped(reason):
    return {"result": "skipped", "reason": reason}


def decode_ic_message(data):
    """Bytes of one IC message -> an answer (without its "id")."""
    if len(data) < HEADER.size:
        return invalid("truncated")  # IC-HDR-1: fewer than 20 bytes
    (fw_major, fw_minor, msg_type, ver_major, ver_minor, size, status, txid, flags,
     reserved) = HEADER.unpack_from(data)
    if len(data) < HEADER.size + size:
        return invalid("truncated")  # IC-HDR-8: the body is cut short
    body = data[HEADER.size:HEADER.size + size]
    trailing = data[HEADER.size + size:]
    if size and msg_type <= 5:
        return skipped("this example does not decode the body of message type %d" % msg_type)
    out = {
        "framework_version": "%d.%d" % (fw_major, fw_minor),
        "message_type": msg_type,
        "message_version": "%d.%d" % (ver_major, ver_minor),
        "message_size": size,
        "status": "0x%08x" % status,
        "transaction_id": txid,
        "flags": flags,
    }
    if reserved:
        out["reserved"] = reserved
    if any(body):  # the raw body of types above 5, shown when not all zero
        out["padding"] = body.hex()
    if trailing:  # IC-HDR-10: bytes after the message
        out["trailing"] = trailing.hex()
    return {"result": "valid", "output": out}


def handle(req):
    if req.get("operation") == "decode" and req.get("message") == "ic.message":
        try:
            data = bytes.fromhex(req["input"])
        except (KeyError, TypeError, ValueError):
            return skipped("input is not a hex string")
        return decode_ic_message(data)
    return skipped("not implemented by this example: %s %s" % (req.get("operation"), req.get("message")))


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        answer = handle(req)
        answer["id"] = req.get("id")
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()  # the runner waits for each answer: never buffer it


if __name__ == "__main__":
    main()
