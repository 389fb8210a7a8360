import { z } from 'zod';

/** Channels that take no input still get a strict schema, so stray fields are rejected. */
export const emptyRequest = z.strictObject({});
