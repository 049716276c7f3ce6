// Frames written out field by field from the RFC 826 / RFC 791+792 / RFC 8200+4443+4861 layouts.
// Every checksum below was computed outside this project (scapy 2.5 building the same packet) and
// is re-checked in the tests with referenceChecksum(). Addresses: 198.18.0.0/15 and 2001:db8::/32.

export const DIRECTOR_MAC = '52:54:00:12:34:56';
export const CLIENT_MAC = '52:54:00:ab:cd:ef';
export const REAL_MAC = '52:54:00:00:00:21';
export const REAL_MAC_2 = '52:54:00:00:00:22';
export const VIP = '198.18.0.100';
export const CLIENT_IP = '198.18.0.10';
export const OWN_IP = '198.18.0.2';
export const REAL_IP = '198.18.0.21';
export const VIP6 = '2001:db8::100';
export const CLIENT_IP6 = '2001:db8::10';
export const OWN_IP6 = '2001:db8::2';
export const REAL_IP6 = '2001:db8::21';

/** Hex fields (spaces ignored) joined into one Buffer. */
export function bytes(...fields: string[]): Buffer {
  return Buffer.from(fields.join('').replace(/\s+/g, ''), 'hex');
}

export const zeros = (n: number): string => '00'.repeat(n);

/** RFC 1071 one's-complement sum, written independently of src/arp/checksum.ts. */
export function referenceChecksum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) {
    const hi = data[i];
    const lo = i + 1 < data.length ? data[i + 1] : 0;
    sum += hi * 256 + lo;
  }
  while (sum >= 0x10000) sum = Math.floor(sum / 0x10000) + (sum % 0x10000);
  return 0xffff - sum;
}

const ETH_CLIENT_TO_DIRECTOR = '52 54 00 12 34 56  52 54 00 ab cd ef';
const ETH_DIRECTOR_TO_CLIENT = '52 54 00 ab cd ef  52 54 00 12 34 56';
const PAYLOAD = Buffer.from('pivs-ping-0123456789abcdef').toString('hex'); // 26 bytes

export const ARP_REQUEST_FOR_VIP = bytes(
  'ff ff ff ff ff ff', '52 54 00 ab cd ef', '08 06', // broadcast from the client, EtherType ARP
  '00 01', '08 00', '06', '04', // ar$hrd Ethernet, ar$pro IPv4, ar$hln 6, ar$pln 4
  '00 01', // ar$op REQUEST
  '52 54 00 ab cd ef', 'c6 12 00 0a', // ar$sha client, ar$spa 198.18.0.10
  '00 00 00 00 00 00', 'c6 12 00 64', // ar$tha unknown, ar$tpa 198.18.0.100 (VIP)
  zeros(18), // padding to the 60-byte minimum frame
);

export const ARP_REPLY_FOR_VIP = bytes(
  '52 54 00 ab cd ef', '52 54 00 12 34 56', '08 06', // unicast to the asker from the director
  '00 01', '08 00', '06', '04',
  '00 02', // ar$op REPLY
  '52 54 00 12 34 56', 'c6 12 00 64', // ar$sha director, ar$spa VIP
  '52 54 00 ab cd ef', 'c6 12 00 0a', // ar$tha client, ar$tpa client
  zeros(18),
);

export const ECHO_REQUEST_TO_VIP = bytes(
  ETH_CLIENT_TO_DIRECTOR, '08 00',
  '45', '00', '00 36', // version 4 / IHL 5, type of service, total length 54
  '12 34', '40 00', // identification, flags DF / fragment offset 0
  '3f', '01', '9d 00', // time to live 63, protocol ICMP, header checksum
  'c6 12 00 0a', 'c6 12 00 64', // source client, destination VIP
  '08', '00', 'a1 96', // ICMP type 8 echo, code 0, checksum
  '42 42', '00 07', // identifier, sequence number
  PAYLOAD,
);

export const ECHO_REPLY_FROM_VIP = bytes(
  ETH_DIRECTOR_TO_CLIENT, '08 00',
  '45', '00', '00 36',
  '00 00', '00 00', // identification 0, no flags
  '40', '01', 'ee 34', // time to live 64, ICMP, header checksum
  'c6 12 00 64', 'c6 12 00 0a', // source VIP, destination client
  '00', '00', 'a9 96', // ICMP type 0 echo reply, code 0, checksum
  '42 42', '00 07',
  PAYLOAD,
);

