// Maildir flags (the letters after ':2,' in a file name) to JMAP keywords (RFC 8621 §4.1.1).
//   S -> $seen, R -> $answered, F -> $flagged, D -> $draft, P (passed) -> $forwarded,
//   T (trashed, IMAP \Deleted awaiting expunge) -> $deleted. JMAP has no standard keyword for
//   \Deleted; we keep it as the custom keyword "$deleted" rather than drop the message, so a
//   restore loses nothing (a JMAP importer may skip such emails). a-z are Dovecot's custom
//   keywords, named per folder in dovecot-keywords. The original file name is exported too.

const STANDARD: Record<string, string> = { S: '$seen', R: '$answered', F: '$flagged', D: '$draft', P: '$forwarded', T: '$deleted' };
// RFC 8621: keywords are 1-255 chars of %x21-%x7E without ( ) { ] % * " \ and are lower-cased.
const VALID_KEYWORD = /^[\x21-\x7e]{1,255}$/;
const FORBIDDEN = /[(){\]%*"\\]/;

/** The Maildir info flags of a file name; '' for messages in new/ or without info. */
export function maildirFlags(filename: string): string {
  const i = filename.lastIndexOf(':2,');
  return i < 0 ? '' : filename.slice(i + 3);
}

export function keywordsFromFlags(flags: string, custom: readonly string[] = []): Record<string, true> {
  const out: Record<string, true> = {};
  for (const ch of flags) {
    let kw = STANDARD[ch];
    if (!kw && ch >= 'a' && ch <= 'z') kw = custom[ch.charCodeAt(0) - 97];
    if (!kw) continue;
    kw = kw.toLowerCase();
    if (VALID_KEYWORD.test(kw) && !FORBIDDEN.test(kw)) out[kw] = true;
  }
  return out;
}
