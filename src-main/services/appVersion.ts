/** Injected at build time by electron-vite (see `define` in electron.vite.config.ts); tests see 'dev'. */
declare const __MODESCOPE_VERSION__: string | undefined;

export const APP_VERSION: string =
  typeof __MODESCOPE_VERSION__ === 'string'
    ? __MODESCOPE_VERSION__
    : (process.env.npm_package_version ?? 'dev');
