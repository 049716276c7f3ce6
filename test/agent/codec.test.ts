import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReport, encodeReport, REPORT_LENGTH } from '../../src/agent/codec';

const KEY = '0123456789abcdef0123';
const REPORT = { address: '198.18.1.11', loadIndex: 1234.5, weight: 7, seq: 0x0102030405060708n, timeMs: 1700000000000 };
// Layout from src/agent/codec.ts; the MAC computed independently (Python hmac, SHA-256).
const FIXTURE = Buffer.from(
  '50564147' + '01' + '01' + '0007' + '0102030405060708' + '0000018bcfe56800' + '40934a0000000000'
  + '04' + '000000' + 'c612010b' + '00'.repeat(12)
  + '56a668a7c625cd7c36b00dee917940aec64b524e53c8cc411115ea4a418f2c37', 'hex');

describe('agent report codec', () => {
  it('encodes byte for byte', () => {
    const out = encodeReport(REPORT, KEY);
    assert.equal(out.length, REPORT_LENGTH);
    assert.equal(out.toString('hex'), FIXTURE.toString('hex'));
  });

  it('decodes the fixture', () => {
    assert.deepEqual(decodeReport(FIXTURE, KEY), { ok: true, report: REPORT });
  });

  it('leaves the weight out when the agent reports none (flag clear, field zero)', () => {
    const { weight: _w, ...noWeight } = REPORT;
    const out = encodeReport(noWeight, KEY);
    assert.equal(out[5], 0);
    assert.equal(out.readUInt16BE(6), 0);
    const back = decodeReport(out, KEY);
    assert.ok(back.ok);
    assert.equal(back.report.weight, undefined);
    assert.equal(back.report.loadIndex, 1234.5);
  });

  it('round-trips an IPv6 address', () => {
    const back = decodeReport(encodeReport({ ...REPORT, address: '2001:db8::b' }, KEY), KEY);
    assert.ok(back.ok);
    assert.equal(back.report.address, '2001:db8::b');
  });

  it('refuses a wrong key, an altered byte, a short datagram and another magic', () => {
    assert.deepEqual(decodeReport(FIXTURE, 'another-key-of-length'), { ok: false, reason: 'bad HMAC (wrong key or altered report)' });
    const altered = Buffer.from(FIXTURE);
    altered[27] ^= 1; // inside loadIndex
    assert.equal(decodeReport(altered, KEY).ok, false);
    assert.deepEqual(decodeReport(FIXTURE.subarray(0, 83), KEY), { ok: false, reason: 'length 83, not 84' });
    const other = Buffer.from(FIXTURE);
    other.write('XXXX', 0, 'ascii');
    assert.deepEqual(decodeReport(other, KEY), { ok: false, reason: 'not a pivs-agent report' });
  });

  it('refuses to encode what it could not decode', () => {
    assert.throws(() => encodeReport({ ...REPORT, loadIndex: -1 }, KEY), /load index must be a finite number >= 0/);
    assert.throws(() => encodeReport({ ...REPORT, weight: 70000 }, KEY), /weight must be an integer from 0 to 65535/);
    assert.throws(() => encodeReport({ ...REPORT, address: 'rs1' }, KEY), /is not an IPv4 or IPv6 address/);
  });
});
