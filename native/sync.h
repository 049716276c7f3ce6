// IPVS connection sync, message version 1 (net/netfilter/ipvs/ip_vs_sync.c), as bytes.
//
// Message: 8-byte header {reserved 0, syncid, size (be16, whole message), nr_conns, version 1,
// spare 0}, then nr_conns records, each starting on a 4-byte boundary:
//   type (0 IPv4, bit 0 = IPv6), protocol, ver_size (be16: version in the top 4 bits, must be 0;
//   record size in the low 12), flags (be32, IP_VS_CONN_F_*), state (be16, IPVS TCP state or 0),
//   cport, vport, dport (be16), fwmark (be32), timeout (be32, seconds), caddr, vaddr, daddr
//   (4 bytes each for IPv4: 36 bytes; 16 each for IPv6: 72 bytes), then optional parameters.
// Pure encode/decode: no tables, no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pivs {

constexpr size_t kSyncHeaderSize = 8;
constexpr size_t kSyncV4Size = 36;
constexpr size_t kSyncV6Size = 72;
constexpr uint8_t kSyncVersion = 1;
constexpr uint8_t kSyncTypeInet6 = 1;  // STYPE_F_INET6
constexpr size_t kSyncMaxConns = 255;  // nr_conns is one byte

// IP_VS_CONN_F_* as IPVS puts them on the wire.
enum SyncConnFlags : uint32_t {
  SYNC_F_DROUTE = 0x0003,
  SYNC_F_FWD_MASK = 0x0007,
  SYNC_F_NOOUTPUT = 0x0080,
  SYNC_F_INACTIVE = 0x0100,
  SYNC_F_TEMPLATE = 0x1000,
};

struct SyncRecord {
  uint8_t family = 4;  // 4 or 6
  uint8_t proto = 0;
  uint32_t flags = 0;
  uint16_t state = 0;
  uint16_t cport = 0, vport = 0, dport = 0;  // host order
  uint32_t fwmark = 0;
  uint32_t timeout_s = 0;
  uint8_t caddr[16] = {}, vaddr[16] = {}, daddr[16] = {};
};

inline size_t sync_record_size(uint8_t family) { return family == 6 ? kSyncV6Size : kSyncV4Size; }

// Writes the record at out (sync_record_size() bytes).
void encode_sync_record(const SyncRecord& r, uint8_t* out);

// Header for a message of `size` bytes holding nr_conns records.
void encode_sync_header(uint8_t* out, uint8_t syncid, uint16_t size, uint8_t nr_conns);

// Checks the whole message before returning any record: header, size, version, syncid, every
// record's type, size, version, protocol (tcp/udp) and state. On failure *err is one sentence.
bool decode_sync_message(const uint8_t* msg, size_t len, uint8_t syncid,
                         std::vector<SyncRecord>* out, std::string* err);

// Packs records into whole messages of at most max_size bytes (and 255 records) each.
class SyncMessageBuilder {
 public:
  SyncMessageBuilder(uint8_t syncid, size_t max_size) : syncid_(syncid), max_size_(max_size) {}
  // True when the current message had to be sealed to make room (it is then in *sealed).
  bool add(const uint8_t* record, size_t len, std::vector<uint8_t>* sealed);
  bool empty() const { return nr_ == 0; }
  size_t count() const { return nr_; }
  // The current message (empty vector when it has no record); starts a new one.
  std::vector<uint8_t> seal();

 private:
  uint8_t syncid_;
  size_t max_size_;
  std::vector<uint8_t> buf_;
  size_t nr_ = 0;
};

}  // namespace pivs
