import { readFileSync, rmSync, writeFileSync } from 'node:fs';

interface H5WriteModule {
  ready: Promise<unknown>;
  File: new (
    path: string,
    mode: 'w',
  ) => {
    create_dataset(args: {
      name: string;
      data: Float64Array | Float32Array;
      shape: number[];
      dtype: string;
    }): {
      create_attribute(name: string, value: string): void;
    };
    close(): void;
  };
}

/**
 * Writes a MAT v7.3 file the way MATLAB lays it out: a 512-byte MAT header (the HDF5 user block)
 * followed by HDF5, each variable a dataset with its MATLAB dimensions reversed.
 */
export async function writeMatV73(
  target: string,
  variables: Record<string, { matlabDims: [number, number]; columnMajor: number[] }>,
): Promise<void> {
  const specifier = 'h5wasm/node';
  const loaded = (await import(specifier)) as { default?: H5WriteModule } & H5WriteModule;
  const h5 = loaded.default ?? loaded;
  await h5.ready;
  const scratch = `${target}.h5`;
  const file = new h5.File(scratch, 'w');
  for (const [name, v] of Object.entries(variables)) {
    const dataset = file.create_dataset({
      name,
      data: Float64Array.from(v.columnMajor),
      shape: [v.matlabDims[1], v.matlabDims[0]],
      dtype: '<f8',
    });
    dataset.create_attribute('MATLAB_class', 'double');
  }
  file.close();
  const header = Buffer.alloc(512, 0);
  header.write(
    'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created by the ModeScope tests HDF5 schema 1.00 .',
    0,
    'latin1',
  );
  header.fill(' ', 90, 116);
  header.writeUInt16LE(0x0200, 124);
  header.write('IM', 126, 'latin1');
  writeFileSync(target, Buffer.concat([header, readFileSync(scratch)]));
  rmSync(scratch);
}

async function h5(): Promise<any> {
  const specifier = 'h5wasm/node';
  const loaded: any = await import(specifier);
  const module = loaded.default ?? loaded;
  await module.ready;
  return module;
}

function withMatHeader(target: string, scratch: string): void {
  const header = Buffer.alloc(512, 0);
  header.write(
    'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created by the ModeScope tests HDF5 schema 1.00 .',
    0,
    'latin1',
  );
  header.writeUInt16LE(0x0200, 124);
  header.write('IM', 126, 'latin1');
  writeFileSync(target, Buffer.concat([header, readFileSync(scratch)]));
  rmSync(scratch);
}

/**
 * An EEGLAB dataset saved with -v7.3: fields of EEG under an 'EEG' group, chanlocs and event as
 * struct arrays whose fields are references into '#refs#' (as MATLAB writes them).
 */
export async function writeEeglabV73(
  target: string,
  spec: {
    nbchan: number;
    pnts: number;
    srate: number;
    /** MATLAB [nbchan × pnts] in column-major order, or the name of the .fdt file. */
    data: number[] | string;
    labels: string[];
    events: { type: string; latency: number }[];
  },
): Promise<void> {
  const lib = await h5();
  const scratch = `${target}.h5`;
  const file = new lib.File(scratch, 'w');
  const refs = file.create_group('#refs#');
  let refCount = 0;
  const char = (group: any, name: string, text: string) => {
    const ds = group.create_dataset({
      name,
      data: Uint16Array.from(text, (c) => c.charCodeAt(0)),
      shape: [text.length, 1],
      dtype: '<H',
    });
    ds.create_attribute('MATLAB_class', 'char');
    return ds;
  };
  const double = (group: any, name: string, values: number[]) => {
    const ds = group.create_dataset({
      name,
      data: Float64Array.from(values),
      shape: [1, values.length],
      dtype: '<d',
    });
    ds.create_attribute('MATLAB_class', 'double');
    return ds;
  };
  const refField = (group: any, name: string, targets: any[]) =>
    group.create_dataset({
      name,
      data: targets.map((t) => t.create_reference()),
      shape: [targets.length, 1],
      dtype: 'Reference',
    });
  const eeg = file.create_group('EEG');
  double(eeg, 'nbchan', [spec.nbchan]);
  double(eeg, 'pnts', [spec.pnts]);
  double(eeg, 'trials', [1]);
  double(eeg, 'srate', [spec.srate]);
  if (typeof spec.data === 'string') char(eeg, 'data', spec.data);
  else {
    const ds = eeg.create_dataset({
      name: 'data',
      data: Float32Array.from(spec.data),
      shape: [spec.pnts, spec.nbchan],
      dtype: '<f',
    });
    ds.create_attribute('MATLAB_class', 'single');
  }
  const chanlocs = eeg.create_group('chanlocs');
  refField(
    chanlocs,
    'labels',
    spec.labels.map((l) => char(refs, `r${refCount++}`, l)),
  );
  const event = eeg.create_group('event');
  refField(
    event,
    'type',
    spec.events.map((e) => char(refs, `r${refCount++}`, e.type)),
  );
  refField(
    event,
    'latency',
    spec.events.map((e) => double(refs, `r${refCount++}`, [e.latency])),
  );
  file.close();
  withMatHeader(target, scratch);
}
