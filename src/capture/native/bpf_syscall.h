// The bpf() system call, which glibc does not wrap: the blind-spot queries and the drop probe use it.
#pragma once
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

inline long bpf(int command, union bpf_attr *attr) {
  return syscall(__NR_bpf, command, attr, sizeof(*attr));
}
