/*
 * What the lab's BPF programs share: loading a program with the bpf() syscall and linking it to a device,
 * then holding the link (it lives as long as its descriptor) until the process is killed, or pinning it
 * for tc to attach. No libbpf.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long bpf(int command, union bpf_attr *attr) {
  return syscall(__NR_bpf, command, attr, sizeof(*attr));
}

/* Loads `count` instructions as a program of `type` for `attach_type`; its descriptor, or -1 having said why as `tool`. */
static long load_program(const char *tool, int type, const struct bpf_insn *program, unsigned count, int attach_type) {
  static char log[65536];
  union bpf_attr load;
  memset(&load, 0, sizeof(load));
  load.prog_type = type;
  load.insn_cnt = count;
  load.insns = (unsigned long)program;
  load.license = (unsigned long)"GPL";
  load.log_level = 1;
  load.log_size = sizeof(log);
  load.log_buf = (unsigned long)log;
  load.expected_attach_type = attach_type;
  strncpy(load.prog_name, "lab_prog", sizeof(load.prog_name) - 1);
  long program_fd = bpf(BPF_PROG_LOAD, &load);
  if (program_fd < 0) fprintf(stderr, "%s: BPF_PROG_LOAD: %s\n%s\n", tool, strerror(errno), log);
  return program_fd;
}

/* Loads the program (no attach type: tc's cls_bpf takes it so) and pins it at `path` in a bpf
 * filesystem for `tc filter ... bpf da pinned PATH`; prints "pinned". 0, or 1 having said why. */
static inline int load_and_pin(const char *tool, int type, const struct bpf_insn *program, unsigned count, const char *path) {
  long program_fd = load_program(tool, type, program, count, 0);
  if (program_fd < 0) return 1;
  union bpf_attr pin;
  memset(&pin, 0, sizeof(pin));
  pin.pathname = (unsigned long)path;
  pin.bpf_fd = program_fd;
  if (bpf(BPF_OBJ_PIN, &pin) < 0) {
    fprintf(stderr, "%s: BPF_OBJ_PIN %s: %s\n", tool, path, strerror(errno));
    return 1;
  }
  printf("pinned\n");
  return 0;
}

/* Loads `count` instructions as a program of `type`, links it to `ifindex` at `attach_type` with `flags`,
 * prints "attached" and holds it; returns only on failure (1), having said why as `tool`. */
static int attach_and_hold(const char *tool, int type, const struct bpf_insn *program, unsigned count, int attach_type, unsigned flags, unsigned ifindex) {
  long program_fd = load_program(tool, type, program, count, attach_type);
  if (program_fd < 0) return 1;
  union bpf_attr link;
  memset(&link, 0, sizeof(link));
  link.link_create.prog_fd = program_fd;
  link.link_create.target_ifindex = ifindex;
  link.link_create.attach_type = attach_type;
  link.link_create.flags = flags;
  if (bpf(BPF_LINK_CREATE, &link) < 0) {
    fprintf(stderr, "%s: BPF_LINK_CREATE: %s\n", tool, strerror(errno));
    return 1;
  }
  printf("attached\n");
  fflush(stdout);
  for (;;) pause();
}
