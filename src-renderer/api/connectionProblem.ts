/** Why the renderer has no working API; each kind gets its own full-page explanation. */
export type ConnectionProblemKind =
  'no-backend' | 'bridge-incomplete' | 'missing-token' | 'refused' | 'timeout' | 'lost';

export interface ConnectionProblem {
  kind: ConnectionProblemKind;
  title: string;
  message: string;
  /** Whether to tell people how to start the server and where the token comes from. */
  serveHint: boolean;
  /** Technical detail (close code, missing methods) for bug reports. */
  detail?: string;
}

export function connectionProblem(kind: ConnectionProblemKind, detail?: string): ConnectionProblem {
  const withDetail = (p: Omit<ConnectionProblem, 'kind' | 'detail'>): ConnectionProblem =>
    detail === undefined ? { kind, ...p } : { kind, ...p, detail };
  switch (kind) {
    case 'no-backend':
      return withDetail({
        title: 'No ModeScope backend',
        message: 'This page was opened without the desktop app or a ModeScope server behind it.',
        serveHint: true,
      });
    case 'bridge-incomplete':
      return withDetail({
        title: 'The desktop bridge is incomplete',
        message:
          'The desktop app exposed an API that does not match this version of the interface. Reinstall or rebuild ModeScope.',
        serveHint: false,
      });
    case 'missing-token':
      return withDetail({
        title: 'Access token missing',
        message:
          'The ModeScope server only accepts connections that present its access token, and this address has none.',
        serveHint: true,
      });
    case 'refused':
      return withDetail({
        title: 'Cannot connect to the ModeScope server',
        message:
          'The server refused or closed the connection. Either the access token is wrong or out of date (each start of the server issues a new one), or the server is no longer running.',
        serveHint: true,
      });
    case 'timeout':
      return withDetail({
        title: 'The ModeScope server does not answer',
        message:
          'No connection could be established within the time limit. Check that the server is running and reachable.',
        serveHint: true,
      });
    case 'lost':
      return withDetail({
        title: 'Connection to the ModeScope server lost',
        message:
          'The server closed the connection, most likely because it was stopped. Nothing more can be saved from this page until it is back.',
        serveHint: true,
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
