// A LAN host claims a real server's address: gratuitous ARP (request and reply forms) and an
// unsolicited reply to the director, all with its own MAC. The director keeps the real server's
// MAC, so no client's answer changes: every request is still answered, rr spreads them evenly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsText, fetchNames, useLab } from '../support/testing';
import { IFACE } from '../../src/lab/topology';

/** python3 in a namespace: sends `count` forged ARP frames claiming `ip` is at the sender's MAC. */
function forgeScript(ip: string, directorMac: string, count: number): string {
  return [
    'import socket, struct',
    `s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("${IFACE}", 0))`,
    'me = s.getsockname()[4]',
    `ip = socket.inet_aton("${ip}")`,
    `dmac = bytes.fromhex("${directorMac.replace(/:/g, '')}")`,
    'def arp(dst, op, tha, tpa): return dst + me + b"\\x08\\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + me + ip + tha + tpa',
    'frames = [arp(b"\\xff" * 6, 1, b"\\x00" * 6, ip), arp(b"\\xff" * 6, 2, b"\\xff" * 6, ip), arp(dmac, 2, dmac, ip)]',
    `for i in range(${count}):`,
    '    for f in frames: s.send(f.ljust(60, b"\\x00"))',
  ].join('\n');
}

describe('a forged ARP claim for a real server', { timeout: 120_000 }, () => {
  const lab = useLab();

  it('moves no real server: every client request is answered as before', async () => {
    const { t, pivsd } = lab();
    await pivsd.admOk(['-A', '-t', `${t.vip}:80`, '-s', 'rr']);
    for (const r of t.reals) await pivsd.admOk(['-a', '-t', `${t.vip}:80`, '-r', `${r.address}:80`, '-g', '-w', '1']);
    await pivsd.waitReady();
    await t.exec(t.client, 'python3', ['-c', forgeScript(t.reals[0].address, t.director.mac, 50)]);
    const counts = await fetchNames(t, `http://${t.vip}/`, 60);
    assert.equal(countsText(counts), 'rs1=20 rs2=20 rs3=20');
    assert.doesNotMatch(pivsd.log(), /real server MAC changed/);
  });
});
