// bsdsock's constants against python3's socket module: the same values, and the
// same names in the groups a socket program reaches for.
import * as bsdsock from 'bsdsock';
import { describe, expect, it } from 'vitest';
import { python } from './helpers/python';

const py = python('import re, socket', {
  constants: `{n: int(v) for n, v in vars(socket).items()
    if re.fullmatch('[A-Z][A-Z0-9_]*', n) and isinstance(v, int) and not isinstance(v, bool)}`,
  has_ipv6: 'socket.has_ipv6',
});
const value = (name: string) => (py[name] as { value: unknown }).value;
const PY = value('constants') as Record<string, number>;
const JS = bsdsock as unknown as Record<string, unknown>;

const GROUPS = ['AF_', 'SOCK_', 'SOL_', 'SO_', 'SCM_', 'IPPROTO_', 'IP_', 'IPV6_', 'TCP_', 'MSG_', 'SHUT_', 'INADDR_', 'AI_', 'NI_', 'EAI_'];

// Names of these groups that Python has and bsdsock lacks, found when this test
// was written. Empty: bsdsock had every one of them.
const KNOWN_MISSING: string[] = [];

describe('constants', () => {
  // Guards the tests below: with no constants from Python they would pass vacuously.
  it('python3 reports its constants', () => {
    expect(Object.keys(PY).length).toBeGreaterThan(100);
    expect(PY.AF_INET).toBeTypeOf('number');
  });

  it("every constant bsdsock has that Python has has Python's value", () => {
    const differ = Object.keys(JS)
      .filter((name) => name in PY && JS[name] !== undefined && JS[name] !== PY[name])
      .map((name) => ({ name, python: PY[name], bsdsock: JS[name] }));
    expect(differ).toEqual([]);
  });

  it("Python's AF_, SOCK_, SOL_, SO_, SCM_, IPPROTO_, IP_, IPV6_, TCP_, MSG_, SHUT_, INADDR_, AI_, NI_ and EAI_ names all exist", () => {
    const missing = Object.keys(PY)
      .filter((name) => GROUPS.some((g) => name.startsWith(g)))
      .filter((name) => typeof JS[name] !== 'number')
      .sort();
    expect(missing.filter((name) => !KNOWN_MISSING.includes(name))).toEqual([]);
  });

  // bsdsock reads values from the OS headers only; CPython types in fallback
  // values for a few names this system's headers lack. Those, and only those,
  // are absent (undefined) here.
  it("every int constant of Python's is here, but for names this system's headers lack", () => {
    const NOT_IN_HEADERS = ['ALG_OP_SIGN', 'ALG_OP_VERIFY', 'ALG_SET_PUBKEY', 'UDPLITE_RECV_CSCOV', 'UDPLITE_SEND_CSCOV'];
    const absent = Object.keys(PY).filter((name) => typeof JS[name] !== 'number').sort();
    expect(absent).toEqual(NOT_IN_HEADERS);
  });

  it("SOMAXCONN is Python's", () => {
    expect(bsdsock.SOMAXCONN).toBeTypeOf('number');
    expect(bsdsock.SOMAXCONN).toBe(PY.SOMAXCONN);
  });

  it("has_ipv6 is Python's", () => {
    expect(bsdsock.has_ipv6).toBe(value('has_ipv6'));
  });
});
