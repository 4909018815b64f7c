/*
 * xdp-generic DEV pass|drop: attaches an XDP program in generic (skb) mode to DEV that passes or drops
 * every packet, prints "attached" and holds the link until killed. The blind-spot tests need a real XDP
 * program on a veth: one that drops shows the gap between the device's counters and its ingress tap,
 * which runs after XDP. No libbpf, no clang: the bpf() syscall.
 */
#include <linux/if_link.h>
#include <net/if.h>

#include "bpf-attach.h"

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[2], "pass") != 0 && strcmp(argv[2], "drop") != 0)) {
    fprintf(stderr, "usage: xdp-generic DEV pass|drop\n");
    return 2;
  }
  unsigned ifindex = if_nametoindex(argv[1]);
  if (ifindex == 0) {
    fprintf(stderr, "xdp-generic: no device %s\n", argv[1]);
    return 2;
  }
  struct bpf_insn program[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = strcmp(argv[2], "drop") == 0 ? XDP_DROP : XDP_PASS},
      {.code = BPF_JMP | BPF_EXIT},
  };
  return attach_and_hold("xdp-generic", BPF_PROG_TYPE_XDP, program, sizeof(program) / sizeof(program[0]), BPF_XDP, XDP_FLAGS_SKB_MODE, ifindex);
}
