/*
 * usbwatch: the VM benchmark's probe, the same for every enforcer (after the QEMU USB prototype's).
 *
 * t0 is when this process receives the kernel's "add" uevent for a new USB device (netlink group 1,
 * the socket USBGuard's uevent backend and udevd read). From then on it reads that device's
 * `authorized` every POLL_US until it reads 1 (an allowed device: lat_ms = first 1 - t0) or
 * TIMEOUT_MS passes (a blocked one); an authorised device is watched on until the kernel's "bind"
 * uevent for one of its interfaces (bind_ms: a driver has it, the device works). Lines appended to the log files given with -a are stamped
 * when inotify reports them, so a blocked device's "decision logged" time is the same measure for
 * every enforcer. It also stamps when udevd re-sends the device's "add" (netlink group 2, what the `usb`
 * package's hotplug hears): udev_ms. Times are CLOCK_MONOTONIC ms (Node's process.hrtime uses the same clock).
 *
 * Output: one JSON object a line, held back while any device is being watched so that the probe
 * does no I/O while an enforcer is deciding.
 *   {"ev":"watch","name":"1-2","serial":"KBD-0001","t0":..,"result":"authorized"|"timeout"|"removed","lat_ms":..,"bind_ms":..,"udev_ms":..}
 *   {"ev":"log","file":"/var/log/x","t":..,"line":"..."}
 *
 * usage: usbwatch [-p poll_us] [-t timeout_ms] [-a log_file]...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WATCHES 16
#define MAX_LOGS 4
#define OUT_SIZE (1 << 20)

struct watch {
  int used, fd;
  char name[64], serial[128];
  double t0, t1, tbind, tudev;
};

struct log_file {
  const char *path;
  int fd, wd;
  off_t offset;
  char pending[8192];
  size_t pending_len;
};

static struct watch watches[MAX_WATCHES];
static struct log_file logs[MAX_LOGS];
static int log_count;
static char out[OUT_SIZE];
static size_t out_len;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void emit(const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(out + out_len, OUT_SIZE - out_len, format, args);
  va_end(args);
  if (n > 0 && out_len + (size_t)n < OUT_SIZE) out_len += (size_t)n;
}

/* Appends `s` as the inside of a JSON string. */
static void emit_escaped(const char *s) {
  for (; *s && out_len + 8 < OUT_SIZE; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') out[out_len++] = '\\', out[out_len++] = (char)c;
    else if (c < 0x20) out_len += (size_t)snprintf(out + out_len, 8, "\\u%04x", c);
    else out[out_len++] = (char)c;
  }
}

/* 2: some device is not authorised yet (poll it), 1: devices wait for their driver only, 0: none watched. */
static int watching(void) {
  int state = 0;
  for (int i = 0; i < MAX_WATCHES; i++)
    if (watches[i].used) state = watches[i].t1 == 0 ? 2 : (state ? state : 1);
  return state;
}

static void flush_output(void) {
  if (out_len == 0 || watching()) return;
  fwrite(out, 1, out_len, stdout);
  fflush(stdout);
  out_len = 0;
}

static const char *uevent_value(const char *buf, ssize_t len, const char *key) {
  size_t key_len = strlen(key);
  for (const char *p = buf; p < buf + len; p += strlen(p) + 1)
    if (!strncmp(p, key, key_len) && p[key_len] == '=') return p + key_len + 1;
  return NULL;
}

static char read_authorized(int fd) {
  char b[4];
  return pread(fd, b, sizeof b, 0) > 0 ? b[0] : '?';
}

static void finish(struct watch *w, const char *result) {
  emit("{\"ev\":\"watch\",\"name\":\"%s\",\"serial\":\"", w->name);
  emit_escaped(w->serial);
  emit("\",\"t0\":%.3f,\"result\":\"%s\"", w->t0, result);
  if (w->t1 > 0) emit(",\"lat_ms\":%.3f", w->t1 - w->t0);
  if (w->tbind > 0) emit(",\"bind_ms\":%.3f", w->tbind - w->t0);
  if (w->tudev > 0) emit(",\"udev_ms\":%.3f", w->tudev - w->t0);
  emit("}\n");
  close(w->fd);
  memset(w, 0, sizeof *w);
}

static void start_watch(const char *devpath, const char *name, double t0) {
  struct watch *w = NULL;
  for (int i = 0; i < MAX_WATCHES && !w; i++) if (!watches[i].used) w = &watches[i];
  if (!w) return;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "/sys%s/authorized", devpath);
  w->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (w->fd < 0) return;
  w->used = 1;
  w->t0 = t0;
  snprintf(w->name, sizeof w->name, "%s", name);
  snprintf(path, sizeof path, "/sys%s/serial", devpath);
  int sfd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = sfd >= 0 ? read(sfd, w->serial, sizeof w->serial - 1) : 0;
  if (sfd >= 0) close(sfd);
  w->serial[n > 0 ? n : 0] = 0;
  w->serial[strcspn(w->serial, "\n")] = 0;
  if (read_authorized(w->fd) == '1') w->t1 = now_ms();
}

/*
 * Kernel uevents (group 1) start watches; udevd's copies (group 2) are stamped. A udev message
 * starts with libudev's header, whose properties_off (at byte 16) says where the KEY=value pairs begin.
 */
