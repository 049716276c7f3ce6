// director.links (Ethernet redundancy, docs/links.md): the first link is the director's interface.
import { fail } from './errors';
import type { DirectorLink } from './model';

/** The dataplane's starting interface: `interface`, else the first link; the two must agree. */
export function linksInterface(given: string | undefined, links: readonly DirectorLink[] | undefined): string | undefined {
  if (links === undefined || links.length === 0) return given;
  const seen = new Set<string>();
  links.forEach((l, i) => {
    if (seen.has(l.interface)) fail(`director.links[${i}].interface`, `"${l.interface}" is listed twice; give each link once`);
    seen.add(l.interface);
  });
  const first = links[0].interface;
  if (given !== undefined && given !== first) {
    fail('director.interface', `is "${given}" but the first of director.links is "${first}"; make them the same or leave interface out`);
  }
  return first;
}
