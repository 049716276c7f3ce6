// Child process for ring.test.ts, run inside the director's namespace (packet sockets bind to
// interfaces of the namespace they are opened in). Reads commands on stdin: "stats" prints one
// JSON line, "quit" closes the dataplane and exits.
import readline from 'node:readline';
import { openDataplane } from '../../src/dataplane';

const [iface, vip, port, realIp, realMac] = process.argv.slice(2);
const dp = openDataplane({ interface: iface, workers: 2, connTableSize: 4096, mhTableSize: 65537 });
dp.apply([
  {
    protocol: 'tcp', address: vip, port: Number(port), scheduler: 'rr', schedFlags: [], sloppy: false,
    realServers: [{ address: realIp, port: Number(port), forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
  },
]);
dp.setNeighbour(realIp, realMac);
let arps = 0;
dp.onControlFrames((frames) => { arps += frames.filter((f) => f.readUInt16BE(12) === 0x0806).length; });
process.stdout.write(`ready ${dp.mac}\n`);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'stats') {
    process.stdout.write(`${JSON.stringify({ counters: dp.counters(), stats: dp.stats(), connections: dp.connections(), arps })}\n`);
  } else if (line === 'quit') {
    dp.close();
    process.exit(0);
  }
});
