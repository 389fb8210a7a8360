import vue from '@vitejs/plugin-vue';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const pageEntry = 'test/e2e/chartsPage/index.html';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface ChartsPage {
  url: string;
  close: () => Promise<void>;
}

/**
 * Bundles the chart gallery (the chart components with synthetic data) with Vite into a temporary
 * folder and serves it from 127.0.0.1, so the charts are tested as the app ships them, without the
 * services.
 */
export async function startChartsPage(): Promise<ChartsPage> {
  const outDir = mkdtempSync(join(tmpdir(), 'modescope-charts-'));
  await build({
    root: repoRoot,
    base: './',
    logLevel: 'warn',
    configFile: false,
    plugins: [vue()],
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 8192,
      rollupOptions: { input: resolve(repoRoot, pageEntry) },
    },
  });
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(outDir, path));
    if (!file.startsWith(outDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': mimeTypes[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${pageEntry}`,
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
