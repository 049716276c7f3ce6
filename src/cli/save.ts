// -S: the table as ipvsadm's save format (list_all with FMT_RULE), loadable by both -R's.
import type { ListResult, VirtualServiceState } from '../control/protocol';
import { formatAddressPort } from './address';
import { nonDefaultMask, sortedReals, sortedServices } from './labels';
import type { Names } from './names';

function serviceRule(vs: VirtualServiceState, names: Names): string {
  return `${vs.protocol === 'tcp' ? '-t' : '-u'} ${formatAddressPort(vs.address, vs.port, vs.protocol, names)}`;
}

export function saveText(list: ListResult, names: Names): string {
  const lines: string[] = [];
  for (const vs of sortedServices(list.virtualServices, false)) {
    const svc = serviceRule(vs, names);
    let line = `-A ${svc} -s ${vs.scheduler}`;
    if (vs.persistence) {
      line += ` -p ${vs.persistence.timeout}`;
      const mask = nonDefaultMask(vs);
      if (mask !== undefined) line += ` -M ${mask}`;
    }
    if (vs.schedFlags.length > 0) line += ` -b ${vs.schedFlags.join(',')}`;
    // pivs's own flag: written only when set, so ordinary services stay loadable by ipvsadm.
    if (vs.sloppy) line += ' --sloppy';
    lines.push(line);
    // The configured table: health checks and agents change what runs, not what is saved.
    for (const real of sortedReals(vs.realServers.filter((r) => r.fallback !== true), false)) {
      const weight = real.configuredWeight ?? real.weight;
      let r = `-a ${svc} -r ${formatAddressPort(real.address, real.port, vs.protocol, names)} -g -w ${weight}`;
      // ipvsadm -S drops thresholds; pivs keeps them so a save/restore round trip loses nothing.
      if (real.upperThreshold > 0) r += ` -x ${real.upperThreshold}`;
      if (real.lowerThreshold > 0) r += ` -y ${real.lowerThreshold}`;
      lines.push(r);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}
