// The XDP program in front of pivs's AF_XDP sockets: it redirects to the queue's socket only what
// the fast path must take (docs/dataplane.md) and passes everything else to the kernel untouched:
//   - IPv4/IPv6 to a virtual address (services, ICMP echo and errors, fragments);
//   - ARP whose target is a virtual address, IPv6 neighbour solicitations for one;
//   - VRRP (224.0.0.18, ff02::12).
// ARP replies and neighbour advertisements pass: the kernel needs them for its own neighbours, and
// pivs reads copies of them from a filtered packet socket. Built with clang -target bpf.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define PIVS_MAX_QUEUES 64
#define PIVS_MAX_VIPS 4096
#define IPPROTO_VRRP 112
#define ICMPV6_NEIGHBOUR_SOLICIT 135

struct vip_key {
  __u8 family;  // 4 or 6
  __u8 pad[3];
  __u8 addr[16];  // IPv4 in the first 4 bytes, rest zero
};

struct {
  __uint(type, BPF_MAP_TYPE_XSKMAP);
  __uint(max_entries, PIVS_MAX_QUEUES);
  __type(key, __u32);
  __type(value, __u32);
} pivs_xsks SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, PIVS_MAX_VIPS);
  __type(key, struct vip_key);
  __type(value, __u8);
} pivs_vips SEC(".maps");

struct arp_ipv4 {
  __be16 htype, ptype;
  __u8 hlen, plen;
  __be16 op;
  __u8 sha[6], spa[4], tha[6], tpa[4];
} __attribute__((packed));

static __always_inline int is_vip4(const void* addr) {
  struct vip_key k = {.family = 4};
  __builtin_memcpy(k.addr, addr, 4);
  return bpf_map_lookup_elem(&pivs_vips, &k) != 0;
}

static __always_inline int is_vip6(const void* addr) {
  struct vip_key k = {.family = 6};
  __builtin_memcpy(k.addr, addr, 16);
  return bpf_map_lookup_elem(&pivs_vips, &k) != 0;
}

static __always_inline int wanted(void* data, void* end) {
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > end) return 0;
  __u16 proto = eth->h_proto;
  void* l3 = eth + 1;
  // One 802.1Q / 802.1ad tag, as the fast path's parser takes.
  if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
    if (l3 + 4 > end) return 0;
    proto = *(__be16*)(l3 + 2);
    l3 += 4;
  }
  if (proto == bpf_htons(ETH_P_IP)) {
    struct iphdr* ip = l3;
    if ((void*)(ip + 1) > end) return 0;
    if (ip->protocol == IPPROTO_VRRP && ip->daddr == bpf_htonl(0xe0000012)) return 1;
    return is_vip4(&ip->daddr);
  }
  if (proto == bpf_htons(ETH_P_ARP)) {
    struct arp_ipv4* arp = l3;
    if ((void*)(arp + 1) > end) return 0;
    return arp->op == bpf_htons(1) && is_vip4(arp->tpa);
  }
  if (proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr* ip6 = l3;
    if ((void*)(ip6 + 1) > end) return 0;
    const __u8* d = ip6->daddr.s6_addr;
    if (ip6->nexthdr == IPPROTO_VRRP && d[0] == 0xff && d[1] == 0x02 && d[15] == 0x12) return 1;
    if (ip6->nexthdr == IPPROTO_ICMPV6) {
      __u8* icmp = (void*)(ip6 + 1);
      // type, code, checksum, reserved, then the target address.
      if ((void*)icmp + 24 > end) return 0;
      if (icmp[0] == ICMPV6_NEIGHBOUR_SOLICIT) return is_vip6(icmp + 8);
    }
    return is_vip6(d);
  }
  return 0;
}

SEC("xdp")
int pivs_xdp(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  if (!wanted(data, end)) return XDP_PASS;
  // No socket on this queue (yet): the kernel gets it, as without the program.
  return bpf_redirect_map(&pivs_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
