import { UsageError } from '../args';

export const exportHelp = `modescope export (being built)`;

export async function exportCommand(argv: string[]): Promise<void> {
  void argv;
  throw new UsageError('"export" is not available in this build yet');
}
