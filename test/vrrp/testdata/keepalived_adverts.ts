// Adverts captured with tcpdump from Debian's keepalived 2.2.7 (vrid 42, priority 200, addresses
// 198.18.5.100 and 198.18.5.101, source 198.18.5.2): whole Ethernet frames as on the wire.
/** vrrp_version 2, advert_int 1, auth_type PASS, auth_pass secret1. */
export const KEEPALIVED_V2 =
  '01005e000012dadcffb56e5d080045c0002c00010000ff700f7ac6120502e0000012212ac80201011197c6120564c61205657365637265743100';
/** vrrp_version 3, advert_int 0.5 (50 centiseconds). */
export const KEEPALIVED_V3 =
  '01005e000012feb3d7dfd41a080045c0002400010000ff700f82c6120502e0000012312ac8020032c40ac6120564c6120565';
