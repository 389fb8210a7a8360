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
