import type { z } from 'zod';
import { appChannels, appEvents } from './channels/app';
import { datasetChannels, datasetEvents } from './channels/datasets';
import { fileChannels } from './channels/files';
import { jobChannels, jobEvents } from './channels/jobs';
import { projectChannels, projectEvents } from './channels/projects';
import { runChannels, runEvents } from './channels/runs';
import { analysisChannels, analysisEvents } from './channels/analysis';
import { exportChannels, exportEvents } from './channels/exports';
import { gapChannels, gapEvents } from './channels/gaps';

/**
 * The one contract between the renderer and the services. Channel names are `group.method`;
 * clients expose them as `api.group.method(input)`. Each domain declares its channels in
 * `channels/`; requests are strict objects so that extra or misspelt fields are rejected rather
 * than silently ignored.
 */
export const channels = {
  ...appChannels,
  ...projectChannels,
  ...fileChannels,
  ...jobChannels,
  ...datasetChannels,
  ...runChannels,
  ...analysisChannels,
  ...exportChannels,
  ...gapChannels,
} as const;

export const events = {
  ...appEvents,
  ...projectEvents,
  ...jobEvents,
  ...datasetEvents,
  ...runEvents,
  ...analysisEvents,
  ...exportEvents,
  ...gapEvents,
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
