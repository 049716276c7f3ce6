// docs/PIVS-MIB.txt must pass smilint at level 3 with nothing to report, and must name the same
// OIDs the agent serves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runAny } from '../../src/lab/exec';
import { ROOT } from '../../src/lab/pivsd';
import { PIVS_MIB } from '../../src/snmp/oids';

const MIB = join(ROOT, 'docs', 'PIVS-MIB.txt');
// SNMPv2-SMI/TC/CONF ship with net-snmp (npm); NET-SNMP-MIB with Debian's snmpd; the test's
// INET-ADDRESS-MIB stand-in comes last so a real one installed on the machine wins.
const SMIPATH = [
  join(ROOT, 'node_modules', 'net-snmp', 'lib', 'mibs'), '/usr/share/snmp/mibs', join(ROOT, 'test', 'snmp', 'mibs'),
].join(':');

describe('PIVS-MIB file', () => {
  it('passes smilint -l 3 with no errors or warnings', async () => {
    const r = await runAny('smilint', ['-l', '3', '-s', MIB], { env: { ...process.env, SMIPATH } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '');
  });

  it('smilint does report a broken copy (the check can fail)', async () => {
    const broken = join(ROOT, 'dist', 'test', 'snmp', 'PIVS-MIB.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(broken, readFileSync(MIB, 'utf8').replace('pivsLinkFailovers Counter32', 'pivsLinkFailovers Counter99'));
    const r = await runAny('smilint', ['-l', '3', '-s', broken], { env: { ...process.env, SMIPATH } });
    assert.match(`${r.stdout}${r.stderr}`, /unknown type `Counter99'/);
  });

  it('sits where the agent serves it: netSnmpPlaypen (8072.9999.9999) plus 7', () => {
    assert.match(readFileSync(MIB, 'utf8'), /::= \{ netSnmpPlaypen 7 \}/);
    assert.equal(PIVS_MIB, '1.3.6.1.4.1.8072.9999.9999.7');
  });
});
