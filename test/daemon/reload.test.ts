import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { loadConfigFile, parseConfig } from '../../src/config';
import { Director } from '../../src/control/director';
import { reloadConfig } from '../../src/daemon/reload';
import { FakeDataplane } from '../fakes/dataplane';

const CONFIG = `
director: { interface: eth0 }
virtualServices:
  - address: 192.0.2.10
    port: 80
    protocol: tcp
    scheduler: rr
    realServers:
      - { address: 10.0.0.1, port: 80 }
`;

const dir = mkdtempSync(join(tmpdir(), 'pivs-reload-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'pivs.yaml');

function director(): Director {
  return new Director({ config: parseConfig(CONFIG), dataplane: new FakeDataplane(), arp: { setAddresses: () => {} }, logger: pino({ level: 'silent' }) });
}

const refusals: [string, string, RegExp][] = [
  ['an empty file', '', /^config: the file is empty, so the reload is refused/],
  ['a file of comments only', '# being written\n\n', /^config: the file is empty/],
  ['a file cut in the middle of a flow mapping', CONFIG.slice(0, CONFIG.indexOf('port: 80 }')), /not valid YAML/],
];

for (const [what, text, message] of refusals) {
  test(`a reload of ${what} is refused in one sentence and the running table is kept`, () => {
    const d = director();
    writeFileSync(file, text);
    const outcome = reloadConfig(d, file, {}, pino({ level: 'silent' }));
    assert.equal(outcome.ok, false);
    const m = (outcome as { message: string }).message;
    assert.match(m, message);
    assert.equal(m.split('\n').length, 1);
    assert.equal(d.config.virtualServices.length, 1);
    assert.equal(d.config.virtualServices[0].realServers.length, 1);
  });
}

test('at start an empty file is an empty configuration; a reload saying virtualServices: [] empties the table', () => {
  writeFileSync(file, '');
  assert.equal(loadConfigFile(file, { interface: 'eth0' }).virtualServices.length, 0);
  const d = director();
  writeFileSync(file, 'director: { interface: eth0 }\nvirtualServices: []\n');
  assert.deepEqual(reloadConfig(d, file, {}, pino({ level: 'silent' })), { ok: true });
  assert.equal(d.config.virtualServices.length, 0);
});
