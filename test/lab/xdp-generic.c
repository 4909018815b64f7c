/*
 * xdp-generic DEV pass|drop|xsk: attaches an XDP program in generic (skb) mode to DEV that passes or
 * drops every packet, or (xsk) offers each to an AF_XDP socket through an xskmap, as AF_XDP programs do
 * (the map is empty: bpf_redirect_map falls back to XDP_PASS). Prints "attached" and holds the link until
 * killed. The blind-spot tests need a real XDP program on a veth: one that drops shows the gap between
 * the device's counters and its ingress tap, which runs after XDP. No libbpf, no clang: the bpf() syscall.
 */
#include <linux/if_link.h>
#include <net/if.h>
#include <stddef.h>

#include "bpf-attach.h"

enum { HELPER_REDIRECT_MAP = 51 };

int main(int argc, char **argv) {
  int xsk = argc == 3 && strcmp(argv[2], "xsk") == 0;
  if (argc != 3 || (strcmp(argv[2], "pass") != 0 && strcmp(argv[2], "drop") != 0 && !xsk)) {
    fprintf(stderr, "usage: xdp-generic DEV pass|drop|xsk\n");
    return 2;
  }
  unsigned ifindex = if_nametoindex(argv[1]);
  if (ifindex == 0) {
    fprintf(stderr, "xdp-generic: no device %s\n", argv[1]);
    return 2;
  }
  struct bpf_insn verdict[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = strcmp(argv[2], "drop") == 0 ? XDP_DROP : XDP_PASS},
      {.code = BPF_JMP | BPF_EXIT},
  };
  if (!xsk) return attach_and_hold("xdp-generic", BPF_PROG_TYPE_XDP, verdict, sizeof(verdict) / sizeof(verdict[0]), BPF_XDP, XDP_FLAGS_SKB_MODE, ifindex);
  union bpf_attr map;
  memset(&map, 0, sizeof(map));
  map.map_type = BPF_MAP_TYPE_XSKMAP;
  map.key_size = 4;
  map.value_size = 4;
  map.max_entries = 1;
  int map_fd = (int)bpf(BPF_MAP_CREATE, &map);
  if (map_fd < 0) {
    fprintf(stderr, "xdp-generic: BPF_MAP_CREATE xskmap: %s\n", strerror(errno));
    return 1;
  }
  /* bpf_redirect_map(xskmap, ctx->rx_queue_index, XDP_PASS) */
  struct bpf_insn offer[] = {
      {.code = BPF_LDX | BPF_W | BPF_MEM, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_1, .off = offsetof(struct xdp_md, rx_queue_index)},
      {.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd},
      {.code = 0},
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = XDP_PASS},
      {.code = BPF_JMP | BPF_CALL, .imm = HELPER_REDIRECT_MAP},
      {.code = BPF_JMP | BPF_EXIT},
  };
  return attach_and_hold("xdp-generic", BPF_PROG_TYPE_XDP, offer, sizeof(offer) / sizeof(offer[0]), BPF_XDP, XDP_FLAGS_SKB_MODE, ifindex);
}
