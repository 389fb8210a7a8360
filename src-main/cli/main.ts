import { fileURLToPath } from 'node:url';
import { APP_VERSION } from '../services/appVersion';
import { parseArgs, UsageError } from './args';
import { serveCommand, serveHelp } from './commands/serve';

const HELP = `ModeScope ${APP_VERSION} — dynamical latent-variable models for MEG/EEG

Usage: modescope <command> [options]

Commands:
  serve      run the app in web mode (a browser on this machine)
  version    print the version
  help       this text (or: modescope help <command>)

${serveHelp}`;

/** The renderer bundle sits beside this one in out/. */
const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));

export async function runCli(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  try {
    switch (args.command) {
      case null:
      case 'help':
        console.log(args.positionals[0] === 'serve' ? serveHelp : HELP);
        return 0;
      case 'version':
        console.log(APP_VERSION);
        return 0;
      case 'serve':
        await serveCommand(args, rendererDir);
        return 0;
      default:
        throw new UsageError(`unknown command "${args.command}" (see \`modescope help\`)`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`modescope: ${err.message}`);
      return 2;
    }
    const e = err as { code?: string; message?: string };
    console.error(`modescope: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`);
    return 1;
  }
}
