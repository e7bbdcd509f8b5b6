// What the rest of hostagent may use from src/notify.
export { parseNotificationUrl, redactNotificationUrl, SUPPORTED_SCHEMES, SERVICES, type ParsedNotificationUrl } from './registry.ts';
export { deliver, dryRun, testNotification, testMessage, DEFAULT_TIMEOUT_MS, type SendOptions, type DeliveryResult, type TestNotificationResult } from './send.ts';
export { sendOptionsFromConfig } from './options.ts';
export { createNotifier, type Notifier, type NotifierOptions, type NotifierLog, type NoticeSubject } from './dispatcher.ts';
export { effectiveNotificationTargets, shouldNotify, type NotificationTargets, type NotificationOverrides, type NotificationLevel } from './targets.ts';
export { renderJobNotification, renderTemplate, formatBytes, formatDuration, DEFAULT_TEMPLATES, TEMPLATE_FIELDS, type JobOutcome, type NotificationTemplates } from './templates.ts';
export { DEFAULT_RETRY } from './retry.ts';
export type { DeliveryAttempt, NotifyMessage, OutgoingRequest, RetryPolicy } from './types.ts';
