// The high-availability switches of the fast path: which virtual addresses it forwards for
// (setActiveAddresses, what VRRP master/backup transitions drive), and receiving on the VRRP
// virtual MAC (addMacAddress: PACKET_MR_UNICAST on a real interface, in namespaces).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { startRealServers } from '../../src/lab/pivsd';
import { Topology } from '../../src/lab/topology';
import { run, waitFor } from '../../src/lab/exec';
import { TCP_SYN, icmpFrame, tcpFrame } from './frames';
import { closedAfter, CLIENT, DIRECTOR_MAC, MAC1, MAC2, VIP, dstMac, openSimulated, service } from './helpers';

const VIP2 = '198.18.0.11';
const track = closedAfter();

describe('setActiveAddresses', () => {
  const syn = (dst: string) => tcpFrame({ src: CLIENT, dst, sport: 40000, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC });

  it('ignores frames for virtual addresses not in the list, ICMP included', async () => {
    const dp = openSimulated([service(), service({ address: VIP2 })]);
    track(dp);
    const control: Buffer[] = [];
    let delivered!: () => void;
    const got = new Promise<void>((resolve) => { delivered = resolve; });
    dp.onControlFrames((frames) => { control.push(...frames); delivered(); });

    dp.setActiveAddresses([VIP]);
    assert.equal(dp.simulate(syn(VIP2)), null);
    assert.equal(dp.simulate(icmpFrame({ src: CLIENT, dst: VIP2, dstMac: DIRECTOR_MAC })), null);
    assert.deepEqual(dp.counters().ignored, 2);
    assert.equal(dp.counters().dropped, 0);
    assert.deepEqual(dp.connections(), []);

    assert.equal(dstMac(dp.simulate(syn(VIP))), MAC1);
    const echo = icmpFrame({ src: CLIENT, dst: VIP, dstMac: DIRECTOR_MAC });
    assert.equal(dp.simulate(echo), null);
    await got;
    assert.deepEqual(control, [echo], 'only the active address\'s echo request is handed up');
    assert.equal(dp.counters().ignored, 2);
  });

  it('forwards for every virtual address again with null, and for none with []', () => {
    const dp = openSimulated([service(), service({ address: VIP2 })]);
    track(dp);
    dp.setActiveAddresses([]);
    assert.equal(dp.simulate(syn(VIP)), null);
    dp.setActiveAddresses(null);
    assert.equal(dstMac(dp.simulate(syn(VIP2))), MAC1);
  });

  it('keeps the active list across apply() and refuses bad input without changing it', () => {
    const dp = openSimulated([service(), service({ address: VIP2 })]);
    track(dp);
    dp.setActiveAddresses([VIP2]);
    dp.apply([service(), service({ address: VIP2 })]);
    assert.equal(dp.simulate(syn(VIP)), null);
    assert.throws(() => dp.setActiveAddresses([VIP, 'not-an-address']), /The active virtual address "not-an-address" is not an IPv4 or IPv6 address/);
    assert.throws(() => dp.setActiveAddresses(VIP as unknown as string[]), /takes an array of IP address strings/);
    assert.equal(dp.simulate(syn(VIP)), null);
    assert.ok(dp.simulate(syn(VIP2)));
  });

  it('a takeover rebuilds no scheduler: wrr goes on from where it was', () => {
    // wrr restarts its pass on every update(), which a rebuild of the table would call: the next
    // flow after a takeover would go to RS1 again instead of RS2.
    const dp = openSimulated([service({ scheduler: 'wrr' })]);
    track(dp);
    const flow = (sport: number) => tcpFrame({ src: CLIENT, dst: VIP, sport, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC });
    assert.equal(dstMac(dp.simulate(flow(41000))), MAC1);
    dp.setActiveAddresses([]);
    assert.equal(dp.simulate(flow(41001)), null, 'backup: nothing forwarded');
    dp.setActiveAddresses([VIP]);
    assert.equal(dstMac(dp.simulate(flow(41002))), MAC2, 'master again: the pass goes on to RS2');
    dp.setActiveAddresses(null);
    assert.equal(dstMac(dp.simulate(flow(41003))), MAC1);
    assert.equal(dstMac(dp.simulate(flow(41004))), MAC2);
  });
});

