#pragma once
#include <napi.h>
namespace pivs {
// Exports peerCredentials(fd): who is at the other end of a connected unix socket.
void InitPeerCredBinding(Napi::Env env, Napi::Object exports);
}
