import { run } from './tenant.ts';

export interface CurlResult { status: number; headers: Record<string, string>; bytes: number }

/** curl --unix-socket against the download endpoint; the body goes to `out` (or nowhere). */
export async function curlDownload(socket: string, urlPath: string, opts: { session?: string; out?: string; extra?: string[] } = {}): Promise<CurlResult> {
  const args = ['-s', '--unix-socket', socket, '-D', '-', '-o', opts.out ?? '/dev/null', '-w', '\n%{http_code} %{size_download}'];
  if (opts.session !== undefined) args.push('-H', `X-Hostagent-Session: ${opts.session}`);
  args.push(...(opts.extra ?? []), `http://hostagent${urlPath}`);
  const { stdout } = await run('curl', args, { maxBuffer: 1 << 20 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const lines = stdout.trim().split(/\r?\n/);
  const [code, size] = lines.at(-1)!.split(' ');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(l);
    if (m) headers[m[1]!.toLowerCase()] = m[2]!;
  }
  return { status: Number(code), headers, bytes: Number(size) };
}
