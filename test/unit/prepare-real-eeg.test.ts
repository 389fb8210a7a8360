import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src-main/data/prepare/pipeline';
import type { TimeSeriesSession } from '../../src-shared/domain/preparation';

const eegDir = path.resolve(__dirname, '../../../shared/data/eeg/npy');

/** Just enough of the .npy format for the float32 (time, channels) copies in shared/data. */
function readFloat32Npy(file: string, samplingRate: number): TimeSeriesSession {
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString('latin1', 10, 10 + headerLength);
  expect(header).toContain("'descr': '<f4'");
  const fortranOrder = header.includes("'fortran_order': True");
  const [nSamples, nChannels] = /'shape': \((\d+), (\d+)\)/.exec(header)!.slice(1).map(Number) as [
    number,
    number,
  ];
  const start = 10 + headerLength;
  const stored = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + nSamples * nChannels * 4),
  );
  if (!fortranOrder) return { data: stored, nSamples, nChannels, samplingRate };
  const data = new Float32Array(nSamples * nChannels);
  for (let c = 0; c < nChannels; c++)
    for (let t = 0; t < nSamples; t++) data[t * nChannels + c] = stored[c * nSamples + t]!;
  return { data, nSamples, nChannels, samplingRate };
}

describe('tde_pca on real EEG (EEGMMIDB, four sessions)', () => {
  it('reproduces the osl-dynamics computation done in float64 with numpy', async () => {
    const sessions = ['S001R01', 'S002R01', 'S003R01', 'S001R04'].map((name) =>
      readFloat32Npy(path.join(eegDir, `eegmmidb_${name}.npy`), 160),
    );
    const { sessions: out, info } = await runPipeline(sessions, {
      steps: [
        { name: 'select', params: { channels: Array.from({ length: 16 }, (_, i) => i) } },
        { name: 'tde_pca', params: { n_embeddings: 15, n_pca_components: 32 } },
      ],
    });
    // Reference (numpy 2.4, float64): per session x ← (x − mean)/std on the first 16 channels,
    // osl_dynamics time_embed(x, 15), covariance Σ teᵀte over sessions, eigh, top 32 by eigenvalue,
    // each component's largest |entry| made positive; y = time_embed(x_S001R04) @ u.
    expect(info.explainedVariance).toBeCloseTo(0.9633842563608159, 9);
    const u = info.pcaComponents!;
    expect(u[0]![0]).toBeCloseTo(0.05970848555420956, 6);
    expect(u[1]![0]).toBeCloseTo(0.061942349877529, 6);
    expect(u[2]![0]).toBeCloseTo(0.06375772387331144, 6);
    expect(u[100]![5]).toBeCloseTo(0.1144435057259501, 6);
    const last = out[3]!;
    expect([last.nSamples, last.nChannels]).toEqual([19986, 32]);
    expect(last.data[0]).toBeCloseTo(-8.966860184783915, 3);
    expect(last.data[5000 * 32 + 3]).toBeCloseTo(0.35144879894858444, 4);
    expect(info.sessionStartTimes).toEqual([7 / 160, 7 / 160, 7 / 160, 7 / 160]);
  });
});
