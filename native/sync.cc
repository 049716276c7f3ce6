#include "sync.h"

#include <cstring>

namespace pivs {

namespace {
constexpr uint16_t kTcpStates = 11;  // IP_VS_TCP_S_LAST

inline void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void put32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
inline uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

bool fail(std::string* err, std::string msg) {
  *err = std::move(msg);
  return false;
}
}  // namespace

void encode_sync_record(const SyncRecord& r, uint8_t* out) {
  size_t size = sync_record_size(r.family);
  std::memset(out, 0, size);
  out[0] = r.family == 6 ? kSyncTypeInet6 : 0;
  out[1] = r.proto;
  put16(out + 2, uint16_t(size & 0x0fff));  // version 0 in the top 4 bits
  put32(out + 4, r.flags);
  put16(out + 8, r.state);
  put16(out + 10, r.cport);
  put16(out + 12, r.vport);
  put16(out + 14, r.dport);
  put32(out + 16, r.fwmark);
  put32(out + 20, r.timeout_s);
  size_t alen = r.family == 6 ? 16 : 4;
  std::memcpy(out + 24, r.caddr, alen);
  std::memcpy(out + 24 + alen, r.vaddr, alen);
  std::memcpy(out + 24 + 2 * alen, r.daddr, alen);
}

void encode_sync_header(uint8_t* out, uint8_t syncid, uint16_t size, uint8_t nr_conns) {
  out[0] = 0;
  out[1] = syncid;
  put16(out + 2, size);
  out[4] = nr_conns;
  out[5] = kSyncVersion;
  out[6] = 0;
  out[7] = 0;
}

bool decode_sync_message(const uint8_t* msg, size_t len, uint8_t syncid,
                         std::vector<SyncRecord>* out, std::string* err) {
  if (len < kSyncHeaderSize) return fail(err, "The sync message is shorter than its 8-byte header.");
  if (get16(msg + 2) != len) {
    return fail(err, "The sync message's size field (" + std::to_string(get16(msg + 2)) +
                         ") does not match its length (" + std::to_string(len) + " bytes).");
  }
  if (msg[0] != 0 || msg[5] != kSyncVersion || msg[6] != 0 || msg[7] != 0) {
    return fail(err, "The sync message is not an IPVS sync version 1 message.");
  }
  if (msg[1] != syncid) {
    return fail(err, "The sync message has syncid " + std::to_string(msg[1]) +
                         ", not the configured " + std::to_string(syncid) + ".");
  }
  unsigned nr = msg[4];
  std::vector<SyncRecord> records;
  records.reserve(nr);
  size_t pos = kSyncHeaderSize;
  size_t end_of_last = pos;
  for (unsigned i = 0; i < nr; ++i) {
    std::string which = "Sync record " + std::to_string(i + 1) + " of " + std::to_string(nr);
    if (pos + kSyncV4Size > len) return fail(err, which + " is truncated.");
    const uint8_t* p = msg + pos;
    uint8_t type = p[0];
    if (type & ~kSyncTypeInet6) {
      return fail(err, which + " has unknown type " + std::to_string(type) +
                           " (only 0, IPv4, and 1, IPv6, exist).");
    }
    SyncRecord r;
    r.family = (type & kSyncTypeInet6) ? 6 : 4;
    uint16_t ver_size = get16(p + 2);
    if (ver_size >> 12) {
      return fail(err, which + " has record version " + std::to_string(ver_size >> 12) + ", not 0.");
    }
    size_t size = ver_size & 0x0fff;
    size_t base = sync_record_size(r.family);
    if (size < base) {
      return fail(err, which + " has size " + std::to_string(size) + ", below the " +
                           std::to_string(base) + " bytes of an IPv" + std::to_string(r.family) +
                           " record.");
    }
    if (pos + size > len) return fail(err, which + " runs past the end of the message.");
    // Optional parameters (sequence data, persistence-engine data): checked for shape, not used.
    for (size_t o = base; o < size;) {
      if (o + 2 > size || p[o + 1] == 0 || o + 2 + p[o + 1] > size) {
        return fail(err, which + " has malformed optional parameters.");
      }
      o += 2 + p[o + 1];
    }
    r.proto = p[1];
    r.flags = get32(p + 4);
    r.state = get16(p + 8);
    r.cport = get16(p + 10);
    r.vport = get16(p + 12);
    r.dport = get16(p + 14);
    r.fwmark = get32(p + 16);
    r.timeout_s = get32(p + 20);
    size_t alen = r.family == 6 ? 16 : 4;
    std::memcpy(r.caddr, p + 24, alen);
    std::memcpy(r.vaddr, p + 24 + alen, alen);
    std::memcpy(r.daddr, p + 24 + 2 * alen, alen);
    if (r.proto != 6 && r.proto != 17) {
      return fail(err, which + " has protocol " + std::to_string(r.proto) + "; only tcp (6) and udp (17) are synced.");
    }
    if (!(r.flags & SYNC_F_TEMPLATE)) {
      uint16_t states = r.proto == 6 ? kTcpStates : 1;
      if (r.state >= states) {
        return fail(err, which + " has state " + std::to_string(r.state) + ", unknown for " +
                             (r.proto == 6 ? "tcp." : "udp."));
      }
    }
    records.push_back(r);
    end_of_last = pos + size;
    pos += (size + 3) & ~size_t(3);
  }
  if (end_of_last != len) {
    return fail(err, "The sync message has " + std::to_string(len - end_of_last) +
                         " bytes after its " + std::to_string(nr) + " records.");
  }
  *out = std::move(records);
  return true;
}

bool SyncMessageBuilder::add(const uint8_t* record, size_t len, std::vector<uint8_t>* sealed) {
  bool did_seal = false;
  if (nr_ > 0 && (buf_.size() + len > max_size_ || nr_ >= kSyncMaxConns)) {
    *sealed = seal();
    did_seal = true;
  }
  if (nr_ == 0) buf_.assign(kSyncHeaderSize, 0);
  buf_.insert(buf_.end(), record, record + len);
  ++nr_;
  return did_seal;
}

std::vector<uint8_t> SyncMessageBuilder::seal() {
  std::vector<uint8_t> out;
  if (nr_ == 0) return out;
  encode_sync_header(buf_.data(), syncid_, uint16_t(buf_.size()), uint8_t(nr_));
  out.swap(buf_);
  nr_ = 0;
  return out;
}

}  // namespace pivs
