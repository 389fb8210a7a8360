import { z } from 'zod';
import { emptyRequest } from './emptyRequest';

export const pickPathModes = ['openFile', 'openFolder', 'saveFile'] as const;
export type PickPathMode = (typeof pickPathModes)[number];

const fileFilterSchema = z.strictObject({
  name: z.string().min(1).max(100),
  /** Extensions without the dot, e.g. `modescope`; `*` for any file. */
  extensions: z
    .array(
      z.string().regex(/^(\*|[A-Za-z0-9_]+)$/, 'an extension is letters, digits or _ without a dot, or *'),
    )
    .min(1)
    .max(20),
});

export const pickPathRequestSchema = z.strictObject({
  mode: z.enum(pickPathModes),
  title: z.string().max(200).optional(),
  filters: z.array(fileFilterSchema).max(20).optional(),
  defaultPath: z.string().max(4096).optional(),
});
export type PickPathRequest = z.output<typeof pickPathRequestSchema>;

/**
 * The actions of the desktop application menu that the renderer carries out. They travel as an
 * event so that the same renderer code serves a menu in Electron and (one day) one in web mode.
 */
export const menuActions = [
  'new-project',
  'open-project',
  'open-recent',
  'close-project',
  'export-run',
] as const;
export type MenuAction = (typeof menuActions)[number];

export const menuEventSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('new-project') }),
  z.strictObject({ action: z.literal('open-project') }),
  z.strictObject({ action: z.literal('open-recent'), path: z.string().min(1) }),
  z.strictObject({ action: z.literal('close-project') }),
  z.strictObject({ action: z.literal('export-run') }),
]);
export type MenuEvent = z.output<typeof menuEventSchema>;

const lagStatsSchema = z.strictObject({
  /** Over the last window (see `windowMs`), in milliseconds. */
  p50Ms: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
  maxMs: z.number().nonnegative(),
  meanMs: z.number().nonnegative(),
  windowMs: z.number().nonnegative(),
});

export const appChannels = {
  'app.info': {
    request: emptyRequest,
    response: z.strictObject({
      name: z.literal('ModeScope'),
      version: z.string(),
      transport: z.enum(['electron', 'web', 'in-process']),
      platform: z.string(),
      nodeVersion: z.string(),
      defaultProjectDir: z.string(),
    }),
  },
  /**
   * A native open/save dialog where the shell has one (Electron); elsewhere `supported: false`
   * and the renderer shows its own picker. An empty `paths` means the person cancelled.
   */
  'app.pickPath': {
    request: pickPathRequestSchema,
    response: z.strictObject({ supported: z.boolean(), paths: z.array(z.string()) }),
  },
  /** Cheap liveness facts about the services process: is its event loop keeping up? */
  'app.health': {
    request: emptyRequest,
    response: z.strictObject({
      uptimeS: z.number().nonnegative(),
      eventLoopLag: lagStatsSchema,
      rssBytes: z.number().nonnegative(),
      heapUsedBytes: z.number().nonnegative(),
    }),
  },
} as const;

export const appEvents = {
  'app.menu': menuEventSchema,
} as const;
