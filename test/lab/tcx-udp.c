/*
 * tcx-udp DEV ingress|egress PORT drop|peer:PEERDEV [pin:PATH]: attaches a tcx program (Linux 6.6+) to
 * DEV that drops IPv4 UDP to PORT, or hands it to bpf_redirect_peer (ingress only) towards PEERDEV, a
 * veth whose peer is in another namespace: what Cilium does for a pod's traffic. Prints "attached" and
 * holds the link until killed. With pin:PATH the program is pinned there instead, for `tc filter ... bpf
 * da pinned PATH` (cls_bpf, as Cilium attached before tcx). The lab needs it because these kernels lack act_gact ("tc ... action drop") and netem; tcx runs
 * where tc's classifiers do (sch_handle_ingress and sch_handle_egress), so its drop is the one the tap
 * scenarios predict. No libbpf: the bpf() syscall.
 */
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>

#include "bpf-attach.h"

/* Newer than the uapi headers of Debian 12: include/uapi/linux/bpf.h of 6.6. */
enum { ATTACH_TCX_INGRESS = 46, ATTACH_TCX_EGRESS = 47 };
enum { TCX_VERDICT_NEXT = -1, TCX_VERDICT_DROP = 2 };
enum { HELPER_REDIRECT_PEER = 155 };

enum { ETHERTYPE_AT = 12, IP_PROTOCOL_AT = 14 + 9, UDP_DST_PORT_AT = 14 + 20 + 2, NEEDED = 14 + 20 + 4 };

static struct bpf_insn instruction(unsigned char code, unsigned char dst, unsigned char src, short off, int imm) {
  struct bpf_insn insn = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
  return insn;
}

static int usage(const char *why) {
  fprintf(stderr, "tcx-udp: %s\nusage: tcx-udp DEV ingress|egress PORT drop|peer:PEERDEV [pin:PATH]\n", why);
  return 2;
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) return usage("four or five arguments");
  const char *pin = argc == 6 && strncmp(argv[5], "pin:", 4) == 0 ? argv[5] + 4 : NULL;
  if (argc == 6 && pin == NULL) return usage("the fifth argument is pin:PATH");
  unsigned ifindex = if_nametoindex(argv[1]);
  int ingress = strcmp(argv[2], "ingress") == 0;
  int port = atoi(argv[3]);
  if (ifindex == 0 || (!ingress && strcmp(argv[2], "egress") != 0) || port <= 0 || port > 65535) return usage("bad device, direction or port");
  unsigned peer = 0;
  if (strncmp(argv[4], "peer:", 5) == 0) {
    peer = if_nametoindex(argv[4] + 5);
    if (peer == 0 || !ingress) return usage("bpf_redirect_peer needs an ingress program and a device");
  } else if (strcmp(argv[4], "drop") != 0) {
    return usage("the action is drop or peer:PEERDEV");
  }
  struct bpf_insn action[4];
  short action_length;
  if (peer != 0) {
    action[0] = instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, (int)peer);
    action[1] = instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0);
    action[2] = instruction(BPF_JMP | BPF_CALL, 0, 0, 0, HELPER_REDIRECT_PEER);
    action[3] = instruction(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    action_length = 4;
  } else {
    action[0] = instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, TCX_VERDICT_DROP);
    action[1] = instruction(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    action_length = 2;
  }
  /* Packet bytes are in network order and the loads are little-endian: compare with swapped constants. */
  int ipv4 = 0x0008;
  int dst_port = ((port & 0xff) << 8) | (port >> 8);
  /* Each failed check jumps past the rest of the checks and the action, to "next". */
  struct bpf_insn checks[] = {
      instruction(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, offsetof(struct __sk_buff, data), 0),
      instruction(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, offsetof(struct __sk_buff, data_end), 0),
      instruction(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0),
      instruction(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, NEEDED),
      instruction(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 6 + action_length, 0),
      instruction(BPF_LDX | BPF_H | BPF_MEM, BPF_REG_5, BPF_REG_2, ETHERTYPE_AT, 0),
      instruction(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 4 + action_length, ipv4),
      instruction(BPF_LDX | BPF_B | BPF_MEM, BPF_REG_5, BPF_REG_2, IP_PROTOCOL_AT, 0),
      instruction(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 2 + action_length, 17),
      instruction(BPF_LDX | BPF_H | BPF_MEM, BPF_REG_5, BPF_REG_2, UDP_DST_PORT_AT, 0),
      instruction(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, action_length, dst_port),
  };
  enum { CHECKS = sizeof(checks) / sizeof(checks[0]) };
  struct bpf_insn program[CHECKS + 4 + 2];
  unsigned count = 0;
  for (unsigned i = 0; i < CHECKS; i++) program[count++] = checks[i];
  for (short i = 0; i < action_length; i++) program[count++] = action[i];
  program[count++] = instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, TCX_VERDICT_NEXT);
  program[count++] = instruction(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  if (pin != NULL) return load_and_pin("tcx-udp", BPF_PROG_TYPE_SCHED_CLS, program, count, pin);
  return attach_and_hold("tcx-udp", BPF_PROG_TYPE_SCHED_CLS, program, count, ingress ? ATTACH_TCX_INGRESS : ATTACH_TCX_EGRESS, 0, ifindex);
}
