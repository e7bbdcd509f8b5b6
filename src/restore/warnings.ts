// Warning codes a restore reports (job warnings); stable, panels may show them.
export const RESTORE_WARNINGS = {
  unsafePath: 'RESTORE_UNSAFE_PATH',
  throughLink: 'RESTORE_THROUGH_SYMLINK',
  hardlink: 'RESTORE_HARDLINK_REFUSED',
  special: 'RESTORE_SPECIAL_FILE',
  setid: 'RESTORE_SETID_STRIPPED',
  outside: 'RESTORE_OUTSIDE_FILES',
  failed: 'RESTORE_WRITE_FAILED',
  mail: 'RESTORE_MAIL_SKIPPED',
  dns: 'RESTORE_DNS_INVALID',
  notOwned: 'RESTORE_NOT_OWNED',
  truncated: 'RESTORE_WARNINGS_TRUNCATED',
  source: 'RESTORE_SOURCE_SKIPPED',
  cleanup: 'RESTORE_CLEANUP_FAILED',
} as const;
