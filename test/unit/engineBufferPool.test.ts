import { describe, expect, it } from 'vitest';
import { returnBuffer, takeBuffer } from '../../src-main/engine/ops/bufferPool';

describe('engine buffer pool', () => {
  it('hands a returned buffer out again for the same length only, never twice at once', () => {
    const a = takeBuffer(1234);
    expect(a.length).toBe(1234);
    returnBuffer(a);
    returnBuffer(a); // a double return must not make it available twice
    expect(takeBuffer(999)).not.toBe(a);
    const b = takeBuffer(1234);
    expect(b).toBe(a);
    expect(takeBuffer(1234)).not.toBe(a);
  });
});
