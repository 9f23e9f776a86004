import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may be sent. A customer names the URL, so without a guard the server could be
 * made to call what only it can reach (loopback, the private network, a cloud metadata service
 * at 169.254.169.254). Only public unicast addresses pass, unless the server's configuration
 * allows a range (`CHAT_WEBHOOK_ALLOW_CIDRS`, e.g. `127.0.0.1/32` for a receiver on the same
 * host). The check runs on the addresses the name resolves to at connect time, in the socket's
 * own lookup, so a name that resolves to a public address when checked and a private one when
 * connecting (DNS rebinding) is refused too.
 */
export class TargetRefused extends Error {
  override readonly name = 'TargetRefused';
}

export interface TargetGuard {
  /** Throws `TargetRefused` when the URL itself is not one a webhook may have. */
  checkUrl(raw: string): URL;
  /** A `lookup` for `http.request` that refuses disallowed addresses. */
  lookup: typeof dnsLookup;
  /** Whether an address may be connected to. */
  allows(address: string): boolean;
}

const MAX_URL_LENGTH = 2_048;

export function createTargetGuard(allowCidrs: readonly string[] = []): TargetGuard {
  const allowed = allowCidrs.map((cidr) => {
    try {
      return ipaddr.parseCIDR(cidr);
    } catch {
      throw new Error(`not an address range (CIDR): ${JSON.stringify(cidr)}`);
    }
  });

  const allows = (address: string): boolean => {
    if (!ipaddr.isValid(address)) return false;
    let parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
      parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    }
    if (allowed.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits)))
      return true;
    return parsed.range() === 'unicast';
  };

  const lookup = ((hostname: string, options: unknown, callback: unknown) => {
    const done = (typeof options === 'function' ? options : callback) as (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void;
    const wantsAll = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return done(error, wantsAll ? [] : '', undefined);
      const refused = addresses.find((entry) => !allows(entry.address));
      if (refused || addresses.length === 0) {
        const why = new TargetRefused(
          `${hostname} resolves to ${refused?.address ?? 'nothing'}, which webhooks may not reach`,
        ) as NodeJS.ErrnoException;
        why.code = 'ETARGETREFUSED';
        return done(why, wantsAll ? [] : '', undefined);
      }
      if (wantsAll) return done(null, addresses);
      done(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as typeof dnsLookup;

  return {
    allows,
    lookup,
    checkUrl(raw: string): URL {
      if (raw.length > MAX_URL_LENGTH)
        throw new TargetRefused(`the URL is longer than ${MAX_URL_LENGTH} characters`);
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new TargetRefused('not a URL');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new TargetRefused('the URL must be http or https');
      if (url.username || url.password) throw new TargetRefused('the URL must not carry credentials');
      // A literal address is judged now, and so is localhost (always loopback, RFC 6761); any
      // other name when it is resolved to connect.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (ipaddr.isValid(host) && !allows(host))
        throw new TargetRefused(`${host} is an address webhooks may not reach`);
      if (/(^|\.)localhost\.?$/i.test(host) && !allows('127.0.0.1'))
        throw new TargetRefused(`${host} is an address webhooks may not reach`);
      return url;
    },
  };
}
