import { describe, expect, it } from 'vitest';
import { RpcError } from '../../src-shared/rpc/errors';
import { errorTitle, invalidInput, toDisplayError } from '../../src-renderer/api/displayError';
import { formatTimestamp } from '../../src-renderer/format/timestamp';
import {
  allowedView,
  describeView,
  hashForView,
  viewCatalog,
  viewFromHash,
  viewIds,
} from '../../src-renderer/views/viewCatalog';

describe('display errors', () => {
  it('keeps the code and message of an RpcError', () => {
    expect(toDisplayError(new RpcError('PROJECT_TOO_NEW', 'file format 9, this app reads up to 3'))).toEqual({
      code: 'PROJECT_TOO_NEW',
      message: 'file format 9, this app reads up to 3',
    });
  });

  it('accepts plain objects with a known code (errors copied across a bridge)', () => {
    expect(toDisplayError({ code: 'NOT_WRITABLE', message: '/ro is read-only' })).toEqual({
      code: 'NOT_WRITABLE',
      message: '/ro is read-only',
    });
    expect(toDisplayError({ code: 'SOMETHING_ELSE', message: 'odd' })).toEqual({
      code: 'UNEXPECTED',
      message: 'odd',
    });
  });

  it('recovers a code from Electron-wrapped error text', () => {
    expect(
      toDisplayError(
        new Error(
          "Error invoking remote method 'projects.open': Error: NOT_A_PROJECT: x.txt is not a project",
        ),
      ),
    ).toEqual({ code: 'NOT_A_PROJECT', message: 'x.txt is not a project' });
    expect(toDisplayError(new Error('PROJECT_LOCKED: in use by pid 42'))).toEqual({
      code: 'PROJECT_LOCKED',
      message: 'in use by pid 42',
    });
  });

  it('never loses the message of an unknown failure', () => {
    expect(toDisplayError(new TypeError('x is undefined'))).toEqual({
      code: 'UNEXPECTED',
      message: 'x is undefined',
    });
    expect(toDisplayError('NOPE: plain text')).toEqual({ code: 'UNEXPECTED', message: 'NOPE: plain text' });
    expect(toDisplayError(undefined)).toEqual({
      code: 'UNEXPECTED',
      message: 'unexpected failure: undefined',
    });
    expect(toDisplayError(new Error(''))).toEqual({
      code: 'UNEXPECTED',
      message: 'unexpected failure with no message',
    });
  });

  it('has titles for the codes people meet on the Projects view', () => {
    expect(errorTitle('PROJECT_LOCKED')).toBe('Project is in use');
    expect(errorTitle('ALREADY_EXISTS')).toBe('Already exists');
    expect(errorTitle('INTERNAL')).toBe('Something went wrong');
    expect(invalidInput('bad')).toEqual({ code: 'INVALID_INPUT', message: 'bad' });
  });
});

describe('timestamps', () => {
  it('formats an ISO time in local time and passes unparseable text through', () => {
    const local = new Date(2026, 10, 3, 7, 5);
    expect(formatTimestamp(local.toISOString())).toBe('2026-11-03 07:05');
    expect(formatTimestamp('not a date')).toBe('not a date');
  });
});

describe('view catalog', () => {
  it('has the views of the architecture, in order, and only Projects works without a project', () => {
    expect(viewCatalog.map((v) => v.label)).toEqual([
      'Projects',
      'Datasets',
      'Train',
      'Runs',
      'Modes',
      'Gaps',
      'Export',
    ]);
    expect(viewCatalog.filter((v) => !v.needsProject).map((v) => v.id)).toEqual(['projects']);
    for (const v of viewCatalog.filter((x) => x.needsProject)) expect(v.planned.length).toBeGreaterThan(0);
  });

  it('maps hashes to views and back', () => {
    for (const id of viewIds) expect(viewFromHash(hashForView(id))).toBe(id);
    expect(viewFromHash('#runs')).toBe('runs');
    expect(viewFromHash('#/modes/3?x=1')).toBe('modes');
    expect(viewFromHash('')).toBeNull();
    expect(viewFromHash('#/nope')).toBeNull();
  });

  it('falls back to Projects for project views without a project', () => {
    expect(allowedView('gaps', false)).toBe('projects');
    expect(allowedView('gaps', true)).toBe('gaps');
    expect(allowedView('projects', false)).toBe('projects');
    expect(() => describeView('nope' as never)).toThrow('no view named nope');
  });
});
