// Runs every bench in turn and prints their tables: `npm run bench` (root; builds its own LANs).
import { runBackgroundBench } from './background';
import { runControlBatchBench } from './control_batch';
import { runDataplaneBench } from './dataplane';
import { runFailoverBench } from './failover';
import { runLinkFailoverBench } from './link_failover';
import { runPacketMicroBench } from './packet_micro';

const BENCHES: Array<[string, () => Promise<string>]> = [
  ['dataplane', runDataplaneBench],
  ['packet-micro', runPacketMicroBench],
  ['failover', runFailoverBench],
  ['link-failover', runLinkFailoverBench],
  ['background', runBackgroundBench],
  ['control-batch', runControlBatchBench],
];

async function main(): Promise<void> {
  let failed = false;
  for (const [name, bench] of BENCHES) {
    const started = Date.now();
    try {
      const table = await bench();
      process.stdout.write(`== ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)\n${table}\n\n`);
    } catch (e) {
      failed = true;
      process.stdout.write(`== ${name}: failed: ${(e as Error).message}\n\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
