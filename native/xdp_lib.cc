#include "xdp_lib.h"

#include <dlfcn.h>

#include <mutex>

namespace pivs {

namespace {

template <typename F>
bool bind(void* lib, const char* name, F* fn, std::string* missing) {
  *fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!*fn && missing->empty()) *missing = name;
  return *fn != nullptr;
}

// libbpf's warnings would go to pivsd's stderr unstructured; the caller reports failures itself.
int quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

}  // namespace

const XdpLib* xdp_lib(std::string* err) {
  static std::once_flag once;
  static XdpLib lib;
  static const XdpLib* found = nullptr;
  static std::string why;
  std::call_once(once, [] {
    void* bpf = dlopen("libbpf.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!bpf) {
      why = "libbpf is not installed (Debian: libbpf1)";
      return;
    }
    void* xdp = dlopen("libxdp.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!xdp) {
      why = "libxdp is not installed (Debian: libxdp1)";
      return;
    }
    std::string missing;
    bind(bpf, "bpf_object__open_file", &lib.object_open_file, &missing);
    bind(bpf, "bpf_object__load", &lib.object_load, &missing);
    bind(bpf, "bpf_object__close", &lib.object_close, &missing);
    bind(bpf, "bpf_object__find_program_by_name", &lib.find_program_by_name, &missing);
    bind(bpf, "bpf_program__fd", &lib.program_fd, &missing);
    bind(bpf, "bpf_object__find_map_fd_by_name", &lib.find_map_fd_by_name, &missing);
    bind(bpf, "bpf_map_update_elem", &lib.map_update_elem, &missing);
    bind(bpf, "bpf_map_delete_elem", &lib.map_delete_elem, &missing);
    bind(bpf, "bpf_map_get_next_key", &lib.map_get_next_key, &missing);
    bind(bpf, "bpf_link_create", &lib.link_create, &missing);
    bind(bpf, "libbpf_set_print", &lib.set_print, &missing);
    bind(xdp, "xsk_umem__create", &lib.umem_create, &missing);
    bind(xdp, "xsk_umem__delete", &lib.umem_delete, &missing);
    bind(xdp, "xsk_socket__create", &lib.socket_create, &missing);
    bind(xdp, "xsk_socket__delete", &lib.socket_delete, &missing);
    bind(xdp, "xsk_socket__fd", &lib.socket_fd, &missing);
    if (!missing.empty()) {
      why = "libbpf/libxdp lack " + missing + " (too old)";
      return;
    }
    lib.set_print(quiet);
    found = &lib;
  });
  if (!found && err) *err = why;
  return found;
}

}  // namespace pivs
