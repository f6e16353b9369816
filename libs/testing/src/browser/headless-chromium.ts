import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const INSTALL_HINT =
  "run `node tools/bootstrap.mjs --for-tests` (it installs Debian's chromium; `npm test` does so in its pretest) " +
  'or point PULSE_CHROMIUM at a Chromium binary';

/**
 * The headless browser for page tests: $PULSE_CHROMIUM when set, else Debian's `chromium` on PATH.
 * Throws (rather than letting a test skip) when there is none, so a missing install is seen.
 */
export function chromiumBinary(): string {
  const override = process.env.PULSE_CHROMIUM;
  if (override) {
    if (isExecutable(override)) return override;
    throw new Error(`PULSE_CHROMIUM=${override} is not an executable file; ${INSTALL_HINT}`);
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'chromium');
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(`headless Chromium not found (no PULSE_CHROMIUM, no \`chromium\` on PATH): ${INSTALL_HINT}`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface PageCheckOptions {
  /** Kill Chromium after this long. Default 60 s. */
  readonly timeoutMs?: number;
  /** Virtual time Chromium gives the page before dumping the DOM. Default 5 s. */
  readonly virtualTimeBudgetMs?: number;
}

const VERDICT_ID = 'pulse-page-verdict';

/**
 * Opens `html` from a temp file in headless Chromium, runs `check` (the body of a JS function, run
 * after the load event, with layout done) in the page and resolves to what it returned (JSON-safe).
 * The value travels back base64-encoded in an element of the DOM that `--dump-dom` prints.
 */
export async function checkPageInChromium<T>(html: string, check: string, options: PageCheckOptions = {}): Promise<T> {
  const binary = chromiumBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-chromium-'));
  const page = path.join(dir, 'page.html');
  const probe =
    `<script>window.addEventListener('load', function () { var out;` +
    ` try { out = { ok: true, value: (function () { ${check}\n })() }; }` +
    ` catch (e) { out = { ok: false, error: String((e && e.stack) || e) }; }` +
    ` var pre = document.createElement('pre'); pre.id = '${VERDICT_ID}';` +
    ` pre.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(out)))); document.body.appendChild(pre); });</script>`;
  const at = html.lastIndexOf('</body>');
  fs.writeFileSync(page, at < 0 ? html + probe : html.slice(0, at) + probe + html.slice(at));
  try {
    const dom = await runChromium(
      binary,
      [
        '--headless=new',
        '--disable-gpu',
        '--no-sandbox',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-dev-shm-usage',
        '--window-size=1280,2000',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        `--virtual-time-budget=${options.virtualTimeBudgetMs ?? 5000}`,
        '--dump-dom',
        `file://${page}`,
      ],
      options.timeoutMs ?? 60000,
    );
    const found = new RegExp(`<pre id="${VERDICT_ID}">([A-Za-z0-9+/=]*)</pre>`).exec(dom);
    if (!found) throw new Error(`Chromium's DOM holds no verdict (did the page load?): ${dom.slice(0, 500)}`);
    const out = JSON.parse(Buffer.from(found[1], 'base64').toString('utf8')) as {
      ok: boolean;
      value?: T;
      error?: string;
    };
    if (!out.ok) throw new Error(`the page check threw in Chromium: ${out.error}`);
    return out.value as T;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Chromium forks renderer and utility processes; it runs in its own process group so a timeout
// can end all of them, not just the browser process.
function runChromium(binary: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      reject(new Error(`Chromium did not finish within ${timeoutMs} ms: ${stderr.slice(-1000)}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary} (${err.message}); ${INSTALL_HINT}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
      else reject(new Error(`${binary} exited with code ${code}: ${stderr.slice(-1000)}`));
    });
  });
}
