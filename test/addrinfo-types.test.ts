// getaddrinfo's results as TypeScript sees them: is_family narrows an AddrInfo
// to its family, so an AF_INET6 sockaddr is a 4-tuple and an AF_INET one a pair
// (checked by tsc over test/, and at run time against python3's answers).
import { describe, expect, expectTypeOf, it } from 'vitest';

import { AF_INET, AF_INET6, getaddrinfo, is_family, SOCK_STREAM, type AddrInfo, type Inet6Address, type InetAddress } from 'bsdsock';

import { python } from './helpers/python';

describe('is_family', () => {
  const results: AddrInfo[] = [
    ...getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM),
    ...getaddrinfo('::1', 80, AF_INET6, SOCK_STREAM),
  ];

  it('narrows an AddrInfo to its family: a 4-tuple sockaddr for AF_INET6, a pair for AF_INET', () => {
    const seen: unknown[] = [];
    for (const ai of results) {
      if (is_family(ai, AF_INET6)) {
        expectTypeOf(ai[4]).toEqualTypeOf<Inet6Address>();
        const [host, port, flowinfo, scope_id] = ai[4];
        seen.push([host, port, flowinfo, scope_id]);
      } else if (is_family(ai, AF_INET)) {
        expectTypeOf(ai[4]).toEqualTypeOf<InetAddress>();
        seen.push(ai[4]);
      } else {
        expectTypeOf(ai).toBeNever();
      }
    }
    const py = python('import socket', {
      v: "[list(ai[4]) for f in (socket.AF_INET, socket.AF_INET6) for ai in socket.getaddrinfo('127.0.0.1' if f == socket.AF_INET else '::1', 80, f, socket.SOCK_STREAM)]",
    }).v!;
    expect(py).toEqual({ value: seen });
  });

  it('is ai[0] === family', () => {
    for (const ai of results) {
      expect(is_family(ai, AF_INET6)).toBe(ai[0] === AF_INET6);
      expect(is_family(ai, AF_INET)).toBe(ai[0] === AF_INET);
    }
  });
});
