#!/bin/sh
# Entry point of the runner (and of the one-shot sandbox preparation) in a container.
#
# The oci driver makes one cgroup per run under /sys/fs/cgroup/sam and sets memory, pids and cpu
# limits on it. On cgroup v2 a container usually has a cgroup namespace of its own whose root
# holds the container's processes, and the kernel refuses to hand controllers down from a cgroup
# that holds processes ("no internal processes"). So, like Docker-in-Docker's entry point: move
# every process of the root into a leaf cgroup "init", then delegate all controllers.
# On cgroup v1 (no cgroup.controllers file) there is nothing to do.
set -eu
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/init
  while read -r pid; do
    echo "$pid" > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  done < /sys/fs/cgroup/cgroup.procs
  controllers=$(sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers)
  [ "$controllers" = "+" ] || echo "$controllers" > /sys/fs/cgroup/cgroup.subtree_control
fi
exec "$@"
