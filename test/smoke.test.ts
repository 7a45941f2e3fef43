import { describe, expect, it } from 'vitest';
import { AF_INET, SOCK_DGRAM, socket } from 'bsdsock';

describe('package', () => {
  it('loads through the package name and makes a UDP round trip', () => {
    using s = socket(AF_INET, SOCK_DGRAM);
    s.bind(['127.0.0.1', 0]);
    s.sendto(Buffer.from('hi'), s.getsockname());
    const [data, addr] = s.recvfrom(16);
    expect(data.toString()).toBe('hi');
    expect(addr).toEqual(s.getsockname());
  });
});
