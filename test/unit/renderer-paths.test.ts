import { describe, expect, it } from 'vitest';
import type { DirEntry } from '../../src-shared/domain/project';
import { listedEntries } from '../../src-renderer/paths/directoryListing';
import { baseName, joinPath, parentPath, separatorOf } from '../../src-renderer/paths/filePaths';
import {
  fileNameProblem,
  hasProjectExtension,
  projectFilePath,
  suggestFileName,
  withProjectExtension,
} from '../../src-renderer/paths/projectFileName';

describe('path text', () => {
  it('infers the separator from the path', () => {
    expect(separatorOf('/home/ana')).toBe('/');
    expect(separatorOf('C:\\Users\\ana')).toBe('\\');
    expect(separatorOf('\\\\server\\share')).toBe('\\');
    expect(separatorOf('C:/Users/ana')).toBe('/');
  });

  it.each([
    ['/home/ana', 'x.modescope', '/home/ana/x.modescope'],
    ['/home/ana/', 'x.modescope', '/home/ana/x.modescope'],
    ['/home/ana///', 'x', '/home/ana/x'],
    ['/', 'x', '/x'],
    ['C:\\Users\\ana', 'x', 'C:\\Users\\ana\\x'],
    ['C:\\Users\\ana\\', 'x', 'C:\\Users\\ana\\x'],
    ['C:\\', 'x', 'C:\\x'],
    ['  /data  ', 'x', '/data/x'],
    ['', 'x', 'x'],
  ])('joins %s and %s', (folder, name, expected) => {
    expect(joinPath(folder, name)).toBe(expected);
  });

  it.each([
    ['/home/ana/x.modescope', '/home/ana', 'x.modescope'],
    ['/home/ana/', '/home', 'ana'],
    ['/home', '/', 'home'],
    ['/', null, ''],
    ['C:\\Users\\ana', 'C:\\Users', 'ana'],
    ['C:\\Users', 'C:\\', 'Users'],
    ['C:\\', null, ''],
    ['relative', null, 'relative'],
  ])('splits %s into parent %s and name %s', (path, parent, name) => {
    expect(parentPath(path)).toBe(parent);
    expect(baseName(path)).toBe(name);
  });
});

describe('project file names', () => {
  it('adds .modescope once, in any letter case', () => {
    expect(withProjectExtension('rest')).toBe('rest.modescope');
    expect(withProjectExtension(' rest.modescope ')).toBe('rest.modescope');
    expect(withProjectExtension('Rest.MODESCOPE')).toBe('Rest.MODESCOPE');
    expect(hasProjectExtension('a.modescope-wal')).toBe(false);
  });

  it('suggests a file-system-safe name from a project name', () => {
    expect(suggestFileName('Resting-state MEG, 8 modes')).toBe('Resting-state-MEG-8-modes');
    expect(suggestFileName('Études à Paris')).toBe('Etudes-a-Paris');
    expect(suggestFileName('  ../evil/  ')).toBe('evil');
    expect(suggestFileName('***')).toBe('project');
    expect(suggestFileName('x'.repeat(300))).toHaveLength(100);
  });

  it('names what is wrong with a file name', () => {
    expect(fileNameProblem('rest')).toBeNull();
    expect(fileNameProblem('  ')).toBe('file name is empty');
    expect(fileNameProblem('a\\b')).toMatch(/must not contain/);
    expect(fileNameProblem('..')).toBe('".." is not a file name');
    expect(fileNameProblem('a\0b')).toBe('file name contains a NUL byte');
    expect(fileNameProblem('.MODESCOPE')).toBe('file name has nothing before .modescope');
  });

  it('builds the full project path', () => {
    expect(projectFilePath('/data/', 'rest')).toBe('/data/rest.modescope');
    expect(projectFilePath('D:\\meg', 'rest.modescope')).toBe('D:\\meg\\rest.modescope');
  });
});

describe('path picker listing', () => {
  const entry = (name: string, kind: DirEntry['kind']): DirEntry => ({
    name,
    path: `/d/${name}`,
    kind,
    size: 0,
  });
  const entries = [
    entry('zeta', 'directory'),
    entry('b.modescope', 'file'),
    entry('notes.txt', 'file'),
    entry('Alpha', 'directory'),
    entry('.cache', 'directory'),
    entry('A.MODESCOPE', 'file'),
    entry('socket', 'other'),
  ];

  it('lists folders first, then project files, by name, without hidden or other files', () => {
    const listed = listedEntries(entries, { mode: 'file', showHidden: false });
    expect(listed.map((e) => e.name)).toEqual(['Alpha', 'zeta', 'A.MODESCOPE', 'b.modescope']);
    expect(listed.map((e) => e.selectable)).toEqual([true, true, true, true]);
  });

  it('shows project files but does not let them be picked when picking a folder', () => {
    const listed = listedEntries(entries, { mode: 'folder', showHidden: true });
    expect(listed.map((e) => `${e.name}:${e.selectable}`)).toEqual([
      '.cache:true',
      'Alpha:true',
      'zeta:true',
      'A.MODESCOPE:false',
      'b.modescope:false',
    ]);
  });
});
