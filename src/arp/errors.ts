/** A frame that cannot be what its headers claim; the service counts and drops it. */
export class MalformedPacketError extends Error {
  override readonly name = 'MalformedPacketError';
}

export function malformed(what: string): never {
  throw new MalformedPacketError(what);
}
