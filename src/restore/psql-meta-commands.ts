// psql has no sandbox: a backslash command anywhere in its input (`\!` runs a shell, `\c` opens
// another database, `\o`/`\w` write files, `\i` reads them, `\copy ... program` runs programs)
// is executed by the client, not the server. A dump is therefore read before psql sees it, with
// the same lexical rules psql 14-17 apply (psqlscan.l): string literals, quoted identifiers,
// dollar quotes, comments, parentheses, BEGIN ATOMIC bodies and COPY ... FROM stdin data. Any
// backslash psql could take as a command is refused. Where the rules of psql versions or of
// standard_conforming_strings could disagree, the scanner refuses rather than guesses:
//   - a backslash directly before a quote inside a '...' literal (its end depends on the setting);
//   - a digit run followed by letters and a `$` (PostgreSQL 16 lexes `0x$a$` differently);
//   - anything after `FROM stdin;` on the COPY line.
// Only the COPY data of a top-level `COPY ... FROM stdin` statement may hold backslashes
// (`\N`, escapes), up to the `\.` line psql ends it with.
import fs from 'node:fs';
import readline from 'node:readline';
import { AgentError } from '../errors/index.ts';

type State = 'sql' | 'quote' | 'escape-quote' | 'ident' | 'dollar' | 'block-comment' | 'copy-data';

const IDENT_START = /[A-Za-z_\x80-\xff]/;
const IDENT_CONT = /[A-Za-z0-9_$\x80-\xff]/;
// pg_dump (since 13.22/14.19/15.14/16.10/17.6) brackets its output with these, on lines of their own.
const RESTRICT_LINE = /^\\(?:un)?restrict [A-Za-z0-9]+\r?$/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$/;

class Scanner {
  state: State = 'sql';
  dollarTag = '';
  commentDepth = 0;
  parenDepth = 0;
  beginDepth = 0;
  /** First letters of the statement's leading CREATE [OR REPLACE] FUNCTION|PROCEDURE words, as psql keeps them. */
  leading: string[] = [];
  identifierCount = 0;
  /** Unquoted words of the current statement outside parentheses, upper-cased (the first few matter). */
  words: string[] = [];

  readonly refuse: (line: number, why: string) => never;

  constructor(refuse: (line: number, why: string) => never) {
    this.refuse = refuse;
  }

  private endStatement(): void {
    this.leading = [];
    this.identifierCount = 0;
    this.words = [];
  }

  private isCopyFromStdin(): boolean {
    const w = this.words;
    if (w[0] !== 'COPY') return false;
    // COPY [schema.]table [(columns)] FROM STDIN ...; never COPY (query) TO ..., whose FROM is inside parentheses.
    const from = w.indexOf('FROM');
    return from >= 1 && from <= 3 && w[from + 1] === 'STDIN' && !w.includes('TO');
  }

  private identifier(word: string): void {
    const lower = word.toLowerCase();
    if (this.identifierCount === 0) this.leading = [];
    if (['create', 'function', 'procedure', 'or', 'replace'].includes(lower) && this.identifierCount < 4) this.leading[this.identifierCount] = lower[0]!;
    this.identifierCount++;
    const l = this.leading;
    const inRoutine = l[0] === 'c' && (l[1] === 'f' || l[1] === 'p' || (l[1] === 'o' && l[2] === 'r' && (l[3] === 'f' || l[3] === 'p')));
    if (inRoutine && this.parenDepth === 0) {
      if (lower === 'begin') this.beginDepth++;
      else if (lower === 'case' && this.beginDepth >= 1) this.beginDepth++;
      else if (lower === 'end' && this.beginDepth > 0) this.beginDepth--;
    }
    if (this.parenDepth === 0 && this.words.length < 64) this.words.push(word.toUpperCase());
  }

