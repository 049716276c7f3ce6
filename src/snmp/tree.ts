// Turns values into what net-snmp serves. Each served module root is registered as one read-only
// "scalar" provider and every value is hung below it as a plain instance node: net-snmp's own
// table machinery wants rows added and deleted one by one, while pivs rebuilds the whole tree
// from a fresh snapshot (cheap at appliance sizes, and never half-updated).
import * as snmp from 'net-snmp';
import type { SmiType, Value } from './values';

/**
 * How a transport wants a Counter64: the BER encoder (agent, traps) writes a Buffer as the
 * integer's bytes; the AgentX encoder converts with BigInt().
 */
export type Encoding = 'ber' | 'agentx';

const TYPE: Record<SmiType, number> = {
  Integer: snmp.ObjectType.Integer,
  OctetString: snmp.ObjectType.OctetString,
  Gauge: snmp.ObjectType.Gauge,
  Counter: snmp.ObjectType.Counter,
  Counter64: snmp.ObjectType.Counter64,
  TimeTicks: snmp.ObjectType.TimeTicks,
};

export function toVarbind(v: Value, encoding: Encoding): snmp.Varbind {
  let value: unknown = v.value;
  if (v.type === 'Counter64') value = encoding === 'ber' ? berUnsigned(v.value as bigint) : v.value;
  return { oid: v.oid, type: TYPE[v.type], value };
}

/** The shortest two's-complement big-endian bytes of a non-negative integer, as BER wants. */
export function berUnsigned(n: bigint): Buffer {
  const bytes: number[] = [];
  let rest = n;
  do {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  } while (rest > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return Buffer.from(bytes);
}

export function providerFor(root: string): snmp.ProviderDefinition {
  return {
    name: root,
    type: snmp.MibProviderType.Scalar,
    oid: root,
    scalarType: snmp.ObjectType.Null,
    maxAccess: snmp.MaxAccess['read-only'],
  };
}

/** A fresh Mib holding `values`, each of which must lie below one of `roots`. */
export function buildMib(roots: readonly string[], values: readonly Value[], encoding: Encoding): snmp.Mib {
  const mib = snmp.createMib();
  for (const root of roots) {
    const provider = providerFor(root);
    mib.registerProvider(provider);
    mib.addProviderToNode(provider);
  }
  for (const v of values) {
    if (!roots.some((r) => v.oid.startsWith(`${r}.`))) throw new Error(`${v.oid} lies outside the served subtrees`);
    const node = mib.addNodesForOid(v.oid);
    const vb = toVarbind(v, encoding);
    node.valueType = vb.type;
    node.value = vb.value;
  }
  return mib;
}
