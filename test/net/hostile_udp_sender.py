#!/usr/bin/env python3
# The hostile sender of test/net/hostile_udp.test.ts, run in the lab client's namespace: for a
# bounded time it sends, as fast as one Python process can, malformed, truncated, oversized and
# random datagrams to every UDP port pivsd listens on, and raw frames a UDP socket cannot make
# (source port 0, a forged peer source address, VRRP with broken fields). Every target is inside
# the lab (the test passes them in); it prints what it sent as one JSON line.
#
# argv[1]: JSON {seconds, iface, dstMac, directorIp, srcIp, peerIp, vip, vrid, vrrpGroupMac,
#                community, udp: [[ip, port, kind]], status: [ip, port], syncForged: hex}
import json
import os
import random
import socket
import struct
import sys
import threading
import time

cfg = json.loads(sys.argv[1])
rng = random.Random(12)
deadline = time.monotonic() + cfg['seconds']
sent = {}


def count(kind, n=1):
    sent[kind] = sent.get(kind, 0) + n


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def rand(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


# --- What looks like each protocol, to be cut short and corrupted ----------------------------
def sync_like():
    # IPVS v1 header and one IPv4 TCP record, then pivs' control message.
    rec = struct.pack('!BBHIHHHHII', 0, 6, 36, 3, 1, 40000, 80, 80, 0, 900) + rand(12)
    msg = struct.pack('!BBHBBH', 0, 0, 8 + len(rec), 1, 1, 0) + rec
    return [msg, b'PVSC\x01\x01\x00\x00' + rand(8), b'PVSC\x01\x02\x00\x00' + rand(8), msg + b'PVA1' + rand(60)]


def heartbeat_like():
    return [b'PVHB\x02\x00\x08\x00' + rand(20) + b'director' + rand(32), b'PVHB\x02\x00\xff\x00' + rand(52)]


def agent_like():
    return [b'PVAG\x01\x00' + rand(78), b'PVAG\x01\x01\xff\xff' + b'\xff' * 8 + rand(68)]


def ber(tag, body):
    n = len(body)
    if n < 128:
        return bytes([tag, n]) + body
    return bytes([tag, 0x82, n >> 8, n & 0xff]) + body


def snmp_get(community, request_id=1):
    oid = ber(0x06, bytes([0x2b, 6, 1, 2, 1, 1, 1, 0]))
    varbinds = ber(0x30, ber(0x30, oid + b'\x05\x00'))
    pdu = ber(0xa0, ber(0x02, bytes([request_id])) + b'\x02\x01\x00\x02\x01\x00' + varbinds)
    return ber(0x30, b'\x02\x01\x01' + ber(0x04, community) + pdu)


def snmp_like():
    good = snmp_get(cfg['community'].encode())
    return [good, snmp_get(b'wrong'), b'\x30\x84\xff\xff\xff\xff' + rand(40), b'\x30\x82\x00\x10\x02\x01\x03' + rand(30)]


LIKE = {'sync': sync_like, 'heartbeat': heartbeat_like, 'agent': agent_like, 'snmp': snmp_like}


def pool(kind):
    """Payloads for one target: valid-looking ones cut anywhere and with bytes flipped, random lengths of random bytes, extremes."""
    out = []
    for base in LIKE[kind]():
        for n in range(len(base)):
            out.append(('truncated', base[:n]))
        for _ in range(64):
            b = bytearray(base)
            for _ in range(rng.randint(1, 3)):
                b[rng.randrange(len(b))] ^= rng.randint(1, 255)
            out.append(('malformed', bytes(b)))
    for _ in range(256):
        out.append(('random', rand(rng.randint(0, 1472))))
    out += [('random', b''), ('random', b'\0' * 1472), ('random', b'\xff' * 1472)]
    rng.shuffle(out)
    return out


OVERSIZED = [rand(65507), b'\0' * 65507, b'\xff' * 65507]


# --- Raw frames: a UDP source port of 0, a forged peer address, VRRP ------------------------
def mac(text):
    return bytes(int(x, 16) for x in text.split(':'))


with open('/sys/class/net/%s/address' % cfg['iface']) as f:
    SRC_MAC = mac(f.read().strip())


def ipv4(src, dst, proto, payload, ttl=64):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), rng.getrandbits(16), 0, ttl, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack('!H', checksum(hdr)) + hdr[12:]
    return hdr + payload


def udp_frame(dst_mac, src, dst, sport, dport, payload):
    # UDP checksum 0: none, which IPv4 allows.
    udp = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    return mac(dst_mac) + SRC_MAC + b'\x08\x00' + ipv4(src, dst, 17, udp)


def vrrp(version, vrid, priority, broken_checksum):
    body = bytearray(struct.pack('!BBBBH', (version << 4) | 1, vrid, priority, 1, 0x0064 if version == 3 else 0x0001))
    body += b'\0\0' + socket.inet_aton(cfg['vip'])
    if version == 2:
        body += b'\0' * 8
    c = checksum(bytes(body))  # v2's checksum; v3's covers a pseudo-header, so it is wrong for v3 anyway
    struct.pack_into('!H', body, 6, c ^ (1 if broken_checksum else 0))
    return bytes(body)


