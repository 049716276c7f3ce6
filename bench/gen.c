/* Packet generator for bench/dataplane.ts and the flood tests: 64-byte Ethernet frames (60 bytes +
 * FCS) carrying UDP (or, with -T, TCP SYNs; -A, ARP requests for DSTIP; -E, ICMP echo requests)
 * over many flows, sent with sendmmsg on AF_PACKET sockets bypassing the qdisc, from -j THREADS
 * threads (1 by default), each with a socket of its own, a share of the flows, of -n and of -r.
 *
 *   gen -i IFACE -s SRCMAC -d DSTMAC -S SRCIP -D DSTIP -p DPORT -f FLOWS (-t SECONDS | -n PACKETS) [-r PPS] [-j THREADS] [-T|-A|-E]
 *
 * Flow k uses source port 1024 + k % 64512 and source address SRCIP + k / 64512, so more than
 * 64512 flows spread over consecutive source addresses. Prints one JSON line: packets sent, seconds.
 * Built by the bench at run time (gcc -O2); not part of pivs itself. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN 60
#define BATCH 64
#define PORTS_PER_ADDR 64512u

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, uint8_t out[6]) {
  unsigned v[6];
  if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return -1;
  for (int i = 0; i < 6; i++) out[i] = (uint8_t)v[i];
  return 0;
}

static uint16_t ip_checksum(const uint8_t *h) {
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += (uint32_t)(h[i] << 8 | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static uint16_t tcp_checksum(const uint8_t *ip, const uint8_t *tcp) {
  uint32_t sum = 6 + 20;
  for (int i = 12; i < 20; i += 2) sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
  for (int i = 0; i < 20; i += 2) sum += (uint32_t)(tcp[i] << 8 | tcp[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* Ethernet and IPv4 headers (DF, TTL 64) of a packet of `tot` bytes; returns the L4 header. */
static uint8_t *build_ip(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], uint32_t saddr,
                         uint32_t daddr, uint8_t proto, uint16_t tot) {
  memset(f, 0, FRAME_LEN);
  memcpy(f, dmac, 6);
  memcpy(f + 6, smac, 6);
  f[12] = 0x08; f[13] = 0x00;
  uint8_t *ip = f + 14;
  ip[0] = 0x45;
  ip[2] = tot >> 8; ip[3] = tot & 0xff;
  ip[6] = 0x40; /* DF */
  ip[8] = 64;
  ip[9] = proto;
  memcpy(ip + 12, &saddr, 4);
  memcpy(ip + 16, &daddr, 4);
  uint16_t c = ip_checksum(ip);
  ip[10] = c >> 8; ip[11] = c & 0xff;
  return ip + 20;
}

/* A SYN from sport to dport, sequence number seq: 54 bytes of headers, padded to 60. */
static void build_syn(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], uint32_t saddr,
                      uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq) {
  uint8_t *tcp = build_ip(f, dmac, smac, saddr, daddr, 6, 40);
  tcp[0] = sport >> 8; tcp[1] = sport & 0xff;
  tcp[2] = dport >> 8; tcp[3] = dport & 0xff;
  tcp[4] = seq >> 24; tcp[5] = seq >> 16; tcp[6] = seq >> 8; tcp[7] = seq;
  tcp[12] = 5 << 4;
  tcp[13] = 0x02; /* SYN */
  tcp[14] = 0xfa; tcp[15] = 0xf0;
  uint16_t tc = tcp_checksum(tcp - 20, tcp);
  tcp[16] = tc >> 8; tcp[17] = tc & 0xff;
}

/* "Who has daddr? Tell saddr", from smac to dmac (broadcast for a real request). */
static void build_arp(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], uint32_t saddr,
                      uint32_t daddr) {
  memset(f, 0, FRAME_LEN);
  memcpy(f, dmac, 6);
  memcpy(f + 6, smac, 6);
  f[12] = 0x08; f[13] = 0x06;
  uint8_t *a = f + 14;
  a[1] = 1;                 /* Ethernet */
  a[2] = 0x08; a[3] = 0x00; /* IPv4 */
  a[4] = 6; a[5] = 4;
  a[7] = 1;                 /* request */
  memcpy(a + 8, smac, 6);
  memcpy(a + 14, &saddr, 4);
  memcpy(a + 24, &daddr, 4);
}

