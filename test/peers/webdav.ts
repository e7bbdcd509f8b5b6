// webdav-server (npm) over a temp directory, on a random loopback port, with basic auth.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { closeHard, trackConnections, type ConnectionControl } from './http-server.ts';
import { freePort } from './free-port.ts';

const { v2: webdav } = createRequire(import.meta.url)('webdav-server') as { v2: any };

export interface WebdavPeer {
  url: string;
  username: string;
  password: string;
  /** The directory the server serves, to check what it really holds. */
  directory: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebdav(): Promise<WebdavPeer> {
  const directory = mkdtempSync(join(tmpdir(), 'hat-webdav-'));
  const port = await freePort();
  const username = 'hatdav';
  const password = 'dav-secret-pw';
  let server: any;
  let http: Server | undefined;
  let tracker: ConnectionControl | undefined;
  const start = async () => {
    const users = new webdav.SimpleUserManager();
    const user = users.addUser(username, password, false);
    const privileges = new webdav.SimplePathPrivilegeManager();
    privileges.setRights(user, '/', ['all']);
    server = new webdav.WebDAVServer({
      hostname: '127.0.0.1',
      port,
      httpAuthentication: new webdav.HTTPBasicAuthentication(users, 'hostagent-test'),
      privilegeManager: privileges,
      rootFileSystem: new webdav.PhysicalFileSystem(directory),
    });
    http = await new Promise<Server>((resolve) => server.start((s: Server) => resolve(s)));
    tracker = trackConnections(http);
  };
  const stop = async () => {
    if (http) await closeHard(http, tracker!);
    http = undefined;
    server = undefined;
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    username, password, directory, start, stop,
    close: async () => { await stop(); rmSync(directory, { recursive: true, force: true }); },
  };
}