const IP6_CLIENT = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 10';
const IP6_VIP = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00';
const IP6_OWN = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02';
const IP6_REAL = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 21';

export const ECHO6_REQUEST_TO_VIP = bytes(
  ETH_CLIENT_TO_DIRECTOR, '86 dd',
  '60 00 00 00', '00 22', '3a', '40', // version 6, class 0, flow 0; payload length 34; ICMPv6; hop limit 64
  IP6_CLIENT, IP6_VIP,
  '80', '00', 'cc b7', // type 128 echo request, code 0, checksum
  '42 42', '00 07', PAYLOAD,
);

export const ECHO6_REPLY_FROM_VIP = bytes(
  ETH_DIRECTOR_TO_CLIENT, '86 dd',
  '60 00 00 00', '00 22', '3a', '40',
  IP6_VIP, IP6_CLIENT,
  '81', '00', 'cb b7', // type 129 echo reply, code 0, checksum
  '42 42', '00 07', PAYLOAD,
);

export const NS_FOR_VIP6 = bytes(
  '33 33 ff 00 01 00', '52 54 00 ab cd ef', '86 dd', // to the solicited-node group's MAC
  '60 00 00 00', '00 20', '3a', 'ff', // payload length 32, ICMPv6, hop limit 255
  IP6_CLIENT, 'ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 01 00', // to ff02::1:ff00:100
  '87', '00', 'fb 2d', '00 00 00 00', // type 135, code 0, checksum, reserved
  IP6_VIP, // target address
  '01', '01', '52 54 00 ab cd ef', // source link-layer address option, length 1 (8 bytes)
);

export const NA_FOR_VIP6 = bytes(
  ETH_DIRECTOR_TO_CLIENT, '86 dd',
  '60 00 00 00', '00 20', '3a', 'ff',
  IP6_VIP, IP6_CLIENT,
  '88', '00', '03 ac', // type 136, code 0, checksum
  '60 00 00 00', // R=0 S=1 O=1, reserved
  IP6_VIP,
  '02', '01', '52 54 00 12 34 56', // target link-layer address option: the director
);

export const ARP_REQUEST_FOR_REAL = bytes(
  'ff ff ff ff ff ff', '52 54 00 12 34 56', '08 06',
  '00 01', '08 00', '06', '04', '00 01',
  '52 54 00 12 34 56', 'c6 12 00 02', // from the director's own 198.18.0.2
  '00 00 00 00 00 00', 'c6 12 00 15', // who has 198.18.0.21
  zeros(18),
);

export const ARP_PROBE_FOR_REAL = bytes(
  'ff ff ff ff ff ff', '52 54 00 12 34 56', '08 06',
  '00 01', '08 00', '06', '04', '00 01',
  '52 54 00 12 34 56', '00 00 00 00', // no own address on that subnet: RFC 5227 probe
  '00 00 00 00 00 00', 'c6 12 00 15',
  zeros(18),
);

export const ARP_REPLY_FROM_REAL = bytes(
  '52 54 00 12 34 56', '52 54 00 00 00 21', '08 06',
  '00 01', '08 00', '06', '04', '00 02',
  '52 54 00 00 00 21', 'c6 12 00 15',
  '52 54 00 12 34 56', 'c6 12 00 02',
  zeros(18),
);

export const NS_FOR_REAL6 = bytes(
  '33 33 ff 00 00 21', '52 54 00 12 34 56', '86 dd',
  '60 00 00 00', '00 20', '3a', 'ff',
  IP6_OWN, 'ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 21',
  '87', '00', '97 2c', '00 00 00 00',
  IP6_REAL,
  '01', '01', '52 54 00 12 34 56',
);

export const NA_FROM_REAL6 = bytes(
  '52 54 00 12 34 56', '52 54 00 00 00 21', '86 dd',
  '60 00 00 00', '00 20', '3a', 'ff',
  IP6_REAL, IP6_OWN,
  '88', '00', '39 bf', '60 00 00 00',
  IP6_REAL,
  '02', '01', '52 54 00 00 00 21',
);
