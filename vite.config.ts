/**
 * Vite build of the offline PWA. The page lives in web/, the worker bundle is built from
 * worker/worker.ts (module worker, so the wasm the codec layer embeds travels inside it), and
 * vite-plugin-pwa (workbox generateSW) precaches the shell, the worker chunks and the demo
 * mailbox so the app works with the network cut. The same CSP that index.html carries in a
 * <meta> is also sent as a header by the dev and preview servers; the page makes no
 * third-party request of any kind.
 */
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { existsSync, readFileSync, statSync, createReadStream } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, 'web');
const demoPath = resolve(import.meta.dirname, 'build/demo/demo-mailbox.pst');
/** Where the page fetches the demo mailbox from (relative to the app's base). */
const DEMO_URL = 'demo/demo-mailbox.pst';

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'none'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "manifest-src 'self'",
].join('; ');

const securityHeaders = {
  'Content-Security-Policy': CSP,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The demo mailbox (made by `npm run build:demo` with the project's PST writer): served by the
 * dev server from build/demo, and emitted into the build so the service worker precaches it.
 */
function demoMailbox(): Plugin {
  return {
    name: 'mailferry-demo-mailbox',
    configureServer(server) {
      server.middlewares.use('/' + DEMO_URL, (_req, res) => {
        if (!existsSync(demoPath)) {
          res.statusCode = 404;
          res.end('demo mailbox not built: run npm run build:demo');
          return;
        }
        res.setHeader('Content-Type', 'application/vnd.ms-outlook');
        res.setHeader('Content-Length', String(statSync(demoPath).size));
        createReadStream(demoPath).pipe(res);
      });
    },
    generateBundle() {
      if (!existsSync(demoPath)) {
        this.warn(`${demoPath} is missing (npm run build:demo); the demo button will say so`);
        return;
      }
      this.emitFile({ type: 'asset', fileName: DEMO_URL, source: readFileSync(demoPath) });
    },
  };
}

export default defineConfig({
  root,
  base: './',
  publicDir: resolve(import.meta.dirname, 'public'),
  define: { __DEMO_URL__: JSON.stringify(DEMO_URL) },
  build: {
    outDir: resolve(import.meta.dirname, 'dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, headers: securityHeaders, fs: { allow: [import.meta.dirname] } },
  preview: { host: '127.0.0.1', port: 4173, headers: securityHeaders },
  plugins: [
    demoMailbox(),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'Mailferry',
        short_name: 'Mailferry',
        description: 'Convert Outlook PST/OST, EML/mbox/TNEF, ICS and VCF into grommunio MT streams, offline, in your browser.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#f6f7f9',
        theme_color: '#0b5cad',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,css,svg,png,webmanifest,wasm,pst}'],
        // The worker bundle carries the wasm as base64 and the demo mailbox is a real PST.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        // A new version waits until the user reloads (button in the page): a running page must
        // never lose the worker chunks it still needs to a cache clean-up.
        clientsClaim: true,
        skipWaiting: false,
        // Only the app's own files; nothing at runtime is cached (user data never is).
        runtimeCaching: [],
      },
      devOptions: { enabled: false },
    }),
  ],
});
