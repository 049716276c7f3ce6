// pivs-agent's link redundancy (docs/links.md): the same link service as the director's, without
// rings — the server's addresses and routes move to the next link (HAS's route-metric method).
import dgram from 'node:dgram';
import type { Logger } from 'pino';
import { ipRouteMover, startLinks, type LinkService } from '../link';

/** The discard port: the datagram only has to make the kernel resolve the director on the new link. */
const DISCARD_PORT = 9;

export function startAgentLinks(links: string[], holdDownMs: number, directors: readonly string[], logger: Logger): Promise<LinkService> {
  const nudge = dgram.createSocket('udp4');
  nudge.on('error', (err) => logger.debug({ err: err.message }, 'link nudge not sent'));
  return startLinks({
    links, holdDownMs, openedOn: links[0], logger, addresses: ipRouteMover,
    followers: [{
      // Directors learn this server's MAC on the new link from the ARP request the kernel
      // broadcasts there (sourced from our address) before anything else goes out: send one datagram.
      setInterface: () => {
        for (const d of directors) {
          if (!d.includes(':')) nudge.send(Buffer.alloc(0), DISCARD_PORT, d);
        }
      },
    }],
  });
}
