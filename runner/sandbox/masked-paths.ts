/**
 * Kernel interfaces a run must not read (masked: an empty file or directory
 * over them) or change (read-only), in both drivers. Docker's defaults (moby
 * oci/defaults.go), Podman's additions (/sys/dev/block, /sys/fs/selinux), and
 * ours: the cgroup tree. /sys/devices/virtual/powercap holds the RAPL energy
 * counters, a side channel on what other processes compute; /proc/interrupts
 * and the timer files leak the host's activity too, as do pressure stall
 * information, disk statistics and the memory zones. /proc/cmdline shows how
 * the host booted (on a VM, its control setup). /proc/stat and /proc/loadavg
 * stay: tools programs use (ps, top, uptime) read them.
 */
export const MASKED_PATHS = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/buddyinfo",
  "/proc/cmdline",
  "/proc/diskstats",
  "/proc/interrupts",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/pressure",
  "/proc/sched_debug",
  "/proc/scsi",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/zoneinfo",
  "/sys/block",
  "/sys/class/block",
  "/sys/dev/block",
  "/sys/devices/virtual/powercap",
  "/sys/firmware",
  "/sys/fs/cgroup",
  "/sys/fs/selinux",
];

export const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];
