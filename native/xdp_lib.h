// libbpf and libxdp, opened at run time: the addon builds and runs without them (AF_PACKET), and
// `director.dataplane: auto` can say which one is missing. The XSK ring operations are the inline
// functions of libxdp's xsk.h and need no library.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include <string>

namespace pivs {

struct XdpLib {
  // libbpf
  bpf_object* (*object_open_file)(const char*, const bpf_object_open_opts*);
  int (*object_load)(bpf_object*);
  void (*object_close)(bpf_object*);
  bpf_program* (*find_program_by_name)(const bpf_object*, const char*);
  int (*program_fd)(const bpf_program*);
  int (*find_map_fd_by_name)(const bpf_object*, const char*);
  int (*map_update_elem)(int, const void*, const void*, __u64);
  int (*map_delete_elem)(int, const void*);
  int (*map_get_next_key)(int, const void*, void*);
  int (*link_create)(int, int, enum bpf_attach_type, const bpf_link_create_opts*);
  libbpf_print_fn_t (*set_print)(libbpf_print_fn_t);
  // libxdp
  int (*umem_create)(xsk_umem**, void*, __u64, xsk_ring_prod*, xsk_ring_cons*, const xsk_umem_config*);
  int (*umem_delete)(xsk_umem*);
  int (*socket_create)(xsk_socket**, const char*, __u32, xsk_umem*, xsk_ring_cons*, xsk_ring_prod*,
                       const xsk_socket_config*);
  void (*socket_delete)(xsk_socket*);
  int (*socket_fd)(const xsk_socket*);
};

// The libraries, opened on first use; nullptr (and the reason in *err) when either is missing.
const XdpLib* xdp_lib(std::string* err);

}  // namespace pivs