def raw_frames():
    d, peer, me = cfg['directorIp'], cfg['peerIp'], cfg['srcIp']
    request = b'PVSC\x01\x01\x00\x00' + struct.pack('!II', 0x01020304, 0)
    frames = []
    # The bug of issue 12: a resync request from port 0 (from a peer's address and from anyone's).
    for src in (peer, me):
        frames.append(('port0-resync', udp_frame(cfg['dstMac'], src, d, 0, 8848, request)))
    # Port 0 to every other port: a reply there would throw in dgram.
    for ip, port, kind in cfg['udp']:
        payload = snmp_get(cfg['community'].encode()) if kind == 'snmp' else LIKE[kind]()[0]
        frames.append(('port0', udp_frame(cfg['dstMac'], me, ip, 0, port, payload)))
    # A forged peer: a record pinning a flow for 25 days, and resync requests it would be answered.
    frames.append(('forged-peer-record', udp_frame(cfg['dstMac'], peer, d, 8848, 8848, bytes.fromhex(cfg['syncForged']))))
    frames.append(('forged-peer-resync', udp_frame(cfg['dstMac'], peer, d, 8848, 8848, request)))
    # A forged peer's broken messages reach the deeper checks. Only cuts and header bytes are
    # broken: a flipped byte in a record could make a valid one, and what a peer sends is obeyed.
    message = sync_like()[0]
    for n in range(len(message)):
        frames.append(('forged-peer-truncated', udp_frame(cfg['dstMac'], peer, d, 8848, 8848, message[:n])))
    for at in range(8):
        b = bytearray(message)
        b[at] ^= 0x5a
        frames.append(('forged-peer-malformed', udp_frame(cfg['dstMac'], peer, d, 8848, 8848, bytes(b))))
    # VRRP (IP 112, to 224.0.0.18) that no director may act on: TTL not 255, bad checksum, cut short.
    g = cfg['vrrpGroupMac']
    frames.append(('vrrp-ttl64', mac(g) + SRC_MAC + b'\x08\x00' + ipv4(me, '224.0.0.18', 112, vrrp(2, cfg['vrid'], 255, False), ttl=64)))
    frames.append(('vrrp-checksum', mac(g) + SRC_MAC + b'\x08\x00' + ipv4(me, '224.0.0.18', 112, vrrp(2, cfg['vrid'], 255, True), ttl=255)))
    for n in (0, 1, 4, 7):
        frames.append(('vrrp-truncated', mac(g) + SRC_MAC + b'\x08\x00' + ipv4(me, '224.0.0.18', 112, vrrp(3, cfg['vrid'], 255, True)[:n], ttl=255)))
    frames.append(('vrrp-random', mac(g) + SRC_MAC + b'\x08\x00' + ipv4(me, '224.0.0.18', 112, b'\x31' + rand(40), ttl=255)))
    return frames


def status_garbage():
    """Garbage over TCP to the status server, in a thread of its own: a bounded number of connections."""
    ip, port = cfg['status']
    junk = [b'\0' * 4096, b'GET /' + b'A' * 20000 + b' HTTP/1.1\r\n\r\n', b'GET /status HTTP/1.1\r\nHost: x\r\n' + b'X: y\r\n' * 500,
            b'POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nabc', b'GET //:: HTTP/1.1\r\n\r\n', b'\r\n\r\n\r\n']
    i = 0
    while time.monotonic() < deadline and i < 600:
        try:
            s = socket.create_connection((ip, port), timeout=1)
            s.sendall(junk[i % len(junk)] if i % 7 else rand(rng.randint(1, 3000)))
            s.close()
            count('status-tcp')
        except OSError:
            count('status-tcp-failed')
        i += 1
        time.sleep(0.01)


def main():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setblocking(False)
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind((cfg['iface'], 0))
    raw.setblocking(False)
    targets = [((ip, port), pool(kind)) for ip, port, kind in cfg['udp']]
    frames = raw_frames()
    t = threading.Thread(target=status_garbage, daemon=True)
    t.start()
    i = 0
    while True:
        if i % 1024 == 0 and time.monotonic() >= deadline:
            break
        where, payloads = targets[i % len(targets)]
        try:
            if i % 997 == 0:
                udp.sendto(OVERSIZED[(i // 997) % len(OVERSIZED)], where)
                count('oversized')
            else:
                kind, payload = payloads[(i // len(targets)) % len(payloads)]
                udp.sendto(payload, where)
                count(kind)
            if i % 16 == 0:
                kind, frame = frames[(i // 16) % len(frames)]
                raw.send(frame)
                count(kind)
        except (BlockingIOError, OSError):
            count('send-refused')
        i += 1
    t.join(timeout=5)
    print(json.dumps(sent))


main()
