import { createServer, type Server } from "node:net";

/**
 * `count` distinct free loopback ports, found by letting the kernel pick them while all are held
 * open at once: picked one after another, a port just released can be handed out again (a test
 * run once got the same port for PostgreSQL and Kafka).
 */
export async function getPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      server.unref();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.on("error", reject);
          server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            if (typeof address === "object" && address) resolve(address.port);
            else reject(new Error("no port"));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** A free loopback port, found by letting the kernel pick one. */
export async function getPort(): Promise<number> {
  return (await getPorts(1))[0] as number;
}
