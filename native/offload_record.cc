#include "offload_record.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace pivs {

std::string offload_record_path(const std::string& state_dir, const std::string& ifname) {
  struct stat ns {};
  unsigned long long netns = stat("/proc/self/ns/net", &ns) == 0 ? ns.st_ino : 0;
  return state_dir + "/offloads-" + std::to_string(netns) + "-" + ifname;
}

bool offload_record_load(const std::string& path, int ifindex, OffloadState* out) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return false;
  int idx = -1, gro = 0, gso = 0, tso = 0, lro = 0;
  int n = std::fscanf(f, "pivs-offloads 1 ifindex=%d gro=%d gso=%d tso=%d lro=%d", &idx, &gro, &gso, &tso, &lro);
  std::fclose(f);
  if (n != 5 || idx != ifindex) return false;
  out->gro = gro;
  out->gso = gso;
  out->tso = tso;
  out->lro = lro;
  return true;
}

void offload_record_save(const std::string& path, int ifindex, const OffloadState& s) {
  std::string dir = path.substr(0, path.rfind('/'));
  mkdir(dir.c_str(), 0755);
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return;
  std::fprintf(f, "pivs-offloads 1 ifindex=%d gro=%d gso=%d tso=%d lro=%d\n", ifindex, int(s.gro), int(s.gso),
               int(s.tso), int(s.lro));
  // Renamed into place only once whole: a crash mid-write leaves the old record or none.
  bool ok = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  std::fclose(f);
  if (ok) std::rename(tmp.c_str(), path.c_str());
  else std::remove(tmp.c_str());
}

void offload_record_remove(const std::string& path) { std::remove(path.c_str()); }

}  // namespace pivs
