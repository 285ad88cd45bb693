# The SAM Compiler application image: one image, three services (web, collab,
# runner), chosen by the command. docker-compose.yml shows how they fit
# together with a shared PostgreSQL and Redis. Untrusted code never runs in
# this image: the runner starts sandboxes built from sandbox/.
# The full image: argon2 compiles from source (its prebuilt binary crashes on some CPUs).
FROM node:20-bookworm
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN node scripts/setup.mjs build
ENV NODE_ENV=production HOST=0.0.0.0 SAM_DATA_DIR=/var/lib/sam
EXPOSE 8080 8081 8082
CMD ["node", "--import", "tsx", "web/server.ts"]
