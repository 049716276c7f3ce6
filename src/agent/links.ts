// pivs-agent's link redundancy (docs/links.md): the same link service as the director's, without
// rings — the server's addresses move to the next link and its routes, pre-installed on every link
// at a higher metric, change metrics (HAS's route-metric method, src/link/routes.ts).
import dgram from 'node:dgram';
import type { Logger } from 'pino';
import { RouteMetricMover, startLinks, type LinkService } from '../link';

/** The discard port: the datagram only has to make the kernel resolve the director on the new link. */
const DISCARD_PORT = 9;

export interface AgentLinks extends LinkService {
  /** Stops watching, then removes the standby routes and restores the sysctls (the active link keeps its routes). */
  stop(): Promise<void>;
}

export async function startAgentLinks(links: string[], holdDownMs: number, directors: readonly string[], logger: Logger): Promise<AgentLinks> {
  const log = logger.child({ module: 'link' });
  // Before the link service starts: if the primary is down it switches at once, onto the standbys.
  const { mover, errors } = await RouteMetricMover.install(links);
  if (errors.length > 0) log.warn({ errors }, 'some standby routes could not be installed');
  log.info({ routes: mover.routes.length, links }, 'standby routes installed');
  const nudge = dgram.createSocket('udp4');
  nudge.on('error', (err) => logger.debug({ err: err.message }, 'link nudge not sent'));
  let service: LinkService;
  try {
    service = await startLinks({
      links, holdDownMs, openedOn: links[0], logger, addresses: mover,
      followers: [{
        // Directors follow this server to its MAC on the new link from the ARP request the kernel
        // broadcasts there before anything else goes out: send one datagram, once our address is
        // there (before, the request would be sourced from another address, the VIP on lo).
        addressesMoved: () => {
          for (const d of directors) {
            if (!d.includes(':')) nudge.send(Buffer.alloc(0), DISCARD_PORT, d);
          }
        },
      }],
    });
  } catch (err) {
    await mover.close();
    nudge.close();
    throw err;
  }
  return {
    ...service,
    async stop() {
      service.close();
      const left = await mover.close();
      if (left.length > 0) log.warn({ errors: left }, 'some standby routes could not be removed');
      log.info({ active: mover.activeLink() }, 'standby routes removed; the active link keeps the routes');
      nudge.close();
    },
  };
}
