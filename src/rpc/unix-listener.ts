import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AgentError } from '../errors/index.ts';
import { lookupGroup } from '../system/accounts-db.ts';

export interface SocketSpec {
  path: string;
  /** Octal string, e.g. "0660". */
  mode: string;
  /** Group name to own the socket; null leaves it as created. */
  group: string | null;
}

/** Resolves once something answers on the path (a live daemon), or rejects when nothing does. */
function probe(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socketPath);
    const done = (live: boolean) => {
      c.destroy();
      resolve(live);
    };
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
    c.setTimeout(1000, () => done(false));
  });
}

/**
 * Clears the way for a socket at `socketPath`: a stale socket file is removed, a live daemon or
 * any non-socket file in the way is an error (never delete what might be someone's data).
 */
export async function claimSocketPath(socketPath: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new AgentError('AGENT_E_CONFLICT', `${socketPath} exists and is not a socket; refusing to replace it`);
  }
  if (await probe(socketPath)) {
    throw new AgentError('AGENT_E_CONFLICT', `another hostagentd is already listening on ${socketPath}`);
  }
  fs.unlinkSync(socketPath);
}

/** Listens on a Unix socket created with its final mode: the umask keeps it closed until chmod. */
export async function listenUnix(server: net.Server, spec: SocketSpec): Promise<void> {
  fs.mkdirSync(path.dirname(spec.path), { recursive: true, mode: 0o755 });
  await claimSocketPath(spec.path);
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(old);
  }
  if (spec.group !== null) {
    const g = lookupGroup(spec.group);
    if (!g) throw new AgentError('AGENT_E_CONFIG', `group ${spec.group} of socket ${spec.path} does not exist`);
    fs.chownSync(spec.path, -1, g.gid);
  }
  fs.chmodSync(spec.path, parseInt(spec.mode, 8));
}
