// The bench's XDP reference forwarder (bench/dataplane.ts): the same DR MAC rewrite as pivs with
// no connection table, no counters and no checks beyond the headers — what this machine can do at
// most on the path. UDP/TCP to VIP:PORT goes back out (XDP_TX) to real server hash(source) % N;
// everything else passes. VIP, PORT, OWN_MAC and REAL_MACS come from -D at build time.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

static const unsigned char own_mac[6] = {OWN_MAC};
static const unsigned char real_macs[][6] = {REAL_MACS};
#define REALS (sizeof real_macs / sizeof real_macs[0])

SEC("xdp")
int xdp_reference(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr* ip = (void*)(eth + 1);
  if ((void*)(ip + 1) > end || ip->daddr != bpf_htonl(VIP) || ip->ihl != 5) return XDP_PASS;
  if (ip->protocol != IPPROTO_UDP && ip->protocol != IPPROTO_TCP) return XDP_PASS;
  struct udphdr* l4 = (void*)(ip + 1);
  if ((void*)(l4 + 1) > end || l4->dest != bpf_htons(PORT)) return XDP_PASS;
  __u32 h = ip->saddr ^ ((__u32)l4->source << 16);
  h ^= h >> 16;
  h *= 0x45d9f3b;
  h ^= h >> 16;
  __u32 i = h % REALS;
  // The compiler knows i < REALS and would drop the check the verifier needs to see.
  asm volatile("" : "+r"(i));
  if (i >= REALS) return XDP_PASS;
  __builtin_memcpy(eth->h_dest, real_macs[i], 6);
  __builtin_memcpy(eth->h_source, own_mac, 6);
  return XDP_TX;
}

// For the switch-side peer: veth takes XDP_TX frames only into a peer whose queues run NAPI,
// which an XDP program there turns on.
SEC("xdp")
int xdp_pass(struct xdp_md* ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
