// -h text: ipvsadm's usage layout, listing only what pivs does.
import { SCHEDULERS } from '../config/model';
import { DEFAULT_SOCKET, SOCKET_ENV } from '../control/protocol';

export function usage(program: string, version: string): string {
  const p = program;
  return `${versionLine(version)}
Usage:
  ${p} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [-b sched-flags]
  ${p} -D virtual-service
  ${p} -C
  ${p} -R
  ${p} -S [-n]
  ${p} -a|e virtual-service -r server-address [-g] [-w weight] [-x upper] [-y lower]
  ${p} -d virtual-service -r server-address
  ${p} -L|l [virtual-service] [options]
  ${p} -Z [virtual-service]
  ${p} --set tcp tcpfin udp
  ${p} -h

Commands:
  --add-service     -A        add a virtual service
  --edit-service    -E        replace a virtual service's settings
  --delete-service  -D        delete a virtual service
  --clear           -C        delete every virtual service
  --restore         -R        apply rules read from stdin, all or none
  --save            -S        print the rules in ipvsadm's save format
  --add-server      -a        add a real server to a virtual service
  --edit-server     -e        replace a real server's settings
  --delete-server   -d        delete a real server
  --list            -L|-l     list the table
  --zero            -Z        zero the counters of one service or of all
  --set tcp tcpfin udp        set connection timeouts in seconds (0 keeps a value)
  --links                     list the director's links (link redundancy) [--json]
  --help            -h        print this help

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port], [IPv6]:port
  --udp-service|-u  service-address   service-address is host[:port], [IPv6]:port

Options:
  --scheduler    -s scheduler         one of ${SCHEDULERS.join('|')};
                                      the default scheduler is wlc
  --persistent   -p [timeout]         persistent service (default timeout 300 s)
  --netmask      -M netmask           persistence granularity mask
  --sched-flags  -b flags             sh-fallback,sh-port (sh) or mh-fallback,mh-port (mh)
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   direct routing (the only and default method)
  --weight       -w weight            capacity of the real server (0 = quiescent)
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   list the connection entries
  --timeout                           list the timeouts (tcp tcpfin udp)
  --stats                             list counters
  --rate                              list rates
  --exact                             print numbers unabbreviated
  --thresholds                        list thresholds
  --persistent-conn                   list persistent connections
  --nosort                            keep the daemon's order
  --sort                              does nothing (sorting is the default)
  --numeric      -n                   print addresses and ports as numbers
  --json                              with -L: print the daemon's answer as JSON
  --sloppy                            with -A/-E: schedule mid-flow TCP packets (pivs)
  --socket PATH                       pivsd's control socket (default $${SOCKET_ENV}, else ${DEFAULT_SOCKET})
`;
}

export function versionLine(version: string): string {
  return `pivsadm v${version} (ipvsadm-compatible, talks to pivsd)`;
}
