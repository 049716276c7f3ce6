import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downSteps, parseRealServerFile, sysctlPath, upSteps } from '../../src/appliance/realserver';

test('realserver.yaml gives host routes for each virtual address', () => {
  assert.deepEqual(parseRealServerFile('virtualAddresses: [198.18.0.10, "2001:db8::10"]\n'), ['198.18.0.10/32', '2001:db8::10/128']);
  assert.throws(() => parseRealServerFile('virtualAddresses: []\n'), { message: 'realserver.yaml: virtualAddresses: must list at least one virtual address' });
});

test('up: arp_ignore=1 and arp_announce=2 before any address goes on lo', () => {
  const steps = upSteps(['198.18.0.10/32', '2001:db8::10/128']);
  assert.deepEqual(steps.slice(0, 4).map((s) => `${s.sysctl?.key}=${s.sysctl?.value}`), [
    'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2',
    'net.ipv4.conf.lo.arp_ignore=1', 'net.ipv4.conf.lo.arp_announce=2']);
  assert.deepEqual(steps.slice(4).map((s) => s.argv?.join(' ')), [
    'ip addr replace 198.18.0.10/32 dev lo', 'ip -6 addr replace 2001:db8::10/128 dev lo nodad']);
  assert.deepEqual(downSteps(['198.18.0.10/32']), [{ argv: ['ip', 'addr', 'del', '198.18.0.10/32', 'dev', 'lo'], mayFail: true }]);
  assert.equal(sysctlPath('net.ipv4.conf.all.arp_ignore'), '/proc/sys/net/ipv4/conf/all/arp_ignore');
});
