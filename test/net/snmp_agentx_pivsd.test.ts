// A running pivsd as an AgentX subagent of a real snmpd in the director's namespace: what a manager
// walks through snmpd equals what `pivsadm -L -n --stats --exact` prints.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { waitFor } from '../../src/lab/exec';
import { fetchNames, udpAsk, useLab } from '../support/testing';
import { PIVS_MIB } from '../../src/snmp/oids';
import type { Daemon } from '../snmp/tools';
import { snmpwalk, type Printed } from '../snmp/tools';
import { agentxSocketOf, startMasterAgentIn } from './snmp_netns';

const VIP = '198.18.0.100';
const REALS = ['198.18.0.11', '198.18.0.12', '198.18.0.13'];
const COMMUNITY = 'lab-agentx-ro';
// snmpd's own port inside the director's fresh namespace, where nothing else listens.
const MASTER = '127.0.0.1:1161';

/** pivsadm --stats rows by label: conns, inpkts, outpkts, inbytes, outbytes. */
function statsRows(text: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  let service = '';
  for (const line of text.split('\n')) {
    const m = /^(UDP|TCP|\s+->)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m === null) continue;
    // A real server can serve several services: key it by its service too.
    if (m[1] !== undefined && !m[1].includes('->')) service = `${m[1]} ${m[2]!}`;
    rows.set(m[1]!.includes('->') ? `${service} -> ${m[2]!}` : service, m.slice(3, 8).map(Number));
  }
  return rows;
}

function hexAddress(address: string): string {
  return `Hex-STRING: ${address.split('.').map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0')).join(' ')}`;
}

/** The index (as an OID suffix) of the row whose columns have the given printed values. */
function rowIndex(walked: Map<string, string>, table: string, columns: Record<number, string>): string {
  const [first, ...rest] = Object.entries(columns);
  for (const [oid, text] of walked) {
    const prefix = `${table}.${first![0]}.`;
    if (!oid.startsWith(prefix) || text !== first![1]) continue;
    const index = oid.slice(prefix.length);
    if (rest.every(([c, v]) => walked.get(`${table}.${c}.${index}`) === v)) return index;
  }
  throw new Error(`no row of ${table} has ${JSON.stringify(columns)}`);
}

describe('pivsd as an AgentX subagent of a running snmpd', { timeout: 180_000 }, () => {
  let snmpd: Daemon | undefined;
  after(async () => { await snmpd?.stop(); });
  const lab = useLab({
    beforePivsd: (t) => {
      snmpd = startMasterAgentIn(t.director.ns, Number(MASTER.split(':')[1]), COMMUNITY);
      const configFile = join(t.runDir, 'pivsd.yaml');
      writeFileSync(configFile, stringify({
        director: { interface: 'eth0' },
        virtualServices: [
          {
            protocol: 'udp', address: VIP, port: 53, scheduler: 'wrr',
            realServers: REALS.map((address, i) => ({ address, port: 53, weight: 3 - i })),
          },
          { protocol: 'tcp', address: VIP, port: 80, scheduler: 'rr', realServers: REALS.map((address) => ({ address, port: 80 })) },
        ],
        snmp: { agentx: { socket: agentxSocketOf(snmpd.dir) } },
      }));
      return { configFile };
    },
  });

  const walk = async (): Promise<Map<string, string>> => {
    const printed: Printed[] = await snmpwalk(['-v2c', '-c', COMMUNITY, MASTER, `${PIVS_MIB}.1`], lab().t.director.ns);
    return new Map(printed.map((p) => [p.oid, p.text]));
  };

  it('serves, through snmpd, the figures pivsadm --stats --exact prints', async () => {
    const { t, pivsd } = lab();
    await pivsd.waitReady();
    // snmpd creates the socket once up; pivsd retries until then and registers its subtrees.
    await waitFor('snmpd to serve the PIVS-MIB of pivsd', async () => {
      if (!existsSync(agentxSocketOf(snmpd!.dir))) return undefined;
      const w = await walk().catch(() => new Map<string, string>());
      return w.get(`${PIVS_MIB}.1.1.2.0`) === 'Gauge32: 2' ? true : undefined;
    }, 100, 200).catch((e: Error) => { throw new Error(`${e.message}\nsnmpd: ${snmpd!.log()}\npivsd: ${pivsd.log().slice(-2000)}`); });

    for (let i = 0; i < 5; i++) {
      const replies = await udpAsk(t, 53, 3, 20);
      assert.equal(replies.filter((r) => /^rs\d$/.test(r)).length, 3, replies.join(','));
    }
    const answers = await fetchNames(t, `http://${VIP}/`, 7);
    assert.equal(answers.get('(failed)'), undefined, [...answers].join(' '));

    const rows = statsRows(await pivsd.admOk(['-L', '-n', '--stats', '--exact']));
    assert.deepEqual(rows.get(`UDP ${VIP}:53`)?.slice(0, 2), [5, 15]);
    assert.equal(rows.get(`TCP ${VIP}:80`)?.[0], 7);

    // The subagent serves one reading for up to a second: walk once the reading taken before the traffic has expired.
    await new Promise((r) => setTimeout(r, 1100));
    const walked = await walk();
    const vs = `${PIVS_MIB}.1.2.1`;
    const rs = `${PIVS_MIB}.1.3.1`;
    for (const [protocol, number, port] of [['UDP', 17, 53], ['TCP', 6, 80]] as const) {
      const s = rowIndex(walked, vs, { 2: `INTEGER: ${number}`, 4: hexAddress(VIP), 5: `Gauge32: ${port}` });
      const service = rows.get(`${protocol} ${VIP}:${port}`)!;
      assert.deepEqual([8, 9, 11, 10, 12].map((c) => walked.get(`${vs}.${c}.${s}`)),
        service.map((n) => `Counter64: ${n}`), `${protocol} ${VIP}:${port}`);
      for (const address of REALS) {
        const r = rowIndex(walked, rs, { 3: hexAddress(address), 4: `Gauge32: ${port}` });
        assert.ok(r.startsWith(`${s}.`), `real server ${address}:${port} is under service ${s}, not ${r}`);
        const real = rows.get(`${protocol} ${VIP}:${port} -> ${address}:${port}`)!;
        assert.deepEqual([11, 12, 13].map((c) => walked.get(`${rs}.${c}.${r}`)),
          [real[0], real[1], real[3]].map((n) => `Counter64: ${n}`), `${address}:${port}`);
      }
    }
    // The weights a manager sees are the configured ones.
    assert.deepEqual(REALS.map((a) => walked.get(`${rs}.5.${rowIndex(walked, rs, { 3: hexAddress(a), 4: 'Gauge32: 53' })}`)),
      ['Gauge32: 3', 'Gauge32: 2', 'Gauge32: 1']);
  });
});