/* An ICMP echo request with identifier id and sequence seq, filling the frame. */
static void build_echo(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], uint32_t saddr,
                       uint32_t daddr, uint16_t id, uint16_t seq) {
  uint16_t tot = FRAME_LEN - 14;
  uint8_t *icmp = build_ip(f, dmac, smac, saddr, daddr, 1, tot);
  icmp[0] = 8;
  icmp[4] = id >> 8; icmp[5] = id & 0xff;
  icmp[6] = seq >> 8; icmp[7] = seq & 0xff;
  uint32_t sum = 0;
  for (int i = 0; i < tot - 20; i += 2) sum += (uint32_t)(icmp[i] << 8 | icmp[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t c = (uint16_t)~sum;
  icmp[2] = c >> 8; icmp[3] = c & 0xff;
}

/* A UDP datagram filling the frame. */
static void build(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], uint32_t saddr,
                  uint32_t daddr, uint16_t sport, uint16_t dport) {
  uint16_t tot = FRAME_LEN - 14;
  uint8_t *udp = build_ip(f, dmac, smac, saddr, daddr, 17, tot);
  udp[0] = sport >> 8; udp[1] = sport & 0xff;
  udp[2] = dport >> 8; udp[3] = dport & 0xff;
  uint16_t ulen = tot - 20;
  udp[4] = ulen >> 8; udp[5] = ulen & 0xff;
  /* UDP checksum 0: "none", valid for IPv4. */
}

static void usage(void) {
  fprintf(stderr, "usage: gen -i IFACE -s SRCMAC -d DSTMAC -S SRCIP -D DSTIP -p DPORT -f FLOWS (-t SECONDS | -n PACKETS) [-r PPS] [-j THREADS] [-T|-A|-E]\n");
  exit(2);
}

#define MAX_THREADS 16

/* What one sending thread is given, and what it sent. Thread t of j sends flows t, t + j, ... */
struct sender {
  int ifindex;
  uint8_t smac[6], dmac[6];
  struct in_addr src, dst;
  long dport, flows, first, step;
  double pps, seconds, start;
  long long packets, sent;
  char kind;
  int failed;
};

static void *send_loop(void *arg) {
  struct sender *a = arg;
  int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, never receive */
  if (fd < 0) { perror("socket"); a->failed = 1; return NULL; }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  struct sockaddr_ll ll = {0};
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = a->ifindex;
  if (bind(fd, (struct sockaddr *)&ll, sizeof ll) < 0) { perror("bind"); a->failed = 1; close(fd); return NULL; }

  uint8_t frames[BATCH][FRAME_LEN];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = frames[i];
    iov[i].iov_len = FRAME_LEN;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  /* This thread's flows: first, first + step, ... below flows; `flow` counts among them. */
  long mine = (a->flows - a->first + a->step - 1) / a->step;
  long long sent = 0;
  long flow = 0;
  double end = a->start + a->seconds;
  for (;;) {
    if (a->packets > 0 && sent >= a->packets) break;
    double t = now_s();
    if (a->seconds > 0 && t >= end) break;
    if (a->pps > 0) {
      double due = a->start + (double)sent / a->pps;
      if (t < due) { usleep((useconds_t)((due - t) * 1e6)); continue; }
    }
    int n = BATCH;
    if (a->packets > 0 && a->packets - sent < n) n = (int)(a->packets - sent);
    for (int i = 0; i < n; i++) {
      long k = a->first + ((flow + i) % mine) * a->step;
      uint32_t saddr = htonl(ntohl(a->src.s_addr) + (uint32_t)(k / PORTS_PER_ADDR));
      uint16_t sport = (uint16_t)(1024 + k % PORTS_PER_ADDR);
      switch (a->kind) {
        case 'T': build_syn(frames[i], a->dmac, a->smac, saddr, a->dst.s_addr, sport, (uint16_t)a->dport, (uint32_t)(sent + i)); break;
        case 'A': build_arp(frames[i], a->dmac, a->smac, saddr, a->dst.s_addr); break;
        case 'E': build_echo(frames[i], a->dmac, a->smac, saddr, a->dst.s_addr, sport, (uint16_t)(sent + i)); break;
        default: build(frames[i], a->dmac, a->smac, saddr, a->dst.s_addr, sport, (uint16_t)a->dport);
      }
    }
    int r = sendmmsg(fd, msgs, (unsigned)n, 0);
    if (r < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) continue;
      perror("sendmmsg");
      a->failed = 1;
      break;
    }
    sent += r;
    flow = (flow + r) % mine;
  }
  a->sent = sent;
  close(fd);
  return NULL;
}