describe('addMacAddress / removeMacAddress without an interface', () => {
  it('keeps the bookkeeping and refuses what is not a unicast MAC', () => {
    const dp = openSimulated([service()]);
    track(dp);
    dp.addMacAddress('00:00:5e:00:01:33');
    dp.addMacAddress('00:00:5e:00:01:33');
    dp.removeMacAddress('00:00:5e:00:01:33');
    dp.removeMacAddress('00:00:5e:00:01:33');
    assert.throws(() => dp.addMacAddress('01:00:5e:00:00:12'), /not a unicast address/);
    assert.throws(() => dp.addMacAddress('00:00:5e:00:01'), /must look like aa:bb:cc:dd:ee:ff/);
  });
});

describe('the VRRP virtual MAC on a veth interface (namespaces)', () => {
  const VMAC = '00:00:5e:00:01:33';
  let t: Topology | undefined;
  let director: ChildProcess | undefined;
  let lines: AsyncIterator<string> | undefined;

  async function ask(command: string): Promise<string> {
    director!.stdin!.write(`${command}\n`);
    const r = await lines!.next();
    if (r.done) throw new Error(`the director exited while answering "${command}"`);
    return r.value;
  }

  async function macsOnDirector(): Promise<string> {
    // PACKET_MR_UNICAST lands in the interface's unicast address list, which the default fdb
    // dump of a non-bridge device lists as "self permanent".
    return run('bridge', ['-n', t!.director.ns, 'fdb', 'show', 'dev', 'eth0']);
  }

  before(async () => {
    t = await Topology.create({ kind: 'ha', realServers: 1 });
    await startRealServers(t);
    const rs = t.reals[0];
    director = spawn('ip', ['netns', 'exec', t.director.ns, process.execPath,
      path.join(__dirname, 'ha_director.js'), 'eth0', t.vip, rs.address, rs.mac], { stdio: ['pipe', 'pipe', 'inherit'] });
    lines = readline.createInterface({ input: director.stdout! })[Symbol.asyncIterator]();
    const ready = await lines.next();
    assert.equal(ready.value, `ready ${t.director.mac}`);
    // The client sends to the VIP at the virtual MAC, as after a VRRP master's gratuitous ARP.
    await run('ip', ['-n', t.client.ns, 'neigh', 'replace', t.vip, 'lladdr', VMAC, 'dev', 'eth0', 'nud', 'permanent']);
  });

  after(async () => {
    if (director && director.exitCode === null) director.kill('SIGKILL');
    await t?.teardown();
  });

  it('joins the virtual MAC on the interface, forwards frames sent to it, and leaves it', async () => {
    assert.doesNotMatch(await macsOnDirector(), /00:00:5e:00:01:33/);
    assert.equal(await ask(`addmac ${VMAC}`), 'ok');
    assert.match(await macsOnDirector(), /00:00:5e:00:01:33 self permanent/);

    const body = await t!.exec(t!.client, 'curl', ['-sS', '--max-time', '5', `http://${t!.vip}/`]);
    assert.equal(body.trim(), 'rs1');
    const stats = JSON.parse(await ask('stats'));
    assert.equal(stats.connections[0].realAddress, t!.reals[0].address);

    // The workers queued the connection for sync and the flush timer handed the message up.
    const messages = await waitFor('a sync message from the ring workers', async () => {
      const s = JSON.parse(await ask('stats')) as { syncMessages: string[] };
      return s.syncMessages.length > 0 ? s.syncMessages.map((h) => Buffer.from(h, 'hex')) : undefined;
    }, 50, 100);
    const [first] = messages;
    assert.deepEqual([first[0], first[1], first[5], first.readUInt16BE(2)], [0, 9, 1, first.length]);
    const rec = first.subarray(8, 44);
    assert.equal(rec[1], 6);
    assert.equal(rec.readUInt16BE(12), 80);
    assert.equal([...rec.subarray(28, 32)].join('.'), t!.vip);
    assert.equal([...rec.subarray(32, 36)].join('.'), t!.reals[0].address);
    assert.equal([...rec.subarray(24, 28)].join('.'), t!.client.address);

    assert.equal(await ask(`delmac ${VMAC}`), 'ok');
    assert.doesNotMatch(await macsOnDirector(), /00:00:5e:00:01:33/);
    assert.equal(await ask(`addmac ${VMAC}`), 'ok');
    director!.stdin!.write('quit\n');
    const code = await new Promise((resolve) => director!.once('exit', resolve));
    assert.equal(code, 0);
    // Closing the sockets drops their memberships: nothing is left on the interface.
    assert.doesNotMatch(await macsOnDirector(), /00:00:5e:00:01:33/);
  });
});
