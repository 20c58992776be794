/**
 * Fetching a page the user asked for, safely: http(s) only, a deadline, a size limit, a
 * bounded number of redirects, an allowed content type, and no private, loopback,
 * link-local or otherwise internal address (checked on every connection, after DNS and
 * after each redirect) unless the caller allows it.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
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

/** Addresses no user-supplied URL may reach by default (RFC 1918, 6598, 3927, 4193, ...). */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/iu.exec(address)?.[1];
    if (mapped) return INTERNAL.check(mapped, 'ipv4');
  }
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
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

function request(
  url: URL,
  signal: AbortSignal,
  maxBytes: number,
  allowPrivate: boolean,
  timeoutMs: number,
): Promise<RawResponse> {
  // Every connection resolves through this check, so DNS answers (and rebinding between
  // look-ups) cannot lead to an internal address.
  const lookup = (
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
        lookup,
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
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > maxBytes) {
          res.destroy();
          return reject(
            new SpinscopeError(
              'SPN_ERR_FETCH',
              `${url.href} is ${declared} bytes, over the limit of ${maxBytes}`,
            ),
          );
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            reject(
              new SpinscopeError(
                'SPN_ERR_FETCH',
                `${url.href} is over the limit of ${maxBytes} bytes`,
              ),
            );
          } else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status,
            location: undefined,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new SpinscopeError('SPN_ERR_FETCH', `${url.href} did not answer within ${timeoutMs} ms`),
      ),
    );
    req.on('error', (error: Error & { code?: string }) => {
      if (error instanceof SpinscopeError) return reject(error);
      if (
        error.name === 'AbortError' ||
        error.name === 'TimeoutError' ||
        error.code === 'ABORT_ERR'
      ) {
        return reject(
          new SpinscopeError('SPN_ERR_FETCH', `${url.href} did not answer within ${timeoutMs} ms`),
        );
      }
      reject(new SpinscopeError('SPN_ERR_FETCH', `${url.href}: ${error.message}`));
    });
  });
}
