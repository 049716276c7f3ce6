// docs/ha.md tells users to copy its two sample configs: they are loaded here exactly as pivsd
// loads a file, and checked to make one working pair (each director points at the other), so the
// page cannot drift from the config schema. The option names its prose mentions are checked
// against the schema too.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { loadConfigFile } from '../../src/config';
import { syncSchema } from '../../src/config/ha_section';
import type { Config } from '../../src/config/model';
import { vrrpSchema } from '../../src/config/vrrp_schema';

const HA_MD = join(__dirname, '..', '..', '..', 'docs', 'ha.md');
const text = readFileSync(HA_MD, 'utf8');

/** The first ```yaml block after `marker` in docs/ha.md. */
function yamlAfter(marker: string): string {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `docs/ha.md has no "${marker}"`);
  const m = /```yaml\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(m !== null, `docs/ha.md has no yaml block after "${marker}"`);
  return m[1];
}

/** The text of docs/ha.md from `start` to the end of its paragraph. */
function paragraph(start: string): string {
  const at = text.indexOf(start);
  assert.ok(at >= 0, `docs/ha.md has no "${start}"`);
  return text.slice(at, text.indexOf('\n\n', at));
}

function backticked(s: string): string[] {
  return [...s.matchAll(/`(\w+)`/g)].map((m) => m[1]);
}

/** RFC 5798 Master_Down_Interval of a backup, in ms. */
function masterDownMs(advertInt: number, priority: number): number {
  return 3 * advertInt * 1000 + ((256 - priority) * advertInt * 1000) / 256;
}

describe('docs/ha.md sample configs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pivs-ha-docs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const rawA = parse(yamlAfter('Director A (')) as Record<string, unknown>;
  // The page shows B as "the same file with these differences": whole top-level sections.
  const rawB = { ...rawA, ...(parse(yamlAfter('Director B:')) as Record<string, unknown>) };
  const load = (name: string, raw: object): Config => {
    const file = join(dir, name);
    writeFileSync(file, stringify(raw));
    return loadConfigFile(file);
  };
  const a = load('director-a.yaml', rawA);
  const b = load('director-b.yaml', rawB);

  it('both load as pivsd loads its file, with the HA sections present', () => {
    for (const c of [a, b]) {
      assert.ok(c.vrrp !== undefined && c.sync !== undefined && c.heartbeat !== undefined);
    }
    assert.deepEqual(b.virtualServices, a.virtualServices);
  });

  it('one VRRP instance pair: same VRID, version, interval and addresses; A is preferred', () => {
    const [ia, ib] = [a.vrrp?.instances[0], b.vrrp?.instances[0]];
    assert.ok(ia !== undefined && ib !== undefined);
    assert.deepEqual([ib.virtualRouterId, ib.version, ib.advertInt, ib.virtualAddresses], [ia.virtualRouterId, ia.version, ia.advertInt, ia.virtualAddresses]);
    assert.ok(ia.priority > ib.priority, `A ${ia.priority}, B ${ib.priority}`);
    for (const s of a.virtualServices) assert.ok(ia.virtualAddresses.includes(s.address), `${s.address} is in no VRRP instance`);
    // The comment naming the virtual MAC, and the worked Master_Down_Interval in the text.
    const vmac = `00:00:5e:00:01:${ia.virtualRouterId.toString(16).padStart(2, '0')}`;
    assert.match(text, new RegExp(`virtualRouterId: ${ia.virtualRouterId} +# same on both; virtual MAC ${vmac}`));
    const mdi = Math.round(masterDownMs(ib.advertInt, ib.priority));
    assert.match(text, new RegExp(`\\(${mdi} ms for B at priority ${ib.priority} and\\s+advertInt ${ib.advertInt}\\)`));
  });

  it('sync: each director sends to the other\'s address, with the same key', () => {
    const [sa, sb] = [a.sync, b.sync];
    assert.ok(sa !== undefined && sb !== undefined);
    assert.deepEqual([sa.transport, sb.transport], ['unicast', 'unicast']);
    assert.deepEqual(sa.peers, [sb.localAddress]);
    assert.deepEqual(sb.peers, [sa.localAddress]);
    assert.ok(sa.auth !== null && sb.auth !== null);
    assert.equal(sa.auth.key, sb.auth.key);
  });

  it('heartbeat: each knows the other by its director name and link addresses, same key, dead before Master_Down', () => {
    const [ha, hb] = [a.heartbeat, b.heartbeat];
    assert.ok(ha !== undefined && hb !== undefined);
    assert.notEqual(a.director.name, b.director.name);
    assert.equal(ha.key, hb.key);
    assert.deepEqual(ha.links.map((l) => l.name), hb.links.map((l) => l.name));
    assert.deepEqual(ha.peers, [{ name: b.director.name, addresses: hb.links.map((l) => l.localAddress) }]);
    assert.deepEqual(hb.peers, [{ name: a.director.name, addresses: ha.links.map((l) => l.localAddress) }]);
    const ib = b.vrrp?.instances[0];
    assert.ok(ib !== undefined);
    assert.ok(hb.intervalMs * hb.deadIntervals < masterDownMs(ib.advertInt, ib.priority),
      `B's heartbeat dead time ${hb.intervalMs * hb.deadIntervals} ms would delay its takeover`);
  });

  it('the option names the page mentions are the schema\'s', () => {
    const instanceFields = Object.keys(vrrpSchema.properties.instances.items.properties);
    const vrrpFields = [...instanceFields, ...Object.keys(vrrpSchema.properties)];
    const syncFields = Object.keys(syncSchema.properties);
    // "The other `vrrp` settings (`garp`, ...) and `sync` settings (`syncId`, ...) are described ..."
    const [vrrpPart, syncPart] = paragraph('The other `vrrp` settings').split('and `sync` settings');
    const vrrpOnly = backticked(vrrpPart).filter((n) => n !== 'vrrp');
    const syncNamed = backticked(syncPart.slice(0, syncPart.indexOf(')')));
    assert.ok(vrrpOnly.length >= 5 && syncNamed.length >= 5, `read ${vrrpOnly.join(' ')} / ${syncNamed.join(' ')}`);
    assert.deepEqual(vrrpOnly.filter((n) => !vrrpFields.includes(n)), []);
    assert.deepEqual(syncNamed.filter((n) => !syncFields.includes(n)), []);
    // keepalived.conf keyword -> pivsd field, as the interop section maps them.
    const mapped = [...paragraph('Map keepalived.conf').matchAll(/->\s+`(\w+)/g)].map((m) => m[1]);
    assert.ok(mapped.length >= 10, `read ${mapped.join(' ')}`);
    assert.deepEqual(mapped.filter((n) => !instanceFields.includes(n)), []);
  });
});
