#pragma once
#include <napi.h>
namespace pivs {
// Exports sdNotify(socket, message): one datagram to systemd's $NOTIFY_SOCKET, from pivsd's own PID.
void InitSdNotifyBinding(Napi::Env env, Napi::Object exports);
}
