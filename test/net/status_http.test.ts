// The status server of a real pivsd in the lab: after real traffic, /status and /metrics show the
// same figures as pivsadm -L -n --stats, behind basic auth, on the director's own loopback.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { countsText, fetchNames, useLab } from '../support/testing';
import { statusSchema, type StatusDocument } from '../../src/status';
import { parsePromText, sampleKey } from '../status/prom_text';

const STATUS = 'http://127.0.0.1:8080';
const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(statusSchema);

interface StatsRow {
  conns: number;
  inPackets: number;
  inBytes: number;
}

/** "TCP  198.18.0.10:80  c ip op ib ob" and "  -> 198.18.1.11:80  c ip op ib ob" rows by address:port. */
function statsRows(out: string): Map<string, StatsRow> {
  const rows = new Map<string, StatsRow>();
  for (const line of out.split('\n')) {
    const m = /^(?:TCP|UDP|\s+->)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m !== null) rows.set(m[1], { conns: Number(m[2]), inPackets: Number(m[3]), inBytes: Number(m[5]) });
  }
  return rows;
}

describe('the status server of a running pivsd', { timeout: 180_000 }, () => {
  const lab = useLab({
    beforePivsd: (t) => {
      const file = join(t.runDir, 'status.yaml');
      writeFileSync(file, [
        'status:',
        '  listen: "127.0.0.1:8080"',
        '  auth: {basic: {user: ops, password: "lab-pass"}}',
        'virtualServices:',
        `  - {protocol: tcp, address: ${t.vip}, port: 80, scheduler: rr, realServers: [`,
        t.reals.map((r, i) => `      {address: ${r.address}, weight: ${i + 1}}`).join(',\n'),
        '    ]}',
        '',
      ].join('\n'));
      return { configFile: file };
    },
  });

  const curl = (args: string[]) => {
    const { t } = lab();
    return t.exec(t.director, 'curl', ['-sS', '--max-time', '5', ...args]);
  };

  it('carries 60 connections through the VIP first', async () => {
    const { t, pivsd } = lab();
    await pivsd.waitReady();
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}/`, 60)), 'rs1=20 rs2=20 rs3=20');
  });

  it('refuses /status without credentials and with wrong ones (401)', async () => {
    assert.equal(await curl(['-o', '/dev/null', '-w', '%{http_code}', `${STATUS}/status`]), '401');
    assert.equal(await curl(['-o', '/dev/null', '-w', '%{http_code}', '-u', 'ops:nope', `${STATUS}/status`]), '401');
    assert.equal(await curl(['-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', '-u', 'ops:lab-pass', `${STATUS}/status`]), '405');
  });

  it('/status follows the schema and its counters equal pivsadm -L -n --stats --exact', async () => {
    const { t, pivsd } = lab();
    const doc = JSON.parse(await curl(['-u', 'ops:lab-pass', `${STATUS}/status`])) as StatusDocument;
    const rows = statsRows(await pivsd.admOk(['-L', '-n', '--stats', '--exact']));
    assert.equal(validate(doc), true, JSON.stringify(validate.errors));
    assert.equal(doc.virtualServices.length, 1);
    const [vs] = doc.virtualServices;
    assert.deepStrictEqual(rows.get(`${t.vip}:80`), { conns: vs.stats.conns, inPackets: vs.stats.inPackets, inBytes: vs.stats.inBytes });
    assert.equal(vs.stats.conns, 60);
    assert.ok(vs.stats.inPackets >= 60 * 3, `at least 3 packets per connection, got ${vs.stats.inPackets}`);
    for (const r of vs.realServers) {
      assert.deepStrictEqual(rows.get(`${r.address}:80`), { conns: r.stats.conns, inPackets: r.stats.inPackets, inBytes: r.stats.inBytes });
      assert.equal(r.macResolved, true);
    }
    assert.deepStrictEqual(vs.realServers.map((r) => r.weight), [1, 2, 3].map((w) => ({ configured: w, effective: w })));
    assert.equal(vs.forwarding, true);
    assert.equal(doc.dataplane !== null && doc.dataplane.rxPackets >= vs.stats.inPackets, true);
  });

  it('/metrics serves the same counters as Prometheus series', async () => {
    const { t, pivsd } = lab();
    const { samples } = parsePromText(await curl(['-u', 'ops:lab-pass', `${STATUS}/metrics`]));
    const rows = statsRows(await pivsd.admOk(['-L', '-n', '--stats', '--exact']));
    const service = { protocol: 'tcp', address: t.vip, port: 80 };
    const vsRow = rows.get(`${t.vip}:80`);
    assert.equal(samples.get(sampleKey('pivs_virtual_service_connections_total', service)), vsRow?.conns);
    assert.equal(samples.get(sampleKey('pivs_virtual_service_packets_in_total', service)), vsRow?.inPackets);
    assert.equal(samples.get(sampleKey('pivs_virtual_service_bytes_in_total', service)), vsRow?.inBytes);
    for (const [i, r] of t.reals.entries()) {
      const labels = { ...service, real: r.address };
      assert.equal(samples.get(sampleKey('pivs_real_server_connections_total', labels)), rows.get(`${r.address}:80`)?.conns);
      assert.equal(samples.get(sampleKey('pivs_real_server_packets_in_total', labels)), rows.get(`${r.address}:80`)?.inPackets);
      assert.equal(samples.get(sampleKey('pivs_real_server_weight', labels)), i + 1);
    }
  });

  it('the dashboard page is served from the same pivsd', async () => {
    const page = await curl(['-u', 'ops:lab-pass', `${STATUS}/`]);
    assert.match(page, /<title>pivs<\/title>/);
    assert.match(page, /fetch\('status'/);
  });
});
