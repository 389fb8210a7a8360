import type { ExportArray } from '../../export/exportArray';
import { arrayInfo, readRowBlocks } from '../../store/arrayStore';
import type { ProjectStore } from '../../store/projectStore';

/** A stored array as an export source: its rows are read chunk by chunk while a file is written. */
export function storedExportArray(store: ProjectStore, arrayId: number): ExportArray {
  const info = arrayInfo(store, arrayId);
  return {
    dtype: info.dtype,
    shape: info.shape,
    blocks: function* () {
      for (const block of readRowBlocks(store, arrayId, 0, info.nRows)) yield block.rows;
    },
  };
}
