// Builds a deterministic hosting-account home for the demo, the tests and the benchmarks:
// WordPress-like text that compresses like source code, incompressible media, an .ssh holding
// private keys a backup must skip, a symlink out of the home, UTF-8 names and an empty dir.
import fs from 'node:fs';
import path from 'node:path';

export type SampleProfile = 'small' | 'wordpress' | 'large';

interface ProfileShape {
  sites: number;
  plugins: number;
  filesPerPlugin: number;
  media: number;
  mediaKiB: [number, number];
  bigFiles: number;
}

export const SAMPLE_PROFILES: Record<SampleProfile, ProfileShape> = {
  small: { sites: 1, plugins: 8, filesPerPlugin: 200, media: 60, mediaKiB: [20, 400], bigFiles: 0 },
  wordpress: { sites: 2, plugins: 40, filesPerPlugin: 280, media: 900, mediaKiB: [30, 800], bigFiles: 2 },
  large: { sites: 6, plugins: 70, filesPerPlugin: 280, media: 600, mediaKiB: [30, 900], bigFiles: 6 },
};

const WORDS = ('function return array string public private static class extends new this if else foreach ' +
  'while echo isset empty null true false add_action add_filter wp_enqueue_script get_option update_option ' +
  'esc_html esc_attr sanitize_text_field $post $query $args $result $value $key apply_filters do_action ' +
  'namespace use require_once __DIR__ define const var let document querySelector addEventListener ' +
  'margin padding display flex color background border width height').split(' ');

/** xorshift32: the same seed gives the same account on every machine. */
class Random {
  #s: number;
  constructor(seed: number) { this.#s = (seed >>> 0) || 1; }
  next(): number {
    let s = this.#s;
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    this.#s = s;
    return s / 4294967296;
  }
  int(lo: number, hi: number): number { return Math.floor(lo + this.next() * (hi - lo)); }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]!; }
}

export interface SampleAccount {
  root: string;
  profile: SampleProfile;
  files: number;
  bytes: number;
}

export function makeSampleAccount(root: string, profile: SampleProfile = 'small', seed = 1): SampleAccount {
  const shape = SAMPLE_PROFILES[profile];
  const rnd = new Random(seed);
  let files = 0;
  let bytes = 0;

  const text = (size: number): string => {
    const lines: string[] = [];
    let n = 0;
    let line: string[] = [];
    while (n < size) {
      const w = rnd.pick(WORDS);
      line.push(w);
      n += w.length + 1;
      if (line.length > rnd.int(4, 14)) {
        lines.push('  '.repeat(rnd.int(0, 4)) + line.join(' ') + ';');
        line = [];
      }
    }
    lines.push(line.join(' '));
    return lines.join('\n').slice(0, size) + '\n';
  };
  const noise = (size: number): Buffer => {
    const b = Buffer.allocUnsafe(size);
    for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE(Math.floor(rnd.next() * 4294967296), i);
    for (let i = size - (size % 4); i < size; i++) b[i] = Math.floor(rnd.next() * 256);
    return b;
  };
  const put = (rel: string, data: string | Buffer, mode = 0o644): void => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data, { mode });
    files++;
    bytes += Buffer.byteLength(data);
  };

  fs.mkdirSync(root, { recursive: true });
  put('.bashrc', text(600));
  put('.ssh/authorized_keys', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnlyForTests tenant@laptop\n', 0o600);
  put('.ssh/id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\nSAMPLE-ONLY-NOT-A-REAL-KEY\n-----END OPENSSH PRIVATE KEY-----\n', 0o600);
  put('.ssh/id_rsa', '-----BEGIN RSA PRIVATE KEY-----\nSAMPLE-ONLY-NOT-A-REAL-KEY\n-----END RSA PRIVATE KEY-----\n', 0o600);
  const exts = ['php', 'js', 'css', 'php', 'json'] as const;
  const dirs = ['includes', 'assets/js', 'assets/css', 'lang', 'src/Admin', 'vendor/lib'] as const;
  for (let s = 0; s < shape.sites; s++) {
    const site = s === 0 ? 'public_html' : `domains/site${s}.example/public_html`;
    put(`${site}/.git/HEAD`, 'ref: refs/heads/main\n');
    put(`${site}/.git/refs/heads/main`, `${'a'.repeat(8)}0123456789abcdef0123456789abcdef\n`);
    put(`${site}/wp-config.php`, text(3000));
    put(`${site}/.htaccess`, text(400));
    for (let p = 0; p < shape.plugins; p++) {
      for (let f = 0; f < shape.filesPerPlugin; f++) {
        put(`${site}/wp-content/plugins/plugin-${p}/${rnd.pick(dirs)}/file-${f}.${rnd.pick(exts)}`, text(rnd.int(300, 24000)));
      }
    }
    for (let m = 0; m < shape.media; m++) {
      const month = String(rnd.int(1, 13)).padStart(2, '0');
      put(`${site}/wp-content/uploads/20${rnd.int(18, 26)}/${month}/img ${m}.${rnd.pick(['jpg', 'png', 'webp'])}`,
        noise(1024 * rnd.int(shape.mediaKiB[0], shape.mediaKiB[1])));
    }
    put(`${site}/wp-content/uploads/résumé-ñ.pdf`, noise(50_000));
  }
  for (let b = 0; b < shape.bigFiles; b++) put(`backups/site-${b}.wpress`, noise(64 * 1024 * 1024 + b));
  put('logs/access.log', text(2_000_000));
  fs.symlinkSync('/etc/passwd', path.join(root, 'public_html/passwd-link'));
  fs.mkdirSync(path.join(root, 'tmp/empty-dir'), { recursive: true });
  return { root, profile, files, bytes };
}
