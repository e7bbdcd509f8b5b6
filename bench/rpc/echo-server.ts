// The reference for bench/rpc: the least a newline-delimited JSON-RPC server on a Unix socket
// can do. It parses each line and answers it with an empty result, nothing more: no validation,
// no dispatch, no backpressure. Usage: node bench/rpc/echo-server.ts SOCKET
import fs from 'node:fs';
import net from 'node:net';

const socketPath = process.argv[2];
if (!socketPath) {
  console.error('usage: echo-server.ts SOCKET');
  process.exit(2);
}
fs.rmSync(socketPath, { force: true });

const server = net.createServer((socket) => {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let out = '';
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let id: unknown = null;
      try {
        id = (JSON.parse(line) as { id?: unknown }).id ?? null;
      } catch {
        /* answered with id null, like a parse error */
      }
      out += JSON.stringify({ jsonrpc: '2.0', id, result: {} }) + '\n';
    }
    if (out) socket.write(out);
  });
  socket.on('error', () => socket.destroy());
});

server.listen(socketPath, () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
