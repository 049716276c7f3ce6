// The standalone agent against Debian's snmpwalk/snmpget (v2c and v3 authPriv), and its
// notifications against snmptrapd (v2c traps and v3 informs). All on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startSnmp, type SnmpService } from '../../src/snmp';
import { PIVS_MIB, VRRPV3_MIB } from '../../src/snmp/oids';
import { pivsValues } from '../../src/snmp/pivs_mib';
import { SnapshotTaker } from '../../src/snmp/snapshot';
import { vrrpv3Values } from '../../src/snmp/vrrpv3_mib';
import { FakeSources } from './fake_sources';
import {
  freeUdpPort, normalise, printedAs, snmpget, snmpwalk, startTrapReceiver, waitForTrap, type Daemon,
} from './tools';

const COMMUNITY = 'pivs-test-ro';
const USER = { name: 'ops', authProtocol: 'sha' as const, authKey: 'auth-secret-1', privProtocol: 'aes' as const, privKey: 'priv-secret-1' };
const V3 = ['-v3', '-l', 'authPriv', '-u', USER.name, '-a', 'SHA', '-A', USER.authKey, '-x', 'AES', '-X', USER.privKey];

describe('standalone SNMP agent', () => {
  const sources = new FakeSources();
  let service: SnmpService;
  let port: number;
  let v2Traps: Daemon;
  let v3Informs: Daemon;

  before(async () => {
    const [trapPort, informPort] = [await freeUdpPort(), await freeUdpPort()];
    v2Traps = startTrapReceiver(trapPort);
    v3Informs = startTrapReceiver(informPort, { user: USER.name, authKey: USER.authKey, privKey: USER.privKey });
    port = await freeUdpPort();
    service = await startSnmp({
      listen: { host: '127.0.0.1', port }, community: COMMUNITY, users: [USER],
      trapTargets: [
        { host: '127.0.0.1', port: trapPort, community: COMMUNITY },
        { host: '127.0.0.1', port: informPort, user: USER.name },
      ],
    }, sources, pino({ level: 'silent' }), { cacheMs: 0, pollMs: 100_000 });
  });

  after(async () => {
    await service?.close();
    await v2Traps?.stop();
    await v3Informs?.stop();
  });

  it('walks both modules over v2c exactly as the mapping says', async () => {
    for (const [root, expected] of [
      [PIVS_MIB, pivsValues(new SnapshotTaker(sources).take())],
      [VRRPV3_MIB, vrrpv3Values(new SnapshotTaker(sources).take(), 0)],
    ] as const) {
      const walked = await snmpwalk(['-v2c', '-c', COMMUNITY, `127.0.0.1:${port}`, root]);
      assert.deepEqual(walked.map((p) => `${p.oid} ${normalise(p.text)}`), expected.map((v) => `${v.oid} ${printedAs(v)}`));
    }
  });

  it('answers snmpget over v3 authPriv (SHA + AES) with a 64-bit counter intact', async () => {
    const oid = `${PIVS_MIB}.1.2.1.10.1`;
    const r = await snmpget([...V3, `127.0.0.1:${port}`, oid, `${PIVS_MIB}.1.1.1.0`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.printed, [
      { oid, text: 'Counter64: 15000000000' },
      { oid: `${PIVS_MIB}.1.1.1.0`, text: 'Hex-STRING: 39 2E 38 2E 37' },
    ]);
  });

  it('refuses a wrong community and a wrong v3 key', async () => {
    const wrongCommunity = await snmpget(['-v2c', '-c', 'guess', `127.0.0.1:${port}`, `${PIVS_MIB}.1.1.2.0`]);
    assert.notEqual(wrongCommunity.code, 0);
    assert.match(wrongCommunity.stderr, /Timeout/);
    const wrongKey = await snmpget([...V3.slice(0, 7), 'not-the-key', ...V3.slice(8), `127.0.0.1:${port}`, `${PIVS_MIB}.1.1.2.0`]);
    assert.notEqual(wrongKey.code, 0);
  });

  it('serves what the sources say at request time', async () => {
    sources.listResult.virtualServices[0]!.stats.conns = 777;
    const r = await snmpget(['-v2c', '-c', COMMUNITY, `127.0.0.1:${port}`, `${PIVS_MIB}.1.2.1.8.1`]);
    assert.deepEqual(r.printed.map((p) => p.text), ['Counter64: 777']);
  });

  it('sends vrrpv3NewMaster and realServerDown to the v2c and v3 receivers', async () => {
    service.poll();
    sources.vrrpInstances[0]!.state = 'master';
    sources.vrrpInstances[0]!.masterAddress = '198.18.0.3';
    sources.vrrpInstances[0]!.newMasterReason = 'masterNoResponse';
    sources.health.set('198.18.1.1', { health: 'down' });
    service.poll();
    const newMaster = [`OID: .${VRRPV3_MIB}.0.1`, `.${VRRPV3_MIB}.1.1.1.1.3.2.51.1 = Hex-STRING: C6 12 00 03`,
      `.${VRRPV3_MIB}.1.2.5.1.2.2.51.1 = INTEGER: 3`];
    const down = [`OID: .${PIVS_MIB}.0.2`, `.${PIVS_MIB}.1.3.1.3.1.1 = Hex-STRING: C6 12 01 01`,
      `.${PIVS_MIB}.1.3.1.7.1.1 = INTEGER: 2`];
    for (const receiver of [v2Traps, v3Informs]) {
      await waitForTrap(receiver, newMaster);
      await waitForTrap(receiver, down);
    }
  });
});
