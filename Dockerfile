# The SAM Compiler application image: one image, three services (web, collab,
# runner), chosen by the command. docker-compose.yml shows how they fit
# together with a shared PostgreSQL and Redis; deploy/k8s does the same on a
# cluster. Untrusted code never runs in this image's own processes: the runner
# starts a fresh sandbox for each run with the oci driver (runc or crun on an
# unpacked root filesystem built from sandbox/images/runtime), which needs the
# container privileges described in deploy/k8s/README.md.
# The full image: argon2 compiles from source (its prebuilt binary crashes on some CPUs).
ARG NODE_IMAGE=node:20-bookworm
FROM ${NODE_IMAGE}
# The runner's sandbox tools: runc and crun (the oci driver's runtimes), podman and debootstrap
# (build the sandbox image where no prepared one is mounted), uidmap (user namespaces),
# apparmor (apparmor_parser: on an AppArmor host the runner loads the sandbox profile).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends runc crun podman debootstrap uidmap fuse-overlayfs apparmor ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN node scripts/setup.mjs build
ENV NODE_ENV=production HOST=0.0.0.0 SAM_DATA_DIR=/var/lib/sam SAM_SANDBOX_DIR=/var/lib/sam-sandbox
EXPOSE 8080 8081 8082
CMD ["node", "--import", "tsx", "web/server.ts"]
