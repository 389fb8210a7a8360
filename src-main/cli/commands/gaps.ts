import { UsageError } from '../args';

export const gapsHelp = `modescope gaps (being built)`;

export async function gapsCommand(argv: string[]): Promise<void> {
  void argv;
  throw new UsageError('"gaps" is not available in this build yet');
}
