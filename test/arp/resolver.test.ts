import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARP_OP_REQUEST, decodeArp, encodeArp } from '../../src/arp/arp_codec';
import { decodeEthernet, encodeEthernet } from '../../src/arp/ethernet';
import {
  ARP_PROBE_FOR_REAL, ARP_REPLY_FROM_REAL, ARP_REQUEST_FOR_REAL, NA_FROM_REAL6, NS_FOR_REAL6, OWN_IP,
  REAL_IP, REAL_IP6, REAL_MAC, REAL_MAC_2,
} from './fixtures';
import { harness } from './harness';

/** An ARP packet from the real server at `mac` (e.g. its own request for the director). */
function arpFromReal(mac: string): Buffer {
  return encodeEthernet(
    { destination: 'ff:ff:ff:ff:ff:ff', source: mac, etherType: 0x0806 },
    encodeArp({ op: ARP_OP_REQUEST, sha: mac, spa: REAL_IP, tha: '00:00:00:00:00:00', tpa: OWN_IP }),
  );
}

function resolved() {
  const h = harness();
  h.service.setAddresses({ virtualAddresses: [], realAddresses: [REAL_IP] });
  h.dataplane.take();
  h.dataplane.receive(ARP_REPLY_FROM_REAL);
  return h;
}

test('a new real server is asked for at once, from our address on its subnet', () => {
  const { dataplane, service } = harness();
  service.setAddresses({ virtualAddresses: [], realAddresses: [REAL_IP] });
  assert.deepEqual(dataplane.take(), [ARP_REQUEST_FOR_REAL]);
});

test('without an address on the real server\'s subnet the request is an ARP probe from 0.0.0.0', () => {
  const { dataplane, service } = harness([]);
  service.setAddresses({ virtualAddresses: [], realAddresses: [REAL_IP] });
  assert.deepEqual(dataplane.take(), [ARP_PROBE_FOR_REAL]);
});

test('unanswered requests are retried after 1 s, then backing off to at most 4 s', () => {
  const { dataplane, service, clock } = harness();
  service.setAddresses({ virtualAddresses: [], realAddresses: [REAL_IP] });
  dataplane.take();
  const sentAt: number[] = [];
  for (let t = 0; t < 15_000; t += 500) {
    clock.advance(500);
    for (const frame of dataplane.take()) {
      assert.deepEqual(frame, ARP_REQUEST_FOR_REAL);
      sentAt.push(clock.now());
    }
  }
  assert.deepEqual(sentAt, [1000, 3000, 7000, 11_000, 15_000]);
});

test('a reply teaches the MAC to the fast path once and is logged with old and new MAC', () => {
  const { dataplane, clock, logs } = resolved();
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]]);
  const info = logs.find((l) => l.msg === 'real server MAC resolved');
  assert.ok(info);
  assert.deepEqual([info.realServer, info.oldMac, info.newMac], [REAL_IP, null, REAL_MAC]);
  dataplane.receive(ARP_REPLY_FROM_REAL);
  clock.advance(29_000);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]], 'same MAC again: no second call');
  assert.deepEqual(dataplane.take(), [], 'no requests while the MAC is fresh');
});

test('a resolved MAC is re-confirmed by unicast after 30 s of silence', () => {
  const { dataplane, clock } = resolved();
  clock.advance(29_999);
  assert.deepEqual(dataplane.take(), []);
  clock.advance(1);
  const [probe] = dataplane.take();
  assert.ok(probe);
  assert.equal(decodeEthernet(probe).destination, REAL_MAC);
  assert.equal(decodeArp(decodeEthernet(probe).payload).tpa, REAL_IP);
  dataplane.receive(ARP_REPLY_FROM_REAL);
  clock.advance(29_999);
  assert.deepEqual(dataplane.take(), [], 'the answer restarted the 30 s');
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]]);
});

/** ARP_REPLY_FROM_REAL as if sent from `mac` (sha and Ethernet source). */
function replyFrom(mac: string): Buffer {
  const f = Buffer.from(ARP_REPLY_FROM_REAL);
  const m = Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
  m.copy(f, 6);
  m.copy(f, 14 + 8);
  return f;
}