  /** Scans one line; false for a pg_dump `\\restrict`/`\\unrestrict` line, which is left out of the feed. */
  line(s: string, n: number): boolean {
    if (this.state === 'copy-data') {
      if (s === '\\.' || s === '\\.\r') this.state = 'sql';
      return true;
    }
    if (this.state === 'sql' && this.words.length === 0 && this.parenDepth === 0 && RESTRICT_LINE.test(s)) return false;
    let i = 0;
    while (i < s.length) {
      const c = s[i]!;
      switch (this.state) {
        case 'quote':
          if (c === '\\' && s[i + 1] === "'") this.refuse(n, 'a backslash before a quote inside a string literal (its meaning depends on standard_conforming_strings)');
          if (c === "'") {
            if (s[i + 1] === "'") i++;
            else this.state = 'sql';
          }
          i++;
          continue;
        case 'escape-quote':
          if (c === '\\') i += 2;
          else {
            if (c === "'") {
              if (s[i + 1] === "'") i++;
              else this.state = 'sql';
            }
            i++;
          }
          continue;
        case 'ident':
          if (c === '"') {
            if (s[i + 1] === '"') i++;
            else this.state = 'sql';
          }
          i++;
          continue;
        case 'dollar': {
          const at = s.indexOf(this.dollarTag, i);
          if (at < 0) return true;
          i = at + this.dollarTag.length;
          this.state = 'sql';
          continue;
        }
        case 'block-comment':
          if (c === '/' && s[i + 1] === '*') { this.commentDepth++; i += 2; continue; }
          if (c === '*' && s[i + 1] === '/') {
            i += 2;
            if (--this.commentDepth === 0) this.state = 'sql';
            continue;
          }
          i++;
          continue;
        case 'sql':
          break;
      }
      // Top level SQL.
      if (c === '\\') this.refuse(n, 'a psql backslash command');
      if (c === '-' && s[i + 1] === '-') return true;
      if (c === '/' && s[i + 1] === '*') { this.state = 'block-comment'; this.commentDepth = 1; i += 2; continue; }
      if (c === "'") { this.state = 'quote'; i++; continue; }
      if (c === '"') { this.state = 'ident'; i++; continue; }
      if (c === '$') {
        const m = DOLLAR_TAG.exec(s.slice(i, i + 256));
        if (m) { this.state = 'dollar'; this.dollarTag = m[0]; i += m[0].length; continue; }
        i++;
        while (i < s.length && /[0-9]/.test(s[i]!)) i++;
        continue;
      }
      if (/[0-9]/.test(c)) {
        let j = i;
        while (j < s.length && /[0-9A-Za-z_.$\x80-\xff]/.test(s[j]!)) j++;
        const token = s.slice(i, j);
        if (token.includes('$') && /[A-Za-z_\x80-\xff]/.test(token)) this.refuse(n, `an ambiguous token ${JSON.stringify(token.slice(0, 40))}`);
        // Digits, then any letters lex as an identifier in every version: handled below.
        while (i < s.length && /[0-9.]/.test(s[i]!)) i++;
        continue;
      }
      if (IDENT_START.test(c)) {
        let j = i + 1;
        while (j < s.length && IDENT_CONT.test(s[j]!)) j++;
        const word = s.slice(i, j);
        // E'...' (and e'...') is a string with backslash escapes; N'', B'', X'', U&'' end like '...'.
        if (j === i + 1 && (c === 'e' || c === 'E') && s[j] === "'") { this.state = 'escape-quote'; i = j + 1; continue; }
        this.identifier(word);
        i = j;
        continue;
      }
      if (c === '(') this.parenDepth++;
      else if (c === ')') { if (this.parenDepth > 0) this.parenDepth--; }
      else if (c === ';' && this.parenDepth === 0 && this.beginDepth === 0) {
        const copy = this.isCopyFromStdin();
        this.endStatement();
        if (copy) {
          if (s.slice(i + 1).trim() !== '') this.refuse(n, 'text after COPY ... FROM stdin on the same line');
          this.state = 'copy-data';
          return true;
        }
      }
      i++;
    }
    return true;
  }
}

/**
 * A stateful line filter for one pass over a dump: throws AGENT_E_RESTORE_UNSAFE at a psql
 * client command, returns null for pg_dump's own \\restrict/\\unrestrict lines (the restore
 * sends its own \\restrict with a key the dump cannot know), the line itself otherwise.
 */
export function psqlLineFilter(label: string): (line: string) => string | null {
  const refuse = (line: number, why: string): never => {
    throw new AgentError('AGENT_E_RESTORE_UNSAFE', `${label}: line ${line} holds ${why}; psql would run it as a client command, so the dump is not loaded`, { data: { field: 'databases', line } });
  };
  const scanner = new Scanner(refuse);
  let n = 0;
  return (line) => scanner.line(line, ++n) ? line : null;
}

/**
 * Refuses (AGENT_E_RESTORE_UNSAFE) a plain SQL dump that holds a psql client command; called
 * before anything is dropped. Bytes are read as latin1, as psql's lexer works on bytes.
 */
export async function assertNoPsqlMetaCommands(sqlFile: string, label: string): Promise<void> {
  const filter = psqlLineFilter(label);
  const lines = readline.createInterface({ input: fs.createReadStream(sqlFile, { encoding: 'latin1' }), crlfDelay: Infinity });
  try {
    for await (const l of lines) filter(l);
  } finally {
    lines.close();
  }
}
