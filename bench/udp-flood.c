// The live benchmark's sender: UDP datagrams with 18-byte payloads (60-byte Ethernet frames) to one
// address as fast as sendmmsg takes them, or at RATE datagrams a second (sent in batches a millisecond
// apart), for a number of seconds; prints how many it sent (bench/live counts the frames that crossed
// the veth instead: those are what the captures could see).
// Usage: udp-flood ADDRESS PORT SECONDS [RATE]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 256
#define PAYLOAD 18

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: udp-flood ADDRESS PORT SECONDS [RATE]\n");
    return 2;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
    fprintf(stderr, "udp-flood: bad address %s\n", argv[1]);
    return 2;
  }
  const double seconds = atof(argv[3]);
  const double rate = argc == 5 ? atof(argv[4]) : 0;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
    perror("udp-flood: socket");
    return 1;
  }
  static char payload[PAYLOAD];
  struct iovec iov = {.iov_base = payload, .iov_len = PAYLOAD};
  struct mmsghdr messages[BATCH];
  memset(messages, 0, sizeof(messages));
  for (int i = 0; i < BATCH; i++) {
    messages[i].msg_hdr.msg_iov = &iov;
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  unsigned long long sent = 0;
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    double elapsed = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
    if (elapsed >= seconds) break;
    int batch = BATCH;
    if (rate > 0) {
      // Paced: what the schedule owes by now, at most a batch; else wait a millisecond.
      double owed = rate * elapsed - (double)sent;
      if (owed < 1) {
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 1000000};
        nanosleep(&pause, NULL);
        continue;
      }
      batch = owed < BATCH ? (int)owed : BATCH;
    }
    int n = sendmmsg(fd, messages, batch, 0);
    if (n > 0) sent += (unsigned long long)n;
  }
  printf("%llu\n", sent);
  return 0;
}
