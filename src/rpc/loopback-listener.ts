import type net from 'node:net';

/** Listens on a config's loopback "host:port" (127.x.x.x, [::1] or localhost; the schema refuses others). */
export async function listenLoopback(server: net.Server, address: string): Promise<void> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