/** Where each frame goes and what it asks about: ['ff:ff:ff:ff:ff:ff', REAL_IP] for a broadcast request. */
function asked(frames: Buffer[]): Array<[string, string]> {
  return frames.map((f) => {
    const e = decodeEthernet(f);
    return [e.destination, decodeArp(e.payload).tpa];
  });
}

test('requests, gratuitous ARP and unsolicited replies from the real server\'s address teach nothing', () => {
  const { dataplane, clock } = resolved();
  dataplane.receive(arpFromReal(REAL_MAC_2));
  const gratuitous = Buffer.from(arpFromReal(REAL_MAC_2));
  gratuitous.writeUInt16BE(2, 14 + 6);
  dataplane.receive(gratuitous);
  dataplane.receive(ARP_REPLY_FROM_REAL);
  clock.advance(10_000);
  dataplane.receive(replyFrom(REAL_MAC_2));
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]], 'the known MAC answered the check they started');
});

test('a frame claiming another MAC makes us ask at once; the known MAC answering keeps the server', () => {
  const { dataplane, clock } = resolved();
  dataplane.receive(arpFromReal(REAL_MAC_2));
  assert.deepEqual(asked(dataplane.take()), [['ff:ff:ff:ff:ff:ff', REAL_IP], [REAL_MAC, REAL_IP]],
    'a broadcast request for the claimant to answer and a probe of the known MAC');
  dataplane.receive(replyFrom(REAL_MAC_2));
  dataplane.receive(ARP_REPLY_FROM_REAL);
  clock.advance(5000);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]], 'the known MAC answered: nothing moves');
  assert.deepEqual(dataplane.take(), [], 'and the probing stops');
  // Claims for the MAC we use, or a flood of claims, ask nothing more than once a second.
  dataplane.receive(arpFromReal(REAL_MAC));
  assert.deepEqual(dataplane.take(), []);
  for (let i = 0; i < 100; i++) dataplane.receive(arpFromReal(REAL_MAC_2));
  dataplane.receive(ARP_REPLY_FROM_REAL);
  for (let i = 0; i < 100; i++) dataplane.receive(arpFromReal(REAL_MAC_2));
  assert.equal(dataplane.take().length, 2, 'one check for 200 claims in the same second');
});

test('a server that switched NICs is followed in under a second from its own ARP request', () => {
  const { dataplane, clock, logs } = resolved();
  dataplane.receive(arpFromReal(REAL_MAC_2));
  dataplane.take();
  dataplane.receive(replyFrom(REAL_MAC_2));
  clock.advance(250);
  clock.advance(250);
  assert.deepEqual(asked(dataplane.take()), [[REAL_MAC, REAL_IP], [REAL_MAC, REAL_IP]], 'the known MAC probed every 250 ms');
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]]);
  clock.advance(250);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC], [REAL_IP, REAL_MAC_2]], 'moved after 3 unanswered probes');
  const moved = logs.find((l) => l.msg === 'real server MAC changed');
  assert.deepEqual([moved?.oldMac, moved?.newMac], [REAL_MAC, REAL_MAC_2]);
  clock.advance(29_999);
  assert.deepEqual(dataplane.take(), [], 'back to the usual 30 s');
});

test('a claim with nobody answering for the known MAC makes the server unknown, not the claimant\'s', () => {
  const { dataplane, clock } = resolved();
  dataplane.receive(arpFromReal(REAL_MAC_2));
  for (let i = 0; i < 3; i++) clock.advance(250);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC], [REAL_IP, null]]);
});

test('another MAC answering is believed only once the known one stays silent; both answering is a conflict', () => {
  const { dataplane, clock, logs } = resolved();
  clock.advance(30_000);
  assert.equal(dataplane.take().length, 1, 're-confirmation probe to the known MAC');
  dataplane.receive(replyFrom(REAL_MAC_2));
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]], 'not moved by the first answer from elsewhere');
  const [ask] = dataplane.take();
  assert.equal(decodeEthernet(ask).destination, REAL_MAC, 'the known MAC is asked at once');
  dataplane.receive(ARP_REPLY_FROM_REAL);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]]);
  const conflict = logs.find((l) => l.msg === 'two MACs answer for one real server; keeping the one it had');
  assert.ok(conflict);
  assert.deepEqual([conflict.level, conflict.mac, conflict.other], [40, REAL_MAC, REAL_MAC_2]);

  // A real move: the new MAC answers and the old one never does again.
  clock.advance(30_000);
  dataplane.take();
  dataplane.receive(replyFrom(REAL_MAC_2));
  for (let i = 0; i < 4; i++) clock.advance(1000);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC], [REAL_IP, REAL_MAC_2]]);
  const moved = logs.find((l) => l.msg === 'real server MAC changed');
  assert.ok(moved);
  assert.deepEqual([moved.oldMac, moved.newMac], [REAL_MAC, REAL_MAC_2]);
});

