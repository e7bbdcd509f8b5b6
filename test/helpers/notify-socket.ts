// A real NOTIFY_SOCKET: a Unix datagram listener (python3, since Node has no AF_UNIX datagrams)
// that prints each datagram as one JSON line.
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import type { Test } from 'tap';

const LISTENER = `
import socket, sys, json, os
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print(json.dumps({"listening": True}), flush=True)
while True:
    data, _ = s.recvfrom(65536)
    print(json.dumps({"msg": data.decode()}), flush=True)
`;

export interface NotifyListener {
  path: string;
  messages: string[];
  /** Resolves with the first message (at or after index `from`) that contains `needle`. */
  waitFor(needle: string, from?: number, timeoutMs?: number): Promise<{ msg: string; index: number }>;
}

export async function startNotifyListener(t: Test, dir: string): Promise<NotifyListener> {
  const sockPath = path.join(dir, 'notify.sock');
  const child = spawn('python3', ['-c', LISTENER, sockPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { child.kill(); fs.rmSync(sockPath, { force: true }); });
  const messages: string[] = [];
  let buf = '';
  let ready!: () => void;
  const listening = new Promise<void>((r) => { ready = r; });
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as { listening?: boolean; msg?: string };
      buf = buf.slice(nl + 1);
      if (line.listening) ready();
      if (line.msg !== undefined) messages.push(line.msg);
    }
  });
  await listening;
  return {
    path: sockPath,
    messages,
    async waitFor(needle, from = 0, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = messages.findIndex((m, i) => i >= from && m.includes(needle));
        if (index >= 0) return { msg: messages[index]!, index };
        if (Date.now() > deadline) throw new Error(`no ${needle} in ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
