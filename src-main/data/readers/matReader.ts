import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { arrayChannels, orientShape } from './arrayChannels';
import { BinaryFile } from './binaryFile';
import { openMatV73 } from './matV73Reader';
import { matVersion, readMatV5, type MatValue } from './matV5';
import { findByPath, sourceForMatrix, type MatNumeric } from './matValues';
import {
  checkHeader,
  samplingRateFromOptions,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';

/** Every numeric matrix reachable from the top-level variables, with its 'a.b' path. */
function numericMatrices(values: MatValue[]): { path: string; value: MatNumeric }[] {
  const out: { path: string; value: MatNumeric }[] = [];
  const visit = (value: MatValue, at: string, depth: number) => {
    if (value.kind === 'numeric') out.push({ path: at, value });
    else if (value.kind === 'struct' && value.elements.length === 1 && depth < 4) {
      for (const [name, child] of value.elements[0]!) visit(child, `${at}.${name}`, depth + 1);
    }
  };
  for (const value of values) visit(value, value.name, 0);
  return out;
}

function chooseMatrix(
  file: BinaryFile,
  values: MatValue[],
  options: OpenRecordingOptions,
): { path: string; value: MatNumeric } {
  if (options.field) {
    const found = findByPath(values, options.field);
    if (!found)
      throw file.fail(
        `no variable or field '${options.field}' (variables: ${values.map((v) => v.name).join(', ') || 'none'})`,
      );
    if (found.kind !== 'numeric')
      throw file.fail(
        `'${options.field}' is a ${found.kind === 'unsupported' ? found.what : found.kind}, not a numeric matrix`,
      );
    return { path: options.field, value: found };
  }
  const candidates = numericMatrices(values).filter((m) => m.value.dims.reduce((a, b) => a * b, 1) > 1);
  if (candidates.length === 0) throw file.fail('holds no numeric matrix');
  if (candidates.length > 1) {
    throw file.fail(
      `holds several numeric matrices (${candidates.map((c) => c.path).join(', ')}); pass the field option`,
    );
  }
  return candidates[0]!;
}

export async function openMat(filePath: string, options: OpenRecordingOptions): Promise<RecordingSource> {
  const file = await BinaryFile.open(filePath, 'mat');
  let handedOver = false;
  try {
    if (file.size < 128) throw file.fail(`file is ${file.size} bytes, shorter than the 128-byte MAT header`);
    const version = matVersion(await file.readAt(0, 128, 'MAT header'));
    if (version === 0x0200) {
      await file.close();
      handedOver = true;
      return await openMatV73(filePath, options);
    }
    if (version !== 0x0100)
      throw file.fail(`unsupported MAT-file version 0x${(version ?? 0).toString(16)} (need level 5 or v7.3)`);
    const values = await readMatV5(file);
    const { path: fieldPath, value } = chooseMatrix(file, values, options);
    if (value.complex) throw file.fail(`'${fieldPath}' is complex; only real matrices are recordings`);
    const dims = value.dims;
    if (dims.length > 2 && dims.slice(2).some((d) => d !== 1)) {
      throw file.fail(`'${fieldPath}' has ${dims.length} dimensions (${dims.join('×')}); need a 2-D matrix`);
    }
    const [rows = 0, cols = 0] = dims;
    if (rows === 0 || cols === 0) throw file.fail(`'${fieldPath}' is empty (${dims.join('×')})`);
    const warnings: string[] = [];
    const vector = rows === 1 || cols === 1;
    const shape = vector
      ? { nSamples: rows * cols, nChannels: 1, orientation: 'time-first' as const }
      : orientShape(rows, cols, options, warnings);
    const header: RecordingHeader = checkHeader({
      format: 'mat',
      sourcePath: filePath,
      samplingRate: samplingRateFromOptions(filePath, 'mat', options, warnings),
      nSamples: shape.nSamples,
      channels: arrayChannels(filePath, 'mat', shape.nChannels, options),
      annotations: [],
      gapSegments: [],
      warnings,
    });
    handedOver = true;
    const timeAxis = vector ? (rows === 1 ? 1 : 0) : shape.orientation === 'time-first' ? 0 : 1;
    return await sourceForMatrix(header, file, value, timeAxis);
  } catch (error) {
    if (!handedOver) await file.close();
    throw error;
  }
}
