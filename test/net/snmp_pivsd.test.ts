// A running pivsd (in the lab's director namespace) answering SNMP on 127.0.0.1 there: the
// PIVS-MIB figures a manager walks equal those `pivsadm -L -n --stats` prints.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { useLab, udpAsk } from '../support/testing';
import { PIVS_MIB } from '../../src/snmp/oids';
import { snmpget, snmpwalk } from '../snmp/tools';

const VIP = '198.18.0.100';
const REALS = ['198.18.0.11', '198.18.0.12', '198.18.0.13'];
const COMMUNITY = 'lab-ro';
const USER = { name: 'labops', authKey: 'lab-auth-key', privKey: 'lab-priv-key' };
const AGENT = '127.0.0.1:1161';

/** pivsadm --stats rows: label, conns, inpkts, outpkts, inbytes, outbytes. */
function statsRows(text: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const m = /^(UDP|TCP|\s+->)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m !== null) rows.set(m[2]!, m.slice(3, 8).map(Number));
  }
  return rows;
}

describe('SNMP agent of a running pivsd', { timeout: 180_000 }, () => {
  const lab = useLab({
    beforePivsd: (t) => {
      const configFile = join(t.runDir, 'pivsd.yaml');
      writeFileSync(configFile, stringify({
        director: { interface: 'eth0', connTableSize: 4096 },
        virtualServices: [{
          protocol: 'udp', address: VIP, port: 53, scheduler: 'wrr',
          realServers: REALS.map((address, i) => ({ address, port: 53, weight: 3 - i })),
        }],
        snmp: { listen: AGENT, community: COMMUNITY, users: [USER] },
      }));
      return { configFile };
    },
  });

  it('serves the same connection and packet figures as pivsadm --stats', async () => {
    const { t, pivsd } = lab();
    await pivsd.waitReady();
    for (let i = 0; i < 6; i++) {
      const replies = await udpAsk(t, 53, 2, 8);
      assert.equal(replies.filter((r) => /^rs\d$/.test(r)).length, 2, replies.join(','));
    }
    const rows = statsRows(await pivsd.admOk(['-L', '-n', '--stats']));
    const service = rows.get(`${VIP}:53`);
    assert.deepEqual(service, [6, 12, 0, 432, 0]);

    // The agent caches for a second: take the walk after the traffic has settled.
    await new Promise((r) => setTimeout(r, 1100));
    const walked = new Map((await snmpwalk(['-v2c', '-c', COMMUNITY, AGENT, `${PIVS_MIB}.1`], t.director.ns))
      .map((p) => [p.oid, p.text]));
    const vs = `${PIVS_MIB}.1.2.1`;
    assert.equal(walked.get(`${vs}.4.1`), 'Hex-STRING: C6 12 00 64');
    assert.equal(walked.get(`${vs}.2.1`), 'INTEGER: 17');
    assert.deepEqual([8, 9, 10].map((c) => walked.get(`${vs}.${c}.1`)),
      [service![0], service![1], service![3]].map((n) => `Counter64: ${n}`));
    for (const [i, address] of REALS.entries()) {
      const row = rows.get(`${address}:53`)!;
      const rs = `${PIVS_MIB}.1.3.1`;
      const bytes = address.split('.').map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0')).join(' ');
      assert.equal(walked.get(`${rs}.3.1.${i + 1}`), `Hex-STRING: ${bytes}`);
      assert.equal(walked.get(`${rs}.5.1.${i + 1}`), `Gauge32: ${3 - i}`);
      assert.deepEqual([11, 12, 13].map((c) => walked.get(`${rs}.${c}.1.${i + 1}`)),
        [row[0], row[1], row[3]].map((n) => `Counter64: ${n}`), address);
    }
  });

  it('answers v3 authPriv and refuses a wrong key', async () => {
    const { t } = lab();
    const v3 = ['-v3', '-l', 'authPriv', '-u', USER.name, '-a', 'SHA', '-A', USER.authKey, '-x', 'AES'];
    const ok = await snmpget([...v3, '-X', USER.privKey, AGENT, `${PIVS_MIB}.1.1.2.0`], t.director.ns);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(ok.printed.map((p) => p.text), ['Gauge32: 1']);
    const bad = await snmpget([...v3, '-X', 'not-the-priv-key', AGENT, `${PIVS_MIB}.1.1.2.0`], t.director.ns);
    assert.notEqual(bad.code, 0);
  });
});
