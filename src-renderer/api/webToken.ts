/** The subsets of the browser's Storage and History that the token handling needs. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface UrlHistory {
  replaceState(data: unknown, unused: string, url?: string | URL | null): void;
}

export const TOKEN_PARAM = 'token';
export const TOKEN_STORAGE_KEY = 'modescope.token';

/** Splits `?token=…` off a page address, keeping every other parameter and the hash. */
export function splitTokenFromUrl(href: string): { token: string | null; cleanedHref: string } {
  const url = new URL(href);
  const token = url.searchParams.get(TOKEN_PARAM);
  if (token === null) return { token: null, cleanedHref: href };
  url.searchParams.delete(TOKEN_PARAM);
  return { token: token === '' ? null : token, cleanedHref: url.toString() };
}

/**
 * The web-mode access token. A token in the address wins (a fresh `serve` prints a new one) and is
 * kept in sessionStorage so a reload still works once it has been removed from the visible address,
 * where it would otherwise end up in screenshots, bookmarks and shared links.
 */
export function resolveWebToken(
  href: string,
  storage: TokenStorage | null,
  history: UrlHistory | null,
): string | null {
  const { token, cleanedHref } = splitTokenFromUrl(href);
  if (cleanedHref !== href) history?.replaceState(null, '', cleanedHref);
  if (token !== null) {
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, token);
    } catch {
      // Storage can be disabled or full; the token still works for this page load.
    }
    return token;
  }
  try {
    const stored = storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
    return stored === '' ? null : stored;
  } catch {
    return null;
  }
}

/** The RPC endpoint on the same host that served the page. */
export function rpcSocketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/rpc?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}
