// sdNotify(socket, message): sends one sd_notify datagram. Node cannot open a unix datagram
// socket, and a helper process (systemd-notify) would be the sender systemd sees: with
// NotifyAccess=main only messages whose SCM_CREDENTIALS name the main PID count, and the kernel
// fills those in from whoever calls sendto(), so the call has to come from pivsd's own process.
#include <napi.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "contract.h"
#include "sd_notify.h"

namespace pivs {
namespace {

// Fills `addr` from $NOTIFY_SOCKET's value; an error sentence, or empty on success.
std::string Address(const std::string& socket, sockaddr_un& addr, socklen_t& len) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (socket.empty() || (socket[0] != '/' && socket[0] != '@')) {
    return "NOTIFY_SOCKET \"" + socket + "\" is neither an absolute path nor an abstract name (@name).";
  }
  if (socket.find('\0') != std::string::npos) return "NOTIFY_SOCKET must not contain a NUL byte.";
  if (socket[0] == '@') {
    // Abstract namespace: sun_path[0] = 0, the name follows, no terminator counted in the length.
    if (socket.size() > sizeof addr.sun_path) {
      return "NOTIFY_SOCKET \"" + socket + "\" is longer than the " + std::to_string(sizeof addr.sun_path) +
             " bytes a unix socket address holds.";
    }
    std::memcpy(addr.sun_path + 1, socket.data() + 1, socket.size() - 1);
    len = socklen_t(offsetof(sockaddr_un, sun_path) + socket.size());
    return "";
  }
  // A path needs its NUL terminator inside sun_path.
  if (socket.size() >= sizeof addr.sun_path) {
    return "NOTIFY_SOCKET \"" + socket + "\" is longer than the " + std::to_string(sizeof addr.sun_path - 1) +
           " bytes a unix socket path may have.";
  }
  std::memcpy(addr.sun_path, socket.data(), socket.size());
  len = socklen_t(offsetof(sockaddr_un, sun_path) + socket.size() + 1);
  return "";
}

// One datagram; an error sentence, or empty on success.
std::string Send(const std::string& socket, const std::string& message) {
  sockaddr_un addr;
  socklen_t len = 0;
  std::string error = Address(socket, addr, len);
  if (!error.empty()) return error;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("cannot open a unix datagram socket: ") + std::strerror(errno) + ".";
  // MSG_DONTWAIT: pivsd's event loop must never wait on systemd; MSG_NOSIGNAL: no SIGPIPE.
  ssize_t n = ::sendto(fd, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr), len);
  int err = errno;
  ::close(fd);
  if (n < 0) return "cannot send to NOTIFY_SOCKET \"" + socket + "\": " + std::strerror(err) + ".";
  if (size_t(n) != message.size()) return "NOTIFY_SOCKET \"" + socket + "\" took only part of the message.";
  return "";
}

Napi::Value SdNotify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    Napi::TypeError::New(env, "sdNotify(socket, message) takes two strings.").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string error = Send(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
  if (!error.empty()) Napi::Error::New(env, error).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace

void InitSdNotifyBinding(Napi::Env env, Napi::Object exports) {
  exports.Set(addon_exports::sdNotify, Napi::Function::New(env, SdNotify, addon_exports::sdNotify));
}

}  // namespace pivs
