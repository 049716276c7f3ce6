// peerCredentials(fd): the uid, gid and supplementary groups the kernel recorded for the process
// that connected to a unix stream socket (SO_PEERCRED, SO_PEERGROUPS). The control socket's file
// mode already keeps others out; asking the kernel who connected holds even when that mode was
// changed behind pivsd's back, and Node has no way to ask it.
#include <napi.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "contract.h"
#include "peer_cred.h"

namespace pivs {
namespace {

Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) {
    throw Napi::TypeError::New(env, "peerCredentials takes one file descriptor.");
  }
  const int fd = info[0].As<Napi::Number>().Int32Value();
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    throw Napi::Error::New(env, std::string("the control socket's peer credentials could not be read: ") + std::strerror(errno) + ".");
  }
  // SO_PEERGROUPS says how much room it needs (ERANGE with the length) when the buffer is short.
  std::vector<gid_t> groups(16);
  for (int attempt = 0; attempt < 2; ++attempt) {
    socklen_t bytes = socklen_t(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &bytes) == 0) {
      groups.resize(bytes / sizeof(gid_t));
      break;
    }
    if (errno != ERANGE || attempt == 1) {
      groups.clear();
      break;
    }
    groups.resize(bytes / sizeof(gid_t) + 1);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set(peer_credentials::pid, Napi::Number::New(env, cred.pid));
  out.Set(peer_credentials::uid, Napi::Number::New(env, cred.uid));
  out.Set(peer_credentials::gid, Napi::Number::New(env, cred.gid));
  Napi::Array list = Napi::Array::New(env, groups.size());
  for (size_t i = 0; i < groups.size(); ++i) list.Set(uint32_t(i), Napi::Number::New(env, groups[i]));
  out.Set(peer_credentials::groups, list);
  return out;
}

}  // namespace

void InitPeerCredBinding(Napi::Env env, Napi::Object exports) {
  exports.Set(addon_exports::peerCredentials,
              Napi::Function::New(env, PeerCredentials, addon_exports::peerCredentials));
}

}  // namespace pivs
