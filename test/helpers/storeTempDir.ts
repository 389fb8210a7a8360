import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh folder under the system temp dir; `remove` deletes it and everything in it. */
export function makeStoreTempDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modescope-store-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function sha256OfFile(filePath: string): string {
  return createHash('sha256').update(fs.readFileSync(filePath)).digest('hex');
}

/** Names in a folder, sorted, to show that a refused open left no side files behind. */
export function listFolder(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}
