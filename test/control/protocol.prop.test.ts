// Properties of the control-socket protocol (protocol.ts): newline-delimited JSON framed by
// server.ts and client.ts, requests parsed by dispatch.ts and state.ts. Round trip through the
// real socket framing, hostile lines and request objects, and stability of the JSON encoding.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseConfig } from '../../src/config';
import { SCHEDULERS, SCHED_FLAGS } from '../../src/config/model';
import { ControlError, ProtocolError, request as clientRequest } from '../../src/control/client';
import { Director } from '../../src/control/director';
import { handleRequest } from '../../src/control/dispatch';
import type { Command, ErrorCode, PagedResponse, Request, Response } from '../../src/control/protocol';
import { startControlServer, type ControlServer } from '../../src/control/server';
import { FakeDataplane } from '../fakes/dataplane';
import { ipv4, ipv6 } from '../arp/hostile';
import { FakeArp, exchangePieces, quietLogger } from './helpers';

const CONFIG = `
director: {interface: eth0}
virtualServices:
  - protocol: tcp
    address: 198.18.0.10
    port: 80
    realServers: [{address: 198.18.1.1, weight: 2}, {address: 198.18.1.2}]
`;
/** Socket round trips are slower than byte codecs: fewer runs keep the file near 2 s. */
const SOCKET_RUNS = { numRuns: 60 };
const RUNS = { numRuns: 500 };
const ERROR_CODES = new Set<ErrorCode>(['ServiceExists', 'NoService', 'RealExists', 'NoReal', 'Invalid', 'Internal']);

const newDirector = () => new Director({ config: parseConfig(CONFIG), dataplane: new FakeDataplane(), arp: new FakeArp(), logger: quietLogger() });

// Typed requests, within the ranges the protocol's types allow (validation may still refuse them).
const address = fc.oneof(ipv4, ipv6, fc.constantFrom('198.18.0.10', '198.18.1.1', '198.18.1.3'));
const key = fc.record({ protocol: fc.constantFrom('tcp' as const, 'udp' as const), address, port: fc.oneof(fc.constant(80), fc.integer({ min: 0, max: 65535 })) }, { noNullPrototype: true });
const service = fc.record({
  protocol: fc.constantFrom('tcp' as const, 'udp' as const), address, port: fc.integer({ min: 0, max: 65535 }),
  scheduler: fc.constantFrom(...SCHEDULERS), schedFlags: fc.subarray([...SCHED_FLAGS]), sloppy: fc.boolean(),
  persistence: fc.record({ timeout: fc.integer({ min: 1, max: 3600 }), netmask: fc.constant('255.255.255.255') }, { noNullPrototype: true }),
}, { requiredKeys: ['protocol', 'address', 'port', 'scheduler', 'schedFlags', 'sloppy'], noNullPrototype: true });
const real = fc.record({
  address, port: fc.integer({ min: 0, max: 65535 }), forward: fc.constant('dr' as const), weight: fc.integer({ min: 0, max: 65535 }),
  upperThreshold: fc.nat(1000), lowerThreshold: fc.nat(1000),
}, { noNullPrototype: true });
const command: fc.Arbitrary<Command> = fc.oneof(
  service.map((s): Command => ({ method: 'addService', params: { service: s } })),
  service.map((s): Command => ({ method: 'editService', params: { service: s } })),
  key.map((k): Command => ({ method: 'deleteService', params: { key: k } })),
  fc.constant<Command>({ method: 'clear' }),
  fc.tuple(key, real).map(([k, r]): Command => ({ method: 'addReal', params: { key: k, real: r } })),
  fc.tuple(key, real).map(([k, r]): Command => ({ method: 'editReal', params: { key: k, real: r } })),
  fc.tuple(key, address, fc.integer({ min: 0, max: 65535 })).map(([k, a, port]): Command => ({ method: 'deleteReal', params: { key: k, address: a, port } })),
  fc.option(key, { nil: undefined }).map((k): Command => ({ method: 'zero', params: k === undefined ? {} : { key: k } })),
  fc.record({ tcp: fc.nat(1000), tcpfin: fc.nat(1000), udp: fc.nat(1000) }, { noNullPrototype: true }).map((t): Command => ({ method: 'setTimeouts', params: t })),
);
const requestBody = fc.oneof(
  command,
  fc.constantFrom({ method: 'list' as const }, { method: 'connections' as const }, { method: 'timeouts' as const }),
  fc.array(command, { maxLength: 4 }).map((commands) => ({ method: 'batch' as const, params: { commands } })),
);
const typedRequest: fc.Arbitrary<Request> = fc.tuple(requestBody, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }))
  .map(([body, id]) => ({ ...body, id }) as Request);

