import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';

/**
 * A loopback endpoint that takes every connection and request and never answers: an AWS endpoint that hangs, or a
 * connection cut while Lambda froze the function.
 */
export async function startSilentServer() {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** How many connections it has taken: one per attempt of the client under test. */
    connections: () => sockets.length,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
