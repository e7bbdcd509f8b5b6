// Matrix: matrix://user:password@host[:port]/?rooms=!id,#alias:server&title=&disabletls=no
// With a user: GET then POST /_matrix/client/r0/login (m.login.password); without one the password
// is the access token. Rooms not starting with '!' are joined (POST .../join/{alias}) to learn their
// id; with no rooms, every joined room gets the message. PUT .../rooms/{id}/send/m.room.message/{txn}.
import { UrlParts } from '../url-parts.ts';
import { sendError } from '../retry.ts';
import { jsonRequest, titled } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface MatrixConfig { host: string; user: string; password: string; rooms: string[]; title?: string; disableTls: boolean }

const API = '/_matrix/client/r0';
let txnCounter = 0;

function parseJson(body: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw sendError(`matrix: ${what}: the server's answer is not JSON`, { retryable: false });
  }
}

export const matrix: NotifyService<MatrixConfig> = {
  name: 'matrix',
  schemes: ['matrix'],
  parse(url) {
    const p: UrlParts = new UrlParts('matrix', url);
    if (!p.host) p.fail('the host', 'is missing');
    if (!p.password) p.fail('the password or access token (password part)', 'is missing');
    const rooms = p.list('rooms', 'room').map((r) => (r.startsWith('!') || r.startsWith('#') ? r : `#${r}`));
    const c: MatrixConfig = { host: p.host, user: p.user, password: p.password, rooms, title: p.q('title'), disableTls: p.bool('disabletls', false) };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.password],
  async send(c, message, ctx) {
    const base = `${c.disableTls ? 'http' : 'https'}://${c.host}${API}`;
    let token = c.password;
    if (c.user) {
      const flows = parseJson((await ctx.http({ method: 'GET', url: `${base}/login`, headers: {}, dryRunResponse: { flows: [{ type: 'm.login.password' }] } })).body, 'login flows');
      const types = Array.isArray(flows.flows) ? flows.flows.map((f) => (f as { type?: string }).type) : [];
      if (!types.includes('m.login.password')) throw sendError('matrix: the server offers no password login', { retryable: false });
      const login = parseJson((await ctx.http({
        ...jsonRequest('POST', `${base}/login`, { type: 'm.login.password', identifier: { type: 'm.id.user', user: c.user }, password: c.password }),
        dryRunResponse: { access_token: '***' },
      })).body, 'login');
      if (typeof login.access_token !== 'string' || !login.access_token) throw sendError('matrix: login returned no access token', { retryable: false });
      token = login.access_token;
      ctx.addSecret(token);
    }
    const auth = `access_token=${encodeURIComponent(token)}`;
    let roomIds: string[] = [];
    if (c.rooms.length === 0) {
      const joined = parseJson((await ctx.http({ method: 'GET', url: `${base}/joined_rooms?${auth}`, headers: {}, dryRunResponse: { joined_rooms: ['!joined:dry.run'] } })).body, 'joined rooms');
      roomIds = Array.isArray(joined.joined_rooms) ? joined.joined_rooms.map(String) : [];
    } else {
      for (const room of c.rooms) {
        if (room.startsWith('!')) { roomIds.push(room); continue; }
        const res = parseJson((await ctx.http({
          ...jsonRequest('POST', `${base}/join/${encodeURIComponent(room)}?${auth}`, {}),
          dryRunResponse: { room_id: `!${room.slice(1)}` },
        })).body, 'join');
        if (typeof res.room_id !== 'string') throw sendError('matrix: joining a room returned no room id', { retryable: false });
        roomIds.push(res.room_id);
      }
    }
    const body = titled(message, c.title ?? message.title);
    for (const roomId of roomIds) {
      const txn = `hostagent-${process.pid}-${Date.now()}-${++txnCounter}`;
      await ctx.http(jsonRequest('PUT', `${base}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}?${auth}`, { msgtype: 'm.text', body }));
    }
  },
};
