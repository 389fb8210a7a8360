import { basename } from 'node:path';
import type { ChannelInfo, RecordingHeader } from '../../../src-shared/domain/recording';
import { RpcError } from '../../../src-shared/rpc/errors';

export type ChannelPolicy = 'identical' | 'common';

/** For every file, the column of each kept channel, plus the kept channels themselves. */
export interface ChannelPlan {
  channels: ChannelInfo[];
  columns: number[][];
}

function indexByName(header: RecordingHeader): Map<string, number> {
  const map = new Map<string, number>();
  header.channels.forEach((c, i) => {
    if (!map.has(c.name)) map.set(c.name, i);
  });
  return map;
}

/**
 * Decides which channels a multi-file import keeps and where each sits in every file. Channels
 * are matched by name, so files listing the same channels in another order still line up.
 * - an explicit list: those channels in that order; every file must hold each of them;
 * - 'common': the channels all files share, in the first file's order;
 * - 'identical' (default): every file must hold exactly the first file's channels.
 * Sampling rates must agree in every case.
 */
export function planChannels(
  headers: readonly RecordingHeader[],
  policy: ChannelPolicy = 'identical',
  requested?: readonly string[],
): ChannelPlan {
  const first = headers[0]!;
  const maps = headers.map(indexByName);
  const firstName = basename(first.sourcePath);
  headers.forEach((h, i) => {
    if (h.samplingRate !== first.samplingRate) {
      throw new RpcError(
        'INVALID_INPUT',
        `${basename(h.sourcePath)} is sampled at ${h.samplingRate} Hz but ${firstName} at ${first.samplingRate} Hz; sessions of one dataset need the same rate`,
        { file: h.sourcePath, field: 'files', index: i },
      );
    }
  });

  let names: string[];
  if (requested) {
    const duplicate = requested.find((n, i) => requested.indexOf(n) !== i);
    if (duplicate !== undefined) {
      throw new RpcError('INVALID_INPUT', `channel "${duplicate}" is listed twice`, { field: 'channels' });
    }
    headers.forEach((h, i) => {
      const missing = requested.find((n) => !maps[i]!.has(n));
      if (missing !== undefined) {
        throw new RpcError('INVALID_INPUT', `${basename(h.sourcePath)} has no channel "${missing}"`, {
          file: h.sourcePath,
          channel: missing,
          field: 'channels',
        });
      }
    });
    names = [...requested];
  } else if (policy === 'common') {
    names = first.channels.map((c) => c.name).filter((n) => maps.every((m) => m.has(n)));
    names = names.filter((n, i) => names.indexOf(n) === i);
    if (names.length === 0) {
      throw new RpcError('INVALID_INPUT', 'the files have no channel name in common', { field: 'files' });
    }
  } else {
    names = first.channels.map((c) => c.name);
    headers.forEach((h, i) => {
      if (i === 0) return;
      const file = basename(h.sourcePath);
      const position = h.channels.findIndex((c, k) => c.name !== first.channels[k]?.name);
      if (position < 0 && h.channels.length === first.channels.length) return;
      const extra = h.channels.find((c) => !maps[0]!.has(c.name));
      const missing = first.channels.find((c) => !maps[i]!.has(c.name));
      if (extra === undefined && missing === undefined && h.channels.length === first.channels.length) return;
      const what =
        extra !== undefined
          ? `channel "${extra.name}" is not in ${firstName}`
          : missing !== undefined
            ? `channel "${missing.name}" of ${firstName} is missing`
            : `the channel list differs from ${firstName} at position ${position}`;
      throw new RpcError(
        'INVALID_INPUT',
        `${file}: ${what}; channel names must agree across files (choose the common channels or list the channels to keep)`,
        { file: h.sourcePath, channel: extra?.name ?? missing?.name ?? null, field: 'files', index: i },
      );
    });
  }
  const firstMap = maps[0]!;
  return {
    channels: names.map((n) => first.channels[firstMap.get(n)!]!),
    columns: maps.map((m) => names.map((n) => m.get(n)!)),
  };
}
