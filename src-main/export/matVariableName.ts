import { ExportError } from './exportError';

/** MATLAB's namelengthmax. */
export const MAT_NAME_MAX = 63;

const KEYWORDS = new Set([
  'break',
  'case',
  'catch',
  'classdef',
  'continue',
  'else',
  'elseif',
  'end',
  'for',
  'function',
  'global',
  'if',
  'otherwise',
  'parfor',
  'persistent',
  'return',
  'spmd',
  'switch',
  'try',
  'while',
]);

/** Throws unless `name` is a MATLAB identifier that can name a variable (what `isvarname` accepts). */
export function checkMatVariableName(name: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    throw new ExportError(
      `"${name}" is not a MATLAB variable name: it must start with a letter and hold only letters, digits and _`,
    );
  }
  if (name.length > MAT_NAME_MAX) {
    throw new ExportError(`"${name}" is ${name.length} characters long; MATLAB allows ${MAT_NAME_MAX}`);
  }
  if (KEYWORDS.has(name)) throw new ExportError(`"${name}" is a MATLAB keyword and cannot name a variable`);
}

/** A valid variable name made from any text ("1_session-A" → "x1_session_A"), for names we derive. */
export function toMatVariableName(text: string): string {
  let name = text.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(name)) name = `x${name}`;
  name = name.slice(0, MAT_NAME_MAX);
  return KEYWORDS.has(name) ? `${name}_` : name;
}
