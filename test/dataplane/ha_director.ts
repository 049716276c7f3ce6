// Child process for ha.test.ts, run inside the director's namespace (packet sockets bind to
// interfaces of the namespace they are opened in). Reads commands on stdin and answers one line
// each: "addmac M" / "delmac M" (ok | error ...), "stats" (JSON), "quit" (closes and exits).
import readline from 'node:readline';
import { openDataplane } from '../../src/dataplane';

const [iface, vip, realIp, realMac] = process.argv.slice(2);
const dp = openDataplane({ interface: iface, workers: 2, connTableSize: 4096, mhTableSize: 65537 });
dp.apply([
  {
    protocol: 'tcp', address: vip, port: 80, scheduler: 'rr', schedFlags: [], sloppy: false,
    realServers: [{ address: realIp, port: 80, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
  },
]);
dp.setNeighbour(realIp, realMac);
// Sync from the ring workers: messages are sealed by the flush timer thread, not by flushSync().
dp.configureSync({ syncId: 9, maxMessageSize: 1472, flushDelayMs: 20, threshold: 3, period: 50 });
const syncMessages: string[] = [];
dp.onSyncMessages((messages) => syncMessages.push(...messages.map((m) => m.toString('hex'))));
process.stdout.write(`ready ${dp.mac}\n`);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.split(' ');
  try {
    if (cmd === 'addmac') dp.addMacAddress(arg);
    else if (cmd === 'delmac') dp.removeMacAddress(arg);
    else if (cmd === 'stats') {
      process.stdout.write(`${JSON.stringify({ counters: dp.counters(), connections: dp.connections(), syncMessages })}\n`);
      return;
    } else if (cmd === 'quit') {
      dp.close();
      process.exit(0);
    }
    process.stdout.write('ok\n');
  } catch (e) {
    process.stdout.write(`error ${(e as Error).message}\n`);
  }
});
