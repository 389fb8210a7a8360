import { open, type FileHandle } from 'node:fs/promises';
import { RecordingReadError } from './recordingReadError';

/** Largest single read: readers fetch big spans in pieces of at most this many bytes. */
export const READ_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * A file opened for positioned reads. Every read is checked against the file size, so a header that
 * points past the end of the file becomes a RecordingReadError instead of a short buffer.
 */
export class BinaryFile {
  private constructor(
    readonly path: string,
    readonly format: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(filePath: string, format: string): Promise<BinaryFile> {
    let handle: FileHandle;
    try {
      handle = await open(filePath, 'r');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'file not found' : `cannot open file (${code ?? String(cause)})`;
      throw new RecordingReadError(filePath, format, why, { cause });
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new RecordingReadError(filePath, format, 'not a regular file');
      return new BinaryFile(filePath, format, handle, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  fail(problem: string): RecordingReadError {
    return new RecordingReadError(this.path, this.format, problem);
  }

  /** Reads exactly `length` bytes at `offset` into a new buffer; `what` names the part for the error. */
  async readAt(offset: number, length: number, what = 'data'): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(this.checkRange(offset, length, what));
    await this.readInto(offset, buffer, what);
    return buffer;
  }

  /** Fills `target` from `offset`, in pieces no larger than READ_CHUNK_BYTES. */
  async readInto(offset: number, target: Uint8Array, what = 'data'): Promise<void> {
    this.checkRange(offset, target.byteLength, what);
    let done = 0;
    while (done < target.byteLength) {
      const want = Math.min(READ_CHUNK_BYTES, target.byteLength - done);
      const { bytesRead } = await this.handle.read(target, done, want, offset + done);
      if (bytesRead === 0) {
        throw this.fail(`${what} ends early: the file shrank while being read (offset ${offset + done})`);
      }
      done += bytesRead;
    }
  }

  private checkRange(offset: number, length: number, what: string): number {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw this.fail(`${what} has an invalid position (offset ${offset}, length ${length})`);
    }
    if (offset + length > this.size) {
      throw this.fail(
        `${what} needs bytes ${offset}–${offset + length} but the file holds only ${this.size} bytes (truncated?)`,
      );
    }
    return length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
