/**
 * What the browser tests share: a tiny static server for dist/web on 127.0.0.1 (with the
 * production CSP header), Debian's Chromium driven by playwright-core with the flags this
 * machine needs, and a visible skip when Chromium or the build is missing.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, statSync, createReadStream, readdirSync } from 'node:fs';
import { join, extname, normalize, resolve } from 'node:path';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './corpus.ts';

export const CHROMIUM = process.env.MAILFERRY_CHROMIUM ?? '/usr/bin/chromium';
// Let playwright report the service worker's own fetches too, so the request log is complete.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';
export const hasChromium = existsSync(CHROMIUM);
export const webDist = join(repoRoot, 'dist', 'web');
export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; font-src 'none'; object-src 'none'; base-uri 'self'; form-action 'none'; manifest-src 'self'";

/** `describe` that runs only with Chromium present, and says so loudly when it is not. */
export function describeBrowser(name: string, fn: () => void): void {
  if (!hasChromium) console.warn(`NOTICE: ${CHROMIUM} is missing; browser tests "${name}" are skipped.`);
  (hasChromium ? describe : describe.skip)(name, fn);
}

/** Newest modification time of the files under `dirs`. */
function newest(dirs: string[]): number {
  let t = 0;
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else t = Math.max(t, st.mtimeMs);
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return t;
}

/**
 * Build the page if dist/web is missing (npm test builds it first; a lone vitest run may not),
 * and say so when the build is older than the sources: the tests compare the page with the CLI,
 * and both must come from the same sources (npm run build:node && npm run build:web).
 */
export function ensureWebBuild(): void {
  const index = join(webDist, 'index.html');
  if (!existsSync(index)) {
    // Test files run in parallel: one builds, the others wait for its result.
    const lock = join(repoRoot, 'dist', '.web-build-lock');
    mkdirSync(join(repoRoot, 'dist'), { recursive: true });
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch {
      /* someone else builds */
    }
    if (mine) {
      try {
        // vitest sets NODE_ENV=test, which would make vite build a development bundle.
        execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
          cwd: repoRoot,
          stdio: 'inherit',
          env: { ...process.env, NODE_ENV: 'production' },
        });
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      const until = Date.now() + 180_000;
      while (existsSync(lock) && Date.now() < until) execFileSync('sleep', ['1']);
    }
    if (!existsSync(index)) throw new Error('the page could not be built (npm run build:web)');
    return;
  }
  const src = newest(['web', 'worker', 'public'].map((d) => join(repoRoot, d)));
  if (src > statSync(index).mtimeMs) console.warn('NOTICE: dist/web is older than web/ or worker/; run npm run build:node && npm run build:web before the browser tests.');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.pst': 'application/vnd.ms-outlook',
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/** Serve `dir` on 127.0.0.1 (ephemeral port). `online()` false answers every request with a refused socket. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = resolve(dir);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!existsSync(path)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': statSync(path).size,
      'Content-Security-Policy': CSP,
      'Cache-Control': path.endsWith('sw.js') ? 'no-cache' : 'max-age=0',
    });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return {
    origin: `http://127.0.0.1:${addr.port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh, empty profile directory for one browser. */
export const freshProfile = () => mkdtempSync(join(tmpdir(), 'mailferry-chromium-'));

/**
 * Debian's Chromium with a fresh profile (so no service worker, OPFS or IndexedDB carries over
 * between suites), downloads accepted, at the given viewport; `onRequest` sees every request the
 * page, its workers and its service worker make.
 */
export async function launchChromium(
  viewport: { width: number; height: number },
  onRequest?: (url: string) => void,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(freshProfile(), {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    acceptDownloads: true,
    viewport,
  });
  if (onRequest) context.on('request', (r) => onRequest(r.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}
