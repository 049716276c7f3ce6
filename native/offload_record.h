// What pivs turned off on an interface, kept in a small file under the state directory (/run/pivs
// by default) for as long as it is off: a pivsd killed with -9 cannot restore the NIC itself, so
// the next start takes the original settings from the file instead of the "off" it finds, and its
// clean stop restores them and removes the file. Keyed by network namespace and interface, and
// checked against the interface index, so a record never applies to another NIC.
#pragma once

#include <string>

#include "netdev.h"

namespace pivs {

std::string offload_record_path(const std::string& state_dir, const std::string& ifname);
// False when there is no record for this interface (or it is unreadable, or for another ifindex).
bool offload_record_load(const std::string& path, int ifindex, OffloadState* out);
// Best effort: a director without a writable state directory still runs, as before.
void offload_record_save(const std::string& path, int ifindex, const OffloadState& state);
void offload_record_remove(const std::string& path);

}  // namespace pivs
