import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, Nullable, AbsolutePath } from '../../core/schema.ts';

const level = StringEnum(['error', 'info'], { description: '"error" notifies on failed runs only; "info" on every run.' });

const template = (dflt: string, description: string) => Type.String({ minLength: 1, maxLength: 4000, default: dflt, description });

/** The default texts; src/notify/templates.ts renders them. */
export const DEFAULT_NOTIFICATION_TEMPLATES = {
  successTitle: '[{host}] Backup of {account} succeeded',
  successBody: 'The {kind} backup of account {account} ({trigger}) finished in {duration}.\n'
    + 'Snapshot: {snapshotId}\nSize: {size}\nDestinations: {destinations}\nWarnings: {warnings}',
  failureTitle: '[{host}] Backup of {account} {outcome}',
  failureBody: 'The {kind} backup of account {account} ({trigger}) {outcome} after {duration}.\n'
    + 'Error: {errorCode}: {errorText}\nDestinations: {destinations}\nWarnings: {warnings}',
} as const;

export const notificationsSection = Type.Object({
  urls: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'shoutrrr-style notification URLs (discord://, smtp://, ntfy://, generic+https://, ...) notified about every job.' }),
  level: StringEnum(['error', 'info'], { default: 'error', description: '"error" notifies on failed runs only; "info" on every run.' }),
  templates: Type.Object({
    successTitle: template(DEFAULT_NOTIFICATION_TEMPLATES.successTitle, 'Title of a success notice. Placeholders: {account} {kind} {trigger} {jobId} {snapshotId} {size} {duration} {destinations} {warnings} {errorCode} {errorText} {host} {outcome}.'),
    successBody: template(DEFAULT_NOTIFICATION_TEMPLATES.successBody, 'Body of a success notice.'),
    failureTitle: template(DEFAULT_NOTIFICATION_TEMPLATES.failureTitle, 'Title of a failure notice.'),
    failureBody: template(DEFAULT_NOTIFICATION_TEMPLATES.failureBody, 'Body of a failure notice.'),
  }, { additionalProperties: false, default: {}, description: 'Notification texts.' }),
  retry: Type.Object({
    attempts: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'Tries per request, the first included.' }),
    baseDelayMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 1000, description: 'First backoff delay; it doubles per try. A Retry-After from the server takes precedence.' }),
  }, { additionalProperties: false, default: {}, description: 'Retries on network errors, HTTP 5xx and 429.' }),
  timeoutMs: Type.Integer({ minimum: 1000, maximum: 120_000, default: 10_000, description: 'Timeout of one request (or SMTP step).' }),
  caFile: Nullable(AbsolutePath(), { default: null, description: 'PEM file of extra CA certificates trusted for notification TLS (self-hosted gotify, ntfy, SMTP).' }),
}, { additionalProperties: false, default: {}, description: 'Notifications about finished jobs.' });

export type NotificationsConfig = Static<typeof notificationsSection>;

/** What packages, accounts and schedules may embed to add URLs or change the level. */
export const notificationOverrides = Type.Object({
  urls: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Notification URLs added to the global ones.' })),
  level: Type.Optional(level),
}, { additionalProperties: false, description: 'Notification overrides.' });

export type NotificationOverridesConfig = Static<typeof notificationOverrides>;
