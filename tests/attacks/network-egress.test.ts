import net from "node:net";
import os from "node:os";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/** A host TCP server on every interface: the sandbox must not reach it by any address. */
let server: net.Server;
let port = 0;
let connections = 0;
beforeAll(async () => {
  server = net.createServer((s) => {
    connections++;
    s.end("HOST-SERVICE\n");
  });
  await new Promise<void>((r) => server.listen(0, "0.0.0.0", r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const hostAddresses = () => [
  "127.0.0.1",
  ...Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i && i.family === "IPv4" && !i.internal)
    .map((i) => i!.address),
];

attackSuite("network egress", ({ driver }) => {
  it("cannot reach the host's services (test server, web app) on any host address", async () => {
    const webPort = new URL(inject("webUrl")).port;
    const targets = hostAddresses().flatMap((a) => [
      [a, port],
      [a, Number(webPort)],
    ]);
    const source = `import socket, json
out = {}
for host, port in ${JSON.stringify(targets)}:
    try:
        socket.create_connection((host, port), timeout=2).close()
        out[f"{host}:{port}"] = "CONNECTED"
    except Exception as e:
        out[f"{host}:{port}"] = type(e).__name__
print(json.dumps(out))`;
    const result = await runProgram(driver(), "python", source, { limits: { wallTimeMs: 30000 } });
    const outcome = JSON.parse(result.stdout) as Record<string, string>;
    expect(Object.values(outcome)).not.toContain("CONNECTED");
    expect(connections).toBe(0);
  });

  it("has no network interface but loopback, and no DNS", async () => {
    const result = await runProgram(
      driver(),
      "python",
      `import socket, os
print(sorted(name for _, name in socket.if_nameindex()))
try:
    socket.getaddrinfo('deb.debian.org', 80); print('RESOLVED')
except Exception as e: print('no dns')`,
    );
    expect(result.stdout).toContain("['lo']");
    expect(result.stdout).toContain("no dns");
  });

  it("cannot see the Redis, PostgreSQL or container-engine sockets", async () => {
    const paths = [inject("redisUrl").split("?")[0]!, `${inject("dataDir")}/run`, "/var/run/docker.sock", "/run/podman/podman.sock", "/var/run/postgresql"];
    const result = await runProgram(driver(), "bash", paths.map((p) => `[ -e '${p}' ] && echo "VISIBLE ${p}"`).join("; ") + "; echo checked");
    expect(result.stdout).toBe("checked\n");
  });
});
