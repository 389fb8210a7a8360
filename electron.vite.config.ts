import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';
import pkg from './package.json';

const root = __dirname;

export default defineConfig({
  main: {
    define: { __MODESCOPE_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: resolve(root, 'out/main'),
      sourcemap: true,
      rollupOptions: {
        // One Node bundle serves Electron's main process, the CLI / web mode, and the training
        // process, so the services are identical in every transport.
        input: {
          index: resolve(root, 'src-main/app/main.ts'),
          cli: resolve(root, 'src-main/cli/main.ts'),
          trainer: resolve(root, 'src-main/training/trainingProcess.ts'),
          // Post-hoc analysis, preparations and imputation run in worker threads off the services'
          // event loop.
          analysisWorker: resolve(root, 'src-main/services/analysis/analysisWorker.ts'),
          prepareWorker: resolve(root, 'src-main/services/datasets/prepareWorker.ts'),
          gapWorker: resolve(root, 'src-main/services/gaps/gapWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { index: resolve(root, 'src-main/app/preload.ts') },
        // Sandboxed preloads cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