static void read_uevents(int nl, int from_udev) {
  static char message[16384];
  ssize_t received;
  while ((received = recv(nl, message, sizeof message - 1, MSG_DONTWAIT)) > 0) {
    double t = now_ms();
    message[received] = 0;
    unsigned offset = 0;
    if (from_udev) {
      if (received < 40 || memcmp(message, "libudev", 8)) continue;
      memcpy(&offset, message + 16, sizeof offset);
      if (offset >= (unsigned)received) continue;
    }
    const char *buf = message + offset;
    ssize_t len = received - offset;
    const char *action = uevent_value(buf, len, "ACTION"), *devpath = uevent_value(buf, len, "DEVPATH");
    const char *devtype = uevent_value(buf, len, "DEVTYPE"), *subsystem = uevent_value(buf, len, "SUBSYSTEM");
    if (!action || !devpath || !devtype || !subsystem || strcmp(subsystem, "usb")) continue;
    const char *name = strrchr(devpath, '/');
    name = name ? name + 1 : devpath;
    if (!strcmp(devtype, "usb_interface")) {
      for (int i = 0; i < MAX_WATCHES; i++) {
        size_t l = strlen(watches[i].name);
        if (!from_udev && watches[i].used && !watches[i].tbind && !strcmp(action, "bind") && !strncmp(name, watches[i].name, l) && name[l] == ':') watches[i].tbind = t;
      }
      continue;
    }
    if (strcmp(devtype, "usb_device")) continue;
    if (from_udev) {
      for (int i = 0; i < MAX_WATCHES; i++)
        if (watches[i].used && !watches[i].tudev && !strcmp(action, "add") && !strcmp(watches[i].name, name)) watches[i].tudev = t;
    } else if (!strcmp(action, "add") && strncmp(name, "usb", 3)) start_watch(devpath, name, t);
    else if (!strcmp(action, "remove"))
      for (int i = 0; i < MAX_WATCHES; i++) if (watches[i].used && !strcmp(watches[i].name, name)) finish(&watches[i], "removed");
  }
}

static void read_logs(int in) {
  char events[4096];
  while (read(in, events, sizeof events) > 0) {}
  double t = now_ms();
  for (int i = 0; i < log_count; i++) {
    struct log_file *l = &logs[i];
    ssize_t n;
    while ((n = pread(l->fd, l->pending + l->pending_len, sizeof l->pending - 1 - l->pending_len, l->offset)) > 0) {
      l->offset += n;
      l->pending_len += (size_t)n;
      l->pending[l->pending_len] = 0;
      char *line = l->pending, *nl;
      while ((nl = strchr(line, '\n'))) {
        *nl = 0;
        emit("{\"ev\":\"log\",\"file\":\"%s\",\"t\":%.3f,\"line\":\"", l->path, t);
        emit_escaped(line);
        emit("\"}\n");
        line = nl + 1;
      }
      l->pending_len = strlen(line);
      memmove(l->pending, line, l->pending_len + 1);
      if (l->pending_len >= sizeof l->pending - 1) l->pending_len = 0;
    }
  }
}

static int open_uevents(unsigned group) {
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
  int rcvbuf = 4 << 20;
  struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = group };
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  return bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ? -1 : fd;
}

int main(int argc, char **argv) {
  long poll_us = 1000;
  double timeout_ms = 2000;
  int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK), opt;
  while ((opt = getopt(argc, argv, "p:t:a:")) != -1) {
    if (opt == 'p') poll_us = atol(optarg);
    else if (opt == 't') timeout_ms = atof(optarg);
    else if (opt == 'a' && log_count < MAX_LOGS) {
      struct log_file *l = &logs[log_count++];
      l->path = optarg;
      l->fd = open(optarg, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
      if (l->fd < 0 || (l->wd = inotify_add_watch(in, optarg, IN_MODIFY)) < 0) { perror(optarg); return 1; }
      l->offset = lseek(l->fd, 0, SEEK_END);
    }
  }
  int nl = open_uevents(1), udev = open_uevents(2);
  if (nl < 0 || udev < 0) { perror("netlink"); return 1; }
  printf("{\"ev\":\"ready\",\"t\":%.3f}\n", now_ms());
  fflush(stdout);

  for (;;) {
    struct pollfd fds[3] = { { nl, POLLIN, 0 }, { udev, POLLIN, 0 }, { in, POLLIN, 0 } };
    int state = watching();
    struct timespec tick = { 0, state == 2 ? poll_us * 1000 : 50 * 1000 * 1000 };
    int ready = ppoll(fds, 3, state ? &tick : NULL, NULL);
    if (ready < 0 && errno != EINTR) { perror("ppoll"); return 1; }
    if (ready > 0 && (fds[0].revents & POLLIN)) read_uevents(nl, 0);
    if (ready > 0 && (fds[1].revents & POLLIN)) read_uevents(udev, 1);
    if (ready > 0 && (fds[2].revents & POLLIN)) read_logs(in);
    double t = now_ms();
    for (int i = 0; i < MAX_WATCHES; i++) {
      struct watch *w = &watches[i];
      if (!w->used) continue;
      if (w->t1 == 0 && read_authorized(w->fd) == '1') w->t1 = t;
      if (w->t1 > 0 && w->tbind > 0) finish(w, "authorized");
      else if (t - w->t0 > timeout_ms) finish(w, w->t1 > 0 ? "authorized" : "timeout");
    }
    flush_output();
  }
}
