/*
 * tcx-drop DEV ingress|egress PORT: attaches a tcx program (Linux 6.6+) to DEV that drops IPv4 UDP to
 * PORT, prints "attached" and holds the link until killed. The lab needs it because these kernels lack
 * act_gact ("tc ... action drop") and netem; tcx runs where tc's classifiers do (sch_handle_ingress and
 * sch_handle_egress), so its drop is the one the tap scenarios predict. No libbpf: the bpf() syscall.
 */
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>

#include "bpf-attach.h"

/* Newer than the uapi headers of Debian 12: include/uapi/linux/bpf.h of 6.6. */
enum { ATTACH_TCX_INGRESS = 46, ATTACH_TCX_EGRESS = 47 };
enum { TCX_VERDICT_NEXT = -1, TCX_VERDICT_DROP = 2 };

enum { ETHERTYPE_AT = 12, IP_PROTOCOL_AT = 14 + 9, UDP_DST_PORT_AT = 14 + 20 + 2, NEEDED = 14 + 20 + 4 };

static struct bpf_insn instruction(unsigned char code, unsigned char dst, unsigned char src, short off, int imm) {
  struct bpf_insn insn = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
  return insn;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: tcx-drop DEV ingress|egress PORT\n");
    return 2;
  }
  unsigned ifindex = if_nametoindex(argv[1]);
  int ingress = strcmp(argv[2], "ingress") == 0;
  int port = atoi(argv[3]);
  if (ifindex == 0 || (!ingress && strcmp(argv[2], "egress") != 0) || port <= 0 || port > 65535) {
    fprintf(stderr, "tcx-drop: bad device, direction or port\n");
    return 2;
  }
  /* Packet bytes are in network order and the loads are little-endian: compare with swapped constants. */
  int ipv4 = 0x0008;
  int dst_port = ((port & 0xff) << 8) | (port >> 8);
  struct bpf_insn program[] = {
      instruction(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, offsetof(struct __sk_buff, data), 0),
      instruction(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, offsetof(struct __sk_buff, data_end), 0),
      instruction(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0),
      instruction(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, NEEDED),
      instruction(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 8, 0),
      instruction(BPF_LDX | BPF_H | BPF_MEM, BPF_REG_5, BPF_REG_2, ETHERTYPE_AT, 0),
      instruction(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 6, ipv4),
      instruction(BPF_LDX | BPF_B | BPF_MEM, BPF_REG_5, BPF_REG_2, IP_PROTOCOL_AT, 0),
      instruction(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 4, 17),
      instruction(BPF_LDX | BPF_H | BPF_MEM, BPF_REG_5, BPF_REG_2, UDP_DST_PORT_AT, 0),
      instruction(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 2, dst_port),
      instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, TCX_VERDICT_DROP),
      instruction(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
      instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, TCX_VERDICT_NEXT),
      instruction(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };
  return attach_and_hold("tcx-drop", BPF_PROG_TYPE_SCHED_CLS, program, sizeof(program) / sizeof(program[0]), ingress ? ATTACH_TCX_INGRESS : ATTACH_TCX_EGRESS, 0, ifindex);
}
