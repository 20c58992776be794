/**
 * Fetching a page the user asked for, safely: http(s) only, a deadline, a size limit, a
 * bounded number of redirects, an allowed content type, and no private, loopback,
 * link-local or otherwise internal address (checked on every connection, after DNS and
 * after each redirect) unless the caller allows it.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { SpinscopeError } from '../errors.js';
import { decodeText } from './files.js';

export interface FetchOptions {
  /** Whole-request deadline in milliseconds (default 10 s). */
  timeoutMs?: number;
  /** Largest body in bytes (default 5 MiB). */
  maxBytes?: number;
  /** Redirects followed at most (default 5). */
  maxRedirects?: number;
  /** Allow private, loopback and link-local addresses (default false). */
  allowPrivate?: boolean;
}

export interface FetchedPage {
  /** The URL after redirects. */
  url: string;
  contentType: string;
  body: string;
  isHtml: boolean;
}

const ACCEPTED_TYPES = ['text/html', 'application/xhtml+xml', 'text/plain'];

/** IPv6 global unicast, the only IPv6 block assigned to public hosts (RFC 4291). */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * True for an address no user-supplied URL may reach by default: whatever ipaddr.js puts in
 * a special range (private, loopback, link-local, carrier-grade NAT, multicast, broadcast,
 * unspecified, reserved and benchmarking blocks; IPv6 unique-local, and the blocks that
 * carry or translate IPv4: mapped, NAT64, 6to4, Teredo), and any IPv6 address outside
 * global unicast (which takes in the IPv4-compatible ::a.b.c.d). Not an address: true.
 */
export function isInternalAddress(address: string): boolean {
  if (isIP(address) === 0) return true;
  const parsed = ipaddr.parse(address);
  if (parsed.range() !== 'unicast') return true;
  return parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6);
}

function parseUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new SpinscopeError('SPN_ERR_URL', `"${raw.slice(0, 200)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SpinscopeError(
      'SPN_ERR_URL',
      `only http and https URLs can be fetched, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new SpinscopeError('SPN_ERR_URL', 'URLs with credentials are refused');
  }
  return url;
}

export async function fetchPage(rawUrl: string, options: FetchOptions = {}): Promise<FetchedPage> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = parseUrl(rawUrl);
  for (let redirects = 0; ; redirects++) {
    const response = await request(url, signal, maxBytes, options.allowPrivate ?? false, timeoutMs);
    if (response.status >= 300 && response.status < 400 && response.location) {
      if (redirects >= maxRedirects) {
        throw new SpinscopeError('SPN_ERR_FETCH', `${rawUrl}: more than ${maxRedirects} redirects`);
      }
      url = parseUrl(response.location, url.href);
      continue;
    }
    if (response.status < 200 || response.status >= 300) {
      throw new SpinscopeError('SPN_ERR_FETCH', `${url.href} answered HTTP ${response.status}`);
    }
    const contentType = response.contentType.split(';')[0]!.trim().toLowerCase();
    if (!ACCEPTED_TYPES.includes(contentType)) {
      throw new SpinscopeError(
        'SPN_ERR_FETCH',
        `${url.href} is ${contentType || 'of no stated type'}, not an HTML or text page`,
      );
    }
    return {
      url: url.href,
      contentType,
      body: decodeText(response.body, url.href),
      isHtml: contentType !== 'text/plain',
    };
  }
}

interface RawResponse {
  status: number;
  location: string | undefined;
  contentType: string;
  body: Buffer;
}

/** A DNS look-up that refuses internal addresses (every connection resolves through it). */
function guardedLookup(allowPrivate: boolean) {
  return (
    hostname: string,
    lookupOptions: object,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = !allowPrivate && addresses.find((a) => isInternalAddress(a.address));
      if (refused) {
        return callback(
          new SpinscopeError(
            'SPN_ERR_URL',
            `${hostname} resolves to the internal address ${refused.address}, which is refused`,
          ),
          [],
        );
      }
      if ((lookupOptions as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

/** A response's body, refused as soon as it is known to be over `maxBytes`. */
function readBody(
  res: http.IncomingMessage,
  url: URL,
  maxBytes: number,
  done: (error: Error | null, body?: Buffer) => void,
): void {
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    res.destroy();
    done(
      new SpinscopeError(
        'SPN_ERR_FETCH',
        `${url.href} is ${declared} bytes, over the limit of ${maxBytes}`,
      ),
    );
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      done(
        new SpinscopeError('SPN_ERR_FETCH', `${url.href} is over the limit of ${maxBytes} bytes`),
      );
    } else chunks.push(chunk);
  });
  res.on('end', () => done(null, Buffer.concat(chunks)));
  res.on('error', (error) => done(error));
}

/** A request's failure in the catalogue's terms. */
function fetchError(url: URL, timeoutMs: number, error: Error & { code?: string }): SpinscopeError {
  if (error instanceof SpinscopeError) return error;
  if (error.name === 'AbortError' || error.name === 'TimeoutError' || error.code === 'ABORT_ERR') {
    return new SpinscopeError('SPN_ERR_FETCH', `${url.href} did not answer within ${timeoutMs} ms`);
  }
  return new SpinscopeError('SPN_ERR_FETCH', `${url.href}: ${error.message}`);
}

function request(
  url: URL,
  signal: AbortSignal,
  maxBytes: number,
  allowPrivate: boolean,
  timeoutMs: number,
): Promise<RawResponse> {
  // A literal IP skips DNS entirely, so it is checked here.
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  if (isIP(host) && !allowPrivate && isInternalAddress(host)) {
    return Promise.reject(
      new SpinscopeError(
        'SPN_ERR_URL',
        `${url.href} points at the internal address ${host}, which is refused`,
      ),
    );
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(
      url,
      {
        signal,
        lookup: guardedLookup(allowPrivate),
        headers: {
          'user-agent': 'Spinscope (+offline propaganda analysis)',
          accept: 'text/html, text/plain;q=0.9',
        },
        timeout: timeoutMs,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          return resolve({
            status,
            location: res.headers.location,
            contentType: '',
            body: Buffer.alloc(0),
          });
        }
        readBody(res, url, maxBytes, (error, body) => {
          if (error) return reject(fetchError(url, timeoutMs, error));
          resolve({
            status,
            location: undefined,
            contentType: String(res.headers['content-type'] ?? ''),
            body: body as Buffer,
          });
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new SpinscopeError('SPN_ERR_FETCH', `${url.href} did not answer within ${timeoutMs} ms`),
      ),
    );
    req.on('error', (error: Error & { code?: string }) =>
      reject(fetchError(url, timeoutMs, error)),
    );
  });
}