/** Text that strains the UTF-8 framing: multi-byte and astral characters, lone surrogates, controls, quotes. */
const text = fc.string({ unit: 'binary', maxLength: 20 });
/** Typed requests carrying odd text in an extra field: the framing must not care. */
const requestWithText = fc.tuple(typedRequest, text).map(([r, note]) => ({ ...r, note }));

// Hostile request objects: the right shape with wrong parts, and anything JSON can say.
const method = fc.oneof(
  fc.constantFrom('addService', 'editService', 'deleteService', 'clear', 'addReal', 'editReal', 'deleteReal', 'zero', 'setTimeouts', 'list', 'connections', 'timeouts', 'batch', 'links'),
  fc.string(),
);
const anyJson = fc.jsonValue({ maxDepth: 4 });
const hostileParams = fc.oneof(anyJson, fc.dictionary(fc.constantFrom('service', 'key', 'real', 'address', 'port', 'commands', 'tcp', 'udp', 'tcpfin'), fc.oneof(anyJson, service, key, real, fc.array(fc.oneof(command, anyJson), { maxLength: 3 })), { noNullPrototype: true }));
const hostileRequest = fc.oneof(
  anyJson,
  fc.record({ id: fc.oneof(fc.integer(), anyJson), method: fc.oneof(method, anyJson), params: hostileParams }, { requiredKeys: [], noNullPrototype: true }),
  typedRequest.chain((r) => hostileParams.map((params) => ({ ...r, params }))),
  typedRequest,
);

/** One Response: an id and a result, or an id and an error the protocol names, never an internal failure. */
function assertResponse(r: Response): void {
  assert.equal(typeof r.id, 'number');
  if ('error' in r) {
    assert.ok(ERROR_CODES.has(r.error.code), `code ${String(r.error.code)}`);
    assert.notEqual(r.error.code, 'Internal', `an internal failure: ${r.error.message}`);
    assert.ok(typeof r.error.message === 'string' && r.error.message !== '');
  } else {
    assert.ok('result' in r);
  }
}

/** A paged answer as one Response: its pages joined into the result, as a client sees the listing. */
function settled(r: Response | PagedResponse): Response {
  if (!('pages' in r)) return r;
  const entries = [];
  for (let p = r.pages.next(); !p.done; p = r.pages.next()) entries.push(...p.value);
  return { id: r.id, result: entries };
}

/** Writes `text` in pieces cut at `cuts` (byte offsets, so inside characters too), then reads `count` lines. */
function sendInPieces(path: string, text: string, cuts: number[], count: number): Promise<Response[]> {
  const bytes = Buffer.from(text, 'utf8');
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces = [0, ...at].map((start, i, all) => bytes.subarray(start, all[i + 1] ?? bytes.length)).filter((p) => p.length > 0);
  return exchangePieces(path, pieces, count);
}

let dir: string;
let echoServer: ControlServer;
let realServer: ControlServer;
let director: Director;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pivs-protocol-'));
  // The echo handler hands back the request as parsed: the framing round trip, end to end.
  echoServer = await startControlServer({
    path: join(dir, 'echo.sock'), logger: quietLogger(),
    handle: (r) => ({ id: (r as { id: number }).id, result: r }),
  });
  director = newDirector();
  realServer = await startControlServer({ path: join(dir, 'pivsd.sock'), logger: quietLogger(), handle: (r) => handleRequest(director, r) });
});
after(async () => {
  director.close();
  await echoServer.close();
  await realServer.close();
  rmSync(dir, { recursive: true, force: true });
});

test('framing: requests written in any pieces arrive whole and in order (decode(encode(r)) = r)', async () => {
  await fc.assert(fc.asyncProperty(fc.array(requestWithText, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), async (requests, cuts) => {
    const lines = requests.map((r) => `${JSON.stringify(r)}\n`).join('');
    const responses = await sendInPieces(echoServer.path, lines, cuts, requests.length);
    assert.deepEqual(responses, requests.map((r) => ({ id: r.id, result: r })));
  }), SOCKET_RUNS);
});

