import { fileURLToPath } from 'node:url';
import { APP_VERSION } from '../services/appVersion';
import { parseArgs, UsageError } from './args';
import { datasetsCommand, datasetsHelp } from './commands/datasets';
import { exportCommand, exportHelp } from './commands/export';
import { gapsCommand, gapsHelp } from './commands/gaps';
import { importCommand, importHelp } from './commands/import';
import { prepareCommand, prepareHelp } from './commands/prepare';
import { resultsCommand, resultsHelp } from './commands/results';
import { serveCommand, serveHelp } from './commands/serve';
import { simulateCommand, simulateHelp } from './commands/simulate';
import { trainCommand, trainHelp } from './commands/train';

const commandHelp: Record<string, string> = {
  serve: serveHelp,
  import: importHelp,
  prepare: prepareHelp,
  simulate: simulateHelp,
  datasets: datasetsHelp,
  train: trainHelp,
  results: resultsHelp,
  export: exportHelp,
  gaps: gapsHelp,
};

const HELP = `ModeScope ${APP_VERSION} — dynamical latent-variable models for MEG/EEG

Usage: modescope <command> [options]

Commands:
  serve      run the app in web mode (a browser on this machine)
  import     import recordings as the sessions of a dataset
  prepare    run a preparation pipeline (filter, tde_pca…) over a dataset
  simulate   create a simulated dataset with known ground truth
  datasets   list the datasets of a project
  train      train a model on a dataset (or --resume a run)
  results    summarise a run and its results
  export     write a run's results to files (osl-dynamics layout, npy/mat/csv, report)
  gaps       impute missing samples and evaluate imputation against baselines
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
        console.log(commandHelp[args.positionals[0] ?? ''] ?? HELP);
        return 0;
      case 'version':
        console.log(APP_VERSION);
        return 0;
      case 'serve':
        await serveCommand(args, rendererDir);
        return 0;
      case 'import':
        await importCommand(argv);
        return 0;
      case 'prepare':
        await prepareCommand(argv);
        return 0;
      case 'simulate':
        await simulateCommand(argv);
        return 0;
      case 'datasets':
        await datasetsCommand(argv);
        return 0;
      case 'train':
        await trainCommand(argv);
        return 0;
      case 'results':
        await resultsCommand(argv);
        return 0;
      case 'export':
        await exportCommand(argv);
        return 0;
      case 'gaps':
        await gapsCommand(argv);
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
