# python3 as the oracle, its side: results in the JSON both sides compare (bytes
# as {'hex'}, tuples and lists as arrays, an exception as its class name, str(e)
# and errno). Run as a script, it reads [setup, cases] from stdin and prints
# each case's outcome (see python.ts); test/fixtures import encode and error.
import ast, json, sys

def encode(v):
    if isinstance(v, (bytes, bytearray)):
        return {'hex': bytes(v).hex()}
    if isinstance(v, (tuple, list)):
        return [encode(x) for x in v]
    return v

def error(e):
    return {'error': type(e).__name__, 'message': str(e), 'errno': getattr(e, 'errno', None)}

def run(src, ns):
    tree = ast.parse(src)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, '<case>', 'exec'), ns)
    return eval(compile(ast.Expression(last.value), '<case>', 'eval'), ns) if last else None

def main():
    setup, cases = json.load(sys.stdin)
    env = {}
    exec(setup, env)
    out = {}
    for name, src in cases.items():
        try:
            out[name] = {'value': encode(run(src, dict(env)))}
        except Exception as e:
            out[name] = error(e)
        finally:
            if 'after_each' in env:
                env['after_each']()
    print(json.dumps(out))

if __name__ == '__main__':
    main()