test('framing: any bytes get one well-formed response per non-empty line, and the connection stays usable', async () => {
  const line = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString('latin1')),
    text, anyJson.map((v) => JSON.stringify(v)), hostileRequest.map((v) => JSON.stringify(v)),
  ).map((l) => l.replace(/\n/g, ''));
  await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), async (lines, cuts) => {
    const answered = lines.filter((l) => Buffer.from(l, 'utf8').toString('utf8').trim() !== '');
    const probe = { id: 424242, method: 'timeouts' };
    const responses = await sendInPieces(realServer.path, [...lines, JSON.stringify(probe)].map((l) => `${l}\n`).join(''), cuts, answered.length + 1);
    assert.equal(responses.length, answered.length + 1);
    responses.forEach(assertResponse);
    assert.equal(responses.at(-1)?.id, 424242);
    assert.ok(responses.at(-1) && 'result' in responses.at(-1)!);
  }), SOCKET_RUNS);
});

test('parsing: handleRequest answers any request object with a Response, never an internal failure', () => {
  const d = newDirector();
  try {
    fc.assert(fc.property(hostileRequest, (r) => {
      assertResponse(settled(handleRequest(d, r)));
    }), RUNS);
  } finally {
    d.close();
  }
});

test('stability: a request re-encoded from its parsed JSON gets the same response, which survives its own encoding', () => {
  // Two directors fed the same requests stay in step, so their answers must match one for one.
  const a = newDirector();
  const b = newDirector();
  try {
    fc.assert(fc.property(hostileRequest, (r) => {
      const once = JSON.parse(JSON.stringify(r)) as unknown;
      const twice = JSON.parse(JSON.stringify(once)) as unknown;
      assert.deepEqual(twice, once);
      const response = settled(handleRequest(a, once));
      assert.deepEqual(settled(handleRequest(b, twice)), response);
      assert.deepEqual(JSON.parse(JSON.stringify(response)), response, 'the response is plain JSON (no undefined, NaN or class instances)');
    }), RUNS);
  } finally {
    a.close();
    b.close();
  }
});

test('client: any reply line resolves or rejects with ControlError/ProtocolError, never throws', async () => {
  const reply = fc.oneof(
    fc.constantFrom('null', '[]', '7', '"x"', '{}', '{"id":0}'),
    fc.record({ result: anyJson, error: fc.oneof(anyJson, fc.record({ code: fc.constantFrom(...ERROR_CODES), message: fc.string({ minLength: 1 }) }, { noNullPrototype: true })) }, { requiredKeys: [], noNullPrototype: true })
      .map((body) => ({ ...body, id: 'ID' })).map((v) => JSON.stringify(v)),
    anyJson.map((v) => JSON.stringify(v)),
  );
  await fc.assert(fc.asyncProperty(reply, async (line) => {
    const outcome = await withReplies(line);
    if (outcome instanceof Error) {
      assert.ok(outcome instanceof ControlError || outcome instanceof ProtocolError, `${outcome.name}: ${outcome.message}`);
      assert.notEqual(outcome.message, '', 'a refusal says why');
    }
  }), { numRuns: 40 });
});

/** One client request against a server that answers `line` (with "ID" replaced by the request's id). */
async function withReplies(line: string): Promise<unknown> {
  const path = join(dir, 'replies.sock');
  const server: Server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.once('data', (chunk: string) => {
      const id = (JSON.parse(chunk.split('\n')[0]) as { id: number }).id;
      socket.end(`${line.replace('"ID"', String(id))}\n`);
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  const uncaught: Error[] = [];
  const onUncaught = (e: Error) => { uncaught.push(e); };
  process.prependListener('uncaughtException', onUncaught);
  try {
    const outcome = await clientRequest(path, { method: 'timeouts' }, { timeoutMs: 300 }).then((v) => v, (e: unknown) => e);
    assert.deepEqual(uncaught.map((e) => `${e.name}: ${e.message}`), [], 'the client threw in its socket handler');
    return outcome;
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    await new Promise<void>((r) => server.close(() => r()));
  }
}
