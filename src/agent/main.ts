#!/usr/bin/env node
// pivs-agent: wiring only. Settings, the node's BogoMIPS once, then one report per period.
import dgram from 'node:dgram';
import pino from 'pino';
import { readAgentFile, readProcFile } from '../config/agent';
import { familyOf } from '../config/address';
import { PIVS_VERSION } from '../control/list';
import { validateAgentConfig, type AgentConfig } from './config';
import { runHealthCheck } from './health';
import { parseBogoMips } from './proc';
import { Reporter } from './reporter';
import { parseAgentArgs } from './options';
import { startAgentLinks, type AgentLinks } from './links';

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function setUp(): { config: AgentConfig; bogoMips: number; logLevel: string; links: string[]; holdDownMs: number } {
  const opts = parseAgentArgs(process.argv.slice(2), PIVS_VERSION);
  const config = validateAgentConfig(readAgentFile(opts.config), opts.overrides);
  let bogoMips = config.bogoMips;
  if (bogoMips === null) {
    bogoMips = parseBogoMips(readProcFile(config.procRoot, 'cpuinfo'));
    if (bogoMips === null) {
      throw new Error(`${config.procRoot}/cpuinfo has no BogoMIPS line on this kernel; set bogoMips in the agent config`);
    }
  }
  return { config, bogoMips, logLevel: opts.logLevel, links: opts.links, holdDownMs: opts.holdDownMs };
}

function main(): void {
  let setup: ReturnType<typeof setUp>;
  try {
    setup = setUp();
  } catch (e) {
    process.stderr.write(`pivs-agent: ${firstLine(e)}\n`);
    process.exit(1);
  }
  const { config, bogoMips } = setup;
  const logger = pino({ level: setup.logLevel, base: { name: 'pivs-agent', pid: process.pid } });
  const sockets = { 4: dgram.createSocket('udp4'), 6: dgram.createSocket('udp6') };
  for (const s of Object.values(sockets)) s.on('error', (err) => logger.warn({ err }, 'report socket error'));
  const reporter = new Reporter(config, bogoMips, {
    readMeminfo: () => readProcFile(config.procRoot, 'meminfo'),
    runHealthCheck: () => runHealthCheck(config.healthCheck!),
    send: (message, director, port) => {
      sockets[familyOf(director) === 6 ? 6 : 4].send(message, port, director, (err) => {
        if (err) logger.warn({ err, director }, 'report not sent');
      });
    },
    now: () => Date.now(),
  });
  logger.info({ address: config.address, directors: config.directors, bogoMips, periodMs: config.periodMs }, 'pivs-agent started');
  let wasSending: boolean | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  const loop = async () => {
    // The period is timed on the monotonic clock: a wall clock set back must not silence the agent.
    const started = performance.now();
    try {
      const outcome = await reporter.tick();
      if (outcome.sent !== wasSending) {
        if (outcome.sent) logger.info({ loadIndex: outcome.loadIndex }, 'reporting');
        else logger.warn({ reason: outcome.reason }, 'not reporting');
        wasSending = outcome.sent;
      }
    } catch (e) {
      logger.error({ err: e }, 'report failed');
    }
    if (!stopping) timer = setTimeout(() => void loop(), Math.max(0, config.periodMs - (performance.now() - started)));
  };
  void loop();
  const links: Promise<AgentLinks | null> = setup.links.length > 1
    ? startAgentLinks(setup.links, setup.holdDownMs, config.directors, logger)
      .catch((e) => { logger.error({ err: firstLine(e) }, 'link redundancy could not start'); return null; })
    : Promise.resolve(null);
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (timer !== null) clearTimeout(timer);
    // The standby routes are removed before exit, so the server is left as its active link has it.
    links.then((l) => l?.stop())
      .catch((e) => logger.error({ err: firstLine(e) }, 'link redundancy did not stop cleanly'))
      .finally(() => {
        for (const s of Object.values(sockets)) s.close();
        process.exit(0);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
