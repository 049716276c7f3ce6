// pivs as an AgentX subagent of a real snmpd (Debian's, in the foreground, on 127.0.0.1 with its
// AgentX socket in a temp dir): walks go through snmpd, notifications leave through its trap sink.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { waitFor } from '../../src/lab/exec';
import { startSnmp, type SnmpService } from '../../src/snmp';
import { PIVS_MIB, VRRPV3_MIB } from '../../src/snmp/oids';
import { pivsValues } from '../../src/snmp/pivs_mib';
import { SnapshotTaker } from '../../src/snmp/snapshot';
import { vrrpv3Values } from '../../src/snmp/vrrpv3_mib';
import { FakeSources } from './fake_sources';
import {
  freeUdpPort, normalise, printedAs, snmpget, snmpwalk, startMasterAgent, startTrapReceiver, waitForTrap, type Daemon,
} from './tools';

const COMMUNITY = 'pivs-agentx-ro';

describe('AgentX subagent of snmpd', () => {
  const sources = new FakeSources();
  let snmpd: Daemon;
  let traps: Daemon;
  let service: SnmpService;
  let port: number;

  before(async () => {
    const trapPort = await freeUdpPort();
    traps = startTrapReceiver(trapPort);
    port = await freeUdpPort();
    snmpd = startMasterAgent(port, COMMUNITY, trapPort);
    const socket = join(snmpd.dir, 'agentx.sock');
    // snmpd creates the socket once it is up; the subagent retries until then.
    service = await startSnmp({ agentx: { socket }, users: [], trapTargets: [] }, sources, pino({ level: 'silent' }),
      { cacheMs: 0, pollMs: 100_000, retryMs: 200 });
    await waitFor('the subagent to register with snmpd', async () => (service.subagent?.registered === true ? true : undefined), 100, 100)
      .catch((e: unknown) => { throw new Error(`${String(e)}\nsnmpd log:\n${snmpd.log()}`); });
  });

  after(async () => {
    await service?.close();
    await snmpd?.stop();
    await traps?.stop();
  });

  it('walks both modules through snmpd exactly as the mapping says', async () => {
    for (const [root, expected] of [
      [VRRPV3_MIB, vrrpv3Values(new SnapshotTaker(sources).take(), 0)],
      [PIVS_MIB, pivsValues(new SnapshotTaker(sources).take())],
    ] as const) {
      const walked = await snmpwalk(['-v2c', '-c', COMMUNITY, `127.0.0.1:${port}`, root]);
      assert.deepEqual(walked.map((p) => `${p.oid} ${normalise(p.text)}`), expected.map((v) => `${v.oid} ${printedAs(v)}`));
    }
  });

  it('answers a get of a 64-bit counter and of an address through snmpd', async () => {
    sources.listResult.virtualServices[0]!.realServers[1]!.stats.inBytes = 2 ** 40;
    const r = await snmpget(['-v2c', '-c', COMMUNITY, `127.0.0.1:${port}`, `${PIVS_MIB}.1.3.1.13.1.2`, `${PIVS_MIB}.1.3.1.3.1.2`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.printed.map((p) => p.text), [`Counter64: ${2 ** 40}`, 'Hex-STRING: C6 12 01 02']);
  });

  it('sends vrrpv3NewMaster and pivsLinkFailover through snmpd to its trap sink', async () => {
    service.poll();
    sources.vrrpInstances[0]!.state = 'master';
    sources.vrrpInstances[0]!.masterAddress = '198.18.0.3';
    sources.vrrpInstances[0]!.newMasterReason = 'preempted';
    sources.linkViews[0]!.active = false;
    sources.linkViews[1]!.active = true;
    service.poll();
    await waitForTrap(traps, [`OID: .${VRRPV3_MIB}.0.1`, `.${VRRPV3_MIB}.1.1.1.1.3.2.51.1 = Hex-STRING: C6 12 00 03`,
      `.${VRRPV3_MIB}.1.2.5.1.2.2.51.1 = INTEGER: 2`]);
    await waitForTrap(traps, [`OID: .${PIVS_MIB}.0.3`, `.${PIVS_MIB}.1.5.1.2.2 = Hex-STRING: 6C 61 6E 2D 62`]);
  });
});
