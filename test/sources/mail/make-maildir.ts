// A deterministic Maildir++ for the mail tests: INBOX and subfolders, every Maildir flag,
// RFC 2047-encoded and raw UTF-8 headers, CRLF and bare-LF bodies, 8-bit non-UTF-8 bytes,
// duplicate messages in two folders, a few large messages, a message still in tmp/.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

export interface GeneratedMessage {
  folder: string;
  subdir: 'cur' | 'new';
  name: string;
  flags: string;
  sha256: string;
  mtimeMs: number;
}

export const FOLDERS = ['', '.Sent', '.Drafts', '.Trash', '.Junk', '.Archive', '.Archive.2024', '.Entw&APw-rfe', '.Projects.Kunden.M&APw-ller'];

const SUBJECTS = [
  'Quarterly report',
  '=?UTF-8?B?R3LDvMOfZSBhdXMgTcO8bmNoZW4g4piD?=',         // RFC 2047 base64: Grüße aus München ☃
  '=?ISO-8859-1?Q?Caf=E9_cr=E8me?=',                    // RFC 2047 quoted-printable latin1
  'Raw UTF-8: Zürich → 東京, Łódź, Ελληνικά 🎉',
  '=?utf-8?q?Re=3A_Angebot_f=C3=BCr_Stra=C3=9Fe?=',
];

function rnd(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function message(i: number, r: () => number, big: boolean): Buffer {
  const crlf = i % 3 !== 0;
  const nl = crlf ? '\r\n' : '\n';
  const head = [
    `Return-Path: <sender${i}@example.org>`,
    `From: ${i % 2 ? '=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=' : 'Jürgen Müller'} <juergen${i}@example.org>`,
    'To: Tenant <tenant@example.com>',
    `Subject: ${SUBJECTS[i % SUBJECTS.length]} #${i}`,
    `Date: Mon, 4 Mar 2024 ${String(i % 24).padStart(2, '0')}:15:00 +0100`,
    `Message-ID: <msg-${i}@example.org>`,
    'MIME-Version: 1.0',
    `Content-Type: text/plain; charset=${i % 5 === 2 ? 'iso-8859-1' : 'utf-8'}`,
    'Content-Transfer-Encoding: 8bit',
  ].join(nl);
  const lines: string[] = [];
  const n = big ? 4000 : 3 + Math.floor(r() * 40);
  for (let k = 0; k < n; k++) lines.push(`line ${k} of message ${i}: ${Math.floor(r() * 1e9).toString(36)} Grüße ${'x'.repeat(Math.floor(r() * 60))}`);
  const body = Buffer.from(head + nl + nl + lines.join(nl) + nl, 'utf8');
  // Latin-1 bytes that are not valid UTF-8, and a bare CR: must survive byte for byte.
  return i % 5 === 2 ? Buffer.concat([body, Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0d, 0x20, 0xff, 0x0a])]) : body;
}

const FLAG_SETS = ['', 'S', 'RS', 'FS', 'DS', 'PS', 'ST', 'F', 'aS', 'abS', 'DFPRST'];

/** Writes `count` messages (plus duplicates); `owner` chowns the tree. Returns what was written. */
export function makeMaildir(root: string, count: number, owner?: { uid: number; gid: number }): GeneratedMessage[] {
  const r = rnd(42);
  const out: GeneratedMessage[] = [];
  for (const folder of FOLDERS) {
    const dir = path.join(root, folder);
    for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
    if (folder !== '') fs.writeFileSync(path.join(dir, 'maildirfolder'), '');
    fs.writeFileSync(path.join(dir, 'dovecot-keywords'), '0 $Junk\n1 Work-Project\n');
  }
  const base = Date.UTC(2024, 2, 4, 12, 0, 0);
  const write = (folder: string, i: number, data: Buffer, flagsIdx: number) => {
    const fresh = flagsIdx % 7 === 6;
    const flags = fresh ? '' : FLAG_SETS[flagsIdx % FLAG_SETS.length]!;
    const subdir = fresh ? 'new' : 'cur';
    const unique = `${1709550000 + i}.M${100000 + i}P${4000 + (i % 97)}.mailhost,S=${data.length}`;
    const name = fresh ? unique : `${unique}:2,${flags}`;
    const file = path.join(root, folder, subdir, name);
    fs.writeFileSync(file, data, { mode: 0o600 });
    const mtimeMs = base + i * 61_000;
    fs.utimesSync(file, mtimeMs / 1000, mtimeMs / 1000);
    out.push({ folder, subdir, name, flags, sha256: createHash('sha256').update(data).digest('hex'), mtimeMs });
  };
  for (let i = 0; i < count; i++) {
    const folder = FOLDERS[i % 10 < 5 ? 0 : 1 + (i % FOLDERS.length) % (FOLDERS.length - 1)]!;
    const data = message(i, r, i % 250 === 7);
    write(folder, i, data, i);
    // Every 50th message was also copied to the archive: same bytes, second file.
    if (i % 50 === 1) write('.Archive', count + i, data, i + 1);
  }
  // A delivery in progress: must not be exported.
  fs.writeFileSync(path.join(root, 'tmp', '1709559999.M1P1.mailhost'), 'From: partial\r\n');
  if (owner) chownTree(root, owner.uid, owner.gid);
  return out;
}

function chownTree(p: string, uid: number, gid: number): void {
  fs.lchownSync(p, uid, gid);
  if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

/** Every message file of a Maildir: folder/subdir/name -> sha256 of the content. */
export function maildirFiles(root: string, only?: (folder: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  const folders = ['', ...fs.readdirSync(root).filter((n) => n.startsWith('.'))];
  for (const f of folders) {
    if (only && !only(f)) continue;
    for (const sub of ['cur', 'new']) {
      const dir = path.join(root, f, sub);
      if (!fs.existsSync(dir)) continue;
      for (const n of fs.readdirSync(dir)) out.set(`${f}/${sub}/${n}`, createHash('sha256').update(fs.readFileSync(path.join(dir, n))).digest('hex'));
    }
  }
  return out;
}
