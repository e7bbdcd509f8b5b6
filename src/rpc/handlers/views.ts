// Domain records as the API shows them: ISO timestamps, stable field names, no internals.
import type { JobRecord } from '../../core/jobs/index.ts';
import type { AccountRow, PackageRow, SnapshotRow } from '../../core/model.ts';
import type { RestoreRequestRow } from '../../core/store.ts';
import type { SocketKind } from '../call-context.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function jobView(j: JobRecord) {
  return {
    jobId: j.id, kind: j.kind, account: j.account, status: j.status, trigger: j.trigger, progress: j.progress,
    snapshotId: j.snapshotId, ...(j.errcode ? { errcode: j.errcode } : {}), ...(j.errtext ? { errtext: j.errtext } : {}),
    warnings: j.warnings, ...(j.status === 'succeeded' && j.result ? { result: j.result } : {}), createdAt: iso(j.createdAt)!, startedAt: iso(j.startedAt), finishedAt: iso(j.finishedAt),
  };
}

/** A tenant restore before it became a job: waiting for an admin, or refused. */
export function restoreRequestView(r: RestoreRequestRow) {
  return {
    jobId: r.id, kind: 'restore', account: r.account, status: r.status === 'rejected' ? 'rejected' as const : 'pending' as const, trigger: 'tenant', progress: {},
    snapshotId: r.snapshotId, ...(r.status === 'rejected' ? { errcode: 'AGENT_E_RESTORE_REJECTED', errtext: r.reason ?? 'rejected' } : {}),
    warnings: [], createdAt: iso(r.createdAt)!, startedAt: null, finishedAt: iso(r.decidedAt),
  };
}

export function snapshotView(s: SnapshotRow, socket: SocketKind, paths: () => string[]) {
  return {
    snapshotId: s.id, account: s.account, kind: s.kind, status: s.status, createdAt: iso(s.createdAt)!, bytes: s.bytes, sha256: s.sha256,
    files: s.files, scope: s.scope, compression: s.compression, trigger: s.trigger, note: s.note, parts: s.parts, temporary: s.temporary,
    expiresAt: iso(s.expiresAt), ...(socket === 'admin' ? { path: paths()[0] } : {}),
    locations: s.locations.map((l) => ({ ...l, storedAt: iso(l.storedAt)! })),
  };
}

type UrlRedactor = (url: string) => string;

/** Notification URLs carry tokens in paths and hosts, which only the notify module knows how to hide. */
function overridesView<T extends { notifications?: { urls?: string[]; level?: string } }>(o: T, redactUrl: UrlRedactor): T {
  if (!o.notifications?.urls) return o;
  return { ...o, notifications: { ...o.notifications, urls: o.notifications.urls.map(redactUrl) } };
}

export function accountView(a: AccountRow, redactUrl: UrlRedactor) {
  const { createdAt, updatedAt, ...spec } = a;
  return { ...overridesView(spec, redactUrl), createdAt: iso(createdAt)!, updatedAt: iso(updatedAt)! };
}

export function packageView(p: PackageRow, redactUrl: UrlRedactor) {
  return { ...overridesView(p, redactUrl), createdAt: iso(p.createdAt)!, updatedAt: iso(p.updatedAt)! };
}
