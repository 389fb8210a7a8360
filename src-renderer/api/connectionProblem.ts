/** Why the renderer has no working API; each kind gets its own full-page explanation. */
export type ConnectionProblemKind =
  'no-backend' | 'bridge-incomplete' | 'missing-token' | 'refused' | 'timeout' | 'lost';

export interface ConnectionProblem {
  kind: ConnectionProblemKind;
  title: string;
  message: string;
  /** Technical detail (close code, missing methods) for bug reports. */
  detail?: string;
}

const SERVE_HINT =
  'Start the server with `modescope serve` and open the address it prints, including its ?token=… part.';

export function connectionProblem(kind: ConnectionProblemKind, detail?: string): ConnectionProblem {
  const withDetail = (p: Omit<ConnectionProblem, 'kind' | 'detail'>): ConnectionProblem =>
    detail === undefined ? { kind, ...p } : { kind, ...p, detail };
  switch (kind) {
    case 'no-backend':
      return withDetail({
        title: 'No ModeScope backend',
        message: `This page was opened without the desktop app or a ModeScope server behind it. ${SERVE_HINT}`,
      });
    case 'bridge-incomplete':
      return withDetail({
        title: 'The desktop bridge is incomplete',
        message:
          'The desktop app exposed an API that does not match this version of the interface. Reinstall or rebuild ModeScope.',
      });
    case 'missing-token':
      return withDetail({
        title: 'Access token missing',
        message: `The ModeScope server only accepts connections that present its access token, and this address has none. ${SERVE_HINT}`,
      });
    case 'refused':
      return withDetail({
        title: 'Cannot connect to the ModeScope server',
        message: `The server refused or closed the connection. Either the access token is wrong or out of date (each start of the server issues a new one), or the server is no longer running. ${SERVE_HINT}`,
      });
    case 'timeout':
      return withDetail({
        title: 'The ModeScope server does not answer',
        message: `No connection could be established within the time limit. Check that the server is running and reachable. ${SERVE_HINT}`,
      });
    case 'lost':
      return withDetail({
        title: 'Connection to the ModeScope server lost',
        message:
          'The server closed the connection, most likely because it was stopped. Nothing more can be saved from this page; restart the server and reload.',
      });
  }
}

/** Thrown by the connection steps so that callers get a problem to show, not a bare Error. */
export class ConnectionFailure extends Error {
  readonly problem: ConnectionProblem;

  constructor(problem: ConnectionProblem) {
    super(`${problem.title}${problem.detail ? ` (${problem.detail})` : ''}`);
    this.name = 'ConnectionFailure';
    this.problem = problem;
  }
}
