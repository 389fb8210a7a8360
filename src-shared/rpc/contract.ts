import { z } from 'zod';
import {
  dirEntrySchema,
  filePathSchema,
  projectNameSchema,
  projectSummarySchema,
  recentProjectSchema,
} from '../domain/project';

/**
 * The one contract between the renderer and the services. Channel names are `group.method`;
 * clients expose them as `api.group.method(input)`. Requests are strict objects so that extra or
 * misspelt fields are rejected rather than silently ignored.
 */
const empty = z.strictObject({});

export const channels = {
  'app.info': {
    request: empty,
    response: z.strictObject({
      name: z.literal('ModeScope'),
      version: z.string(),
      transport: z.enum(['electron', 'web', 'in-process']),
      platform: z.string(),
      nodeVersion: z.string(),
      defaultProjectDir: z.string(),
    }),
  },
  'projects.create': {
    request: z.strictObject({ path: filePathSchema, name: projectNameSchema }),
    response: projectSummarySchema,
  },
  'projects.open': {
    request: z.strictObject({ path: filePathSchema }),
    response: projectSummarySchema,
  },
  'projects.close': {
    request: empty,
    response: z.strictObject({ closed: z.boolean() }),
  },
  'projects.current': {
    request: empty,
    response: projectSummarySchema.nullable(),
  },
  'projects.listRecent': {
    request: empty,
    response: z.array(recentProjectSchema),
  },
  'projects.forgetRecent': {
    request: z.strictObject({ path: filePathSchema }),
    response: z.array(recentProjectSchema),
  },
  'files.listDirectory': {
    request: z.strictObject({
      path: filePathSchema,
      extensions: z.array(z.string().max(32)).max(64).optional(),
    }),
    response: z.strictObject({
      path: z.string(),
      parent: z.string().nullable(),
      entries: z.array(dirEntrySchema),
    }),
  },
} as const;

export const events = {
  'project.opened': projectSummarySchema,
  'project.closed': z.strictObject({ path: z.string() }),
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type RequestOf<C extends ChannelName> = z.input<Channels[C]['request']>;
export type ResponseOf<C extends ChannelName> = z.output<Channels[C]['response']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const channelNames = Object.keys(channels) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}