int main(int argc, char **argv) {
  const char *ifname = NULL;
  struct sender base = {0};
  int have_s = 0, have_d = 0;
  long pps = 0, threads = 1;
  int opt;
  base.dport = -1;
  base.kind = 'U';
  while ((opt = getopt(argc, argv, "i:s:d:S:D:p:f:t:n:r:j:TAE")) != -1) {
    switch (opt) {
      case 'i': ifname = optarg; break;
      case 's': if (parse_mac(optarg, base.smac)) usage(); have_s = 1; break;
      case 'd': if (parse_mac(optarg, base.dmac)) usage(); have_d = 1; break;
      case 'S': if (inet_pton(AF_INET, optarg, &base.src) != 1) usage(); break;
      case 'D': if (inet_pton(AF_INET, optarg, &base.dst) != 1) usage(); break;
      case 'p': base.dport = strtol(optarg, NULL, 10); break;
      case 'f': base.flows = strtol(optarg, NULL, 10); break;
      case 't': base.seconds = strtod(optarg, NULL); break;
      case 'n': base.packets = strtoll(optarg, NULL, 10); break;
      case 'r': pps = strtol(optarg, NULL, 10); break;
      case 'j': threads = strtol(optarg, NULL, 10); break;
      case 'T': case 'A': case 'E': base.kind = (char)opt; break;
      default: usage();
    }
  }
  if (!ifname || !have_s || !have_d || !base.src.s_addr || !base.dst.s_addr || base.dport < 1 ||
      base.dport > 65535 || base.flows < 1 || base.flows > 16 * (long)PORTS_PER_ADDR ||
      (base.seconds <= 0) == (base.packets <= 0) || pps < 0 || threads < 1 || threads > MAX_THREADS ||
      threads > base.flows)
    usage();
  base.ifindex = (int)if_nametoindex(ifname);
  if (!base.ifindex) { perror("if_nametoindex"); return 1; }

  struct sender s[MAX_THREADS];
  pthread_t tid[MAX_THREADS];
  base.start = now_s();
  base.step = threads;
  for (long t = 0; t < threads; t++) {
    s[t] = base;
    s[t].first = t;
    s[t].pps = (double)pps / (double)threads;
    if (base.packets > 0) s[t].packets = base.packets / threads + (t < base.packets % threads ? 1 : 0);
    if (s[t].packets == 0 && base.packets > 0) { s[t].sent = 0; tid[t] = 0; continue; }
    if (pthread_create(&tid[t], NULL, send_loop, &s[t]) != 0) { perror("pthread_create"); return 1; }
  }
  long long sent = 0;
  int failed = 0;
  for (long t = 0; t < threads; t++) {
    if (tid[t]) pthread_join(tid[t], NULL);
    sent += s[t].sent;
    failed |= s[t].failed;
  }
  if (failed) return 1;
  printf("{\"sent\":%lld,\"seconds\":%.6f}\n", sent, now_s() - base.start);
  return 0;
}
