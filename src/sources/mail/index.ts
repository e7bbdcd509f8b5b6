export { mailEntries, mailboxesEntries, type MailboxSpec, type MailExportOptions } from './export.ts';
export { keywordsFromFlags, maildirFlags } from './keywords.ts';
export { decodeModifiedUtf7, roleByName } from './folders.ts';
export { accountDocument } from './account.ts';
