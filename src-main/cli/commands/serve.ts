import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServices } from '../../services/createServices';
import { LOOPBACK, startWebServer } from '../../server/webServer';
import { checkFlags, intFlag, type ParsedArgs, UsageError } from '../args';

export const serveHelp = `modescope serve [--port N] [--host ADDRESS] [--json]

Serves the ModeScope app to a browser on this machine (web mode) and prints its URL.
  --port N        port to listen on (default: a free port)
  --host ADDRESS  listen on another address than 127.0.0.1 (other machines could then reach it;
                  they still need the token in the URL)
  --json          print one JSON line {"url", "port", "token"} instead of prose (for scripts)`;

export async function serveCommand(args: ParsedArgs, rendererDir: string): Promise<void> {
  checkFlags(args, { boolean: ['json'], value: ['port', 'host'] });
  const port = intFlag(args, 'port', 0, 65535) ?? 0;
  const hostFlag = args.flags.get('host');
  const host = typeof hostFlag === 'string' ? hostFlag : LOOPBACK;
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new UsageError(
      `the renderer is not built (${rendererDir} has no index.html): run \`npm run build\` first`,
    );
  }
  if (host !== LOOPBACK && host !== 'localhost' && host !== '::1') {
    console.warn(
      `WARNING: listening on ${host}, not loopback: other machines on the network can reach this server. ` +
        'Anyone with the URL (token included) can open projects and files as your user.',
    );
  }

  const services = createServices({ transport: 'web' });
  const web = await startWebServer({ services, staticDir: rendererDir, host, port });
  if (args.flags.has('json')) {
    console.log(JSON.stringify({ url: web.url, port: web.port, token: web.token }));
  } else {
    console.log(
      `ModeScope is running in web mode.\nOpen this address in a browser on this machine:\n\n  ${web.url}\n\nPress Ctrl+C to stop.`,
    );
  }

  await new Promise<void>((resolve) => {
    const stop = async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await web.close();
      services.dispose();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