test('a static neighbour is given to the fast path, never asked about, and no frame moves it', () => {
  const { dataplane, service, clock } = harness();
  service.setAddresses({ virtualAddresses: [], realAddresses: [REAL_IP], staticNeighbours: [{ address: REAL_IP, mac: REAL_MAC_2 }] });
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC_2]]);
  clock.advance(120_000);
  assert.deepEqual(dataplane.take(), []);
  dataplane.receive(ARP_REPLY_FROM_REAL);
  service.setInterface('eth1');
  assert.deepEqual(dataplane.take(), [], 'a link change does not ask about it either');
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC_2]]);
  assert.equal(clock.pending(), 0);
});

test('after 3 unanswered re-confirmations the MAC becomes unknown, with a warning', () => {
  const { dataplane, clock, logs } = resolved();
  clock.advance(30_000);
  clock.advance(1000);
  clock.advance(1000);
  assert.equal(dataplane.take().length, 3, 'three unicast probes');
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]]);
  clock.advance(1000);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC], [REAL_IP, null]]);
  const warn = logs.find((l) => l.level === 40);
  assert.ok(warn);
  assert.equal(warn.realServer, REAL_IP);
  assert.equal(warn.mac, REAL_MAC);
  assert.deepEqual(dataplane.take(), [ARP_REQUEST_FOR_REAL], 'back to broadcast resolution');
  dataplane.receive(ARP_REPLY_FROM_REAL);
  assert.deepEqual(dataplane.neighbours.at(-1), [REAL_IP, REAL_MAC], 'learnt again when it answers');
});

test('an IPv6 real server is solicited at its solicited-node group and learnt from the advertisement', () => {
  const { dataplane, service } = harness();
  service.setAddresses({ virtualAddresses: [], realAddresses: [REAL_IP6] });
  assert.deepEqual(dataplane.take(), [NS_FOR_REAL6]);
  dataplane.receive(NA_FROM_REAL6);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP6, REAL_MAC]]);
});

test('the fast path hears the address as it was configured, whatever spelling the frames use', () => {
  const { dataplane, service } = harness();
  service.setAddresses({ virtualAddresses: [], realAddresses: ['2001:DB8::0:21'] });
  dataplane.receive(NA_FROM_REAL6);
  assert.deepEqual(dataplane.neighbours, [['2001:DB8::0:21', REAL_MAC]]);
});

test('a removed real server is no longer resolved and is forgotten', () => {
  const { dataplane, service, clock } = harness();
  service.setAddresses({ virtualAddresses: [], realAddresses: [REAL_IP] });
  dataplane.take();
  service.setAddresses({ virtualAddresses: [], realAddresses: [] });
  clock.advance(60_000);
  assert.deepEqual(dataplane.take(), []);
  dataplane.receive(ARP_REPLY_FROM_REAL);
  assert.deepEqual(dataplane.neighbours, []);
  assert.equal(clock.pending(), 0);
});

test('keeping a resolved real server across setAddresses does not ask again', () => {
  const { dataplane, service } = resolved();
  service.setAddresses({ virtualAddresses: ['198.18.0.100'], realAddresses: [REAL_IP] });
  assert.deepEqual(dataplane.take(), []);
  assert.deepEqual(dataplane.neighbours, [[REAL_IP, REAL_MAC]]);
});

test('ARP from addresses that are not real servers teaches nothing', () => {
  const { dataplane, service } = harness();
  service.setAddresses({ virtualAddresses: [], realAddresses: ['198.18.0.22'] });
  dataplane.receive(ARP_REPLY_FROM_REAL);
  assert.deepEqual(dataplane.neighbours, []);
});

test('close stops all timers', () => {
  const { service, clock, dataplane } = resolved();
  service.close();
  assert.equal(clock.pending(), 0);
  clock.advance(120_000);
  assert.deepEqual(dataplane.take(), []);
});
