// Maildir++ folder directories (`.Archive.2024`) to JMAP Mailbox names, parents and roles.
// Folder names are IMAP modified UTF-7 (RFC 3501 §5.1.3), '.' separates levels.

/** Decodes IMAP modified UTF-7 (`Entw&APw-rfe` -> `Entwürfe`); malformed input stays as it is. */
export function decodeModifiedUtf7(s: string): string {
  return s.replace(/&([A-Za-z0-9+,]*)-/g, (whole, b64: string) => {
    if (b64 === '') return '&';
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    if (bytes.length % 2 !== 0) return whole;
    let out = '';
    for (let i = 0; i < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i));
    return out;
  });
}

/** Levels of a folder: '' (INBOX) -> [], '.Archive.2024' -> ['Archive', '2024'] (still encoded). */
export function folderLevels(folder: string): string[] {
  return folder === '' ? [] : folder.slice(1).split('.');
}

export function parentFolder(folder: string): string | null {
  const levels = folderLevels(folder);
  if (levels.length === 0) return null;
  return levels.length === 1 ? '' : '.' + levels.slice(0, -1).join('.');
}

const ROLE_NAMES: Array<[string, string[]]> = [
  ['sent', ['sent', 'sent items', 'sent messages', 'sent mail']],
  ['drafts', ['drafts', 'draft']],
  ['trash', ['trash', 'deleted items', 'deleted messages', 'bin']],
  ['junk', ['junk', 'spam', 'junk e-mail', 'junk email', 'bulk mail']],
  ['archive', ['archive', 'archives']],
];

/** The JMAP role a top-level folder plays by its (decoded) name, if any. */
export function roleByName(decodedName: string): string | null {
  const n = decodedName.toLowerCase();
  for (const [role, names] of ROLE_NAMES) if (names.includes(n)) return role;
  return null;
}
