// What the examples share: reading the port and host from the command line
// (or PORT / HOST in the environment), and printing values as Python's REPL
// prints them, so that each example's output reads like the talk's session.

/** The talk's port. */
export const TALK_PORT = 1055;

/**
 * `[port, host]` from `node examples/<name>.mjs [port] [host]`, else from the
 * PORT and HOST environment variables, else `defaultPort` and `defaultHost`.
 * Port 0 asks the OS for a free port (servers print the one they got). With
 * `services`, a port that is not a number is a service name ('http'), for
 * the examples that resolve it with getaddrinfo.
 */
export function portAndHost(defaultHost, defaultPort = TALK_PORT, services = false) {
  const [portArg = process.env.PORT, hostArg = process.env.HOST] = process.argv.slice(2);
  const port = portArg === undefined ? defaultPort : /^\d+$/.test(portArg) ? Number(portArg) : portArg;
  if (typeof port === 'string' ? !services : port > 65535) {
    console.error(`bad port: ${portArg}`);
    process.exit(2);
  }
  return [port, hostArg ?? defaultHost];
}

/** Python's repr() of a bytes object, for a Buffer. */
function bytesRepr(buf) {
  const text = buf.toString('latin1');
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const byte of buf) {
    const ch = String.fromCharCode(byte);
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `b${quote}${out}${quote}`;
}

/** Python's repr() of a str. */
function strRepr(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  return quote + s.replaceAll('\\', '\\\\').replaceAll(quote, `\\${quote}`).replaceAll('\n', '\\n') + quote;
}

/**
 * Python's repr() of what bsdsock returns: a Buffer is bytes, an array is a
 * tuple (bsdsock's addresses and result pairs are Python's tuples), null is
 * None, booleans are True / False.
 */
export function repr(value) {
  if (value === null || value === undefined) return 'None';
  if (Buffer.isBuffer(value)) return bytesRepr(value);
  if (typeof value === 'string') return strRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) {
    const items = value.map(repr);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return String(value);
}
