import type { Clock } from '../core/clock.ts';
import type { SnapshotRow } from '../core/model.ts';
import type { Store } from '../core/store.ts';
import { LINK_PREFIX } from './download-handler.ts';
import { hashSecret, newLinkToken } from './link-token.ts';

/** Makes links: the token goes to the caller once; the database keeps its hash and the session's. */
export function createLink(deps: { store: Store; clock: Clock; baseUrl: () => string }, s: SnapshotRow, session: string, ttlSeconds: number) {
  const token = newLinkToken();
  const now = deps.clock.now();
  const expiresAt = now + ttlSeconds * 1000;
  deps.store.downloadLinks.insert({ tokenHash: hashSecret(token), snapshotId: s.id, account: s.account, sessionHash: hashSecret(session), createdAt: now, expiresAt });
  const path = `${LINK_PREFIX}${token}`;
  return { url: `${deps.baseUrl().replace(/\/+$/, '')}${path}`, path, expiresAt };
}
