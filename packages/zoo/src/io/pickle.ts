import { ModelFileError, UnsafePickleError } from '../errors.js';

/*
 * A pickle reader that never executes anything: the opcodes of protocols 2 to 5 that data needs, and globals only
 * from the caller's allow-list, each a plain TypeScript function that builds a value. Any other global (what a
 * hostile pickle uses to run code: `posix.system`, `builtins.eval`, …) is an UnsafePickleError naming it.
 *
 * Python values come back as: None → null, bool → boolean, int → number (bigint past 2^53), float → number,
 * str → string, bytes → Uint8Array (a view into the input), list and tuple → arrays, dict → Map.
 */

/** An allowed global: a token (a class such as `torch.FloatStorage`) or, with `call`, something REDUCE / NEWOBJ may call. */
export class PyGlobal {
  constructor(
    readonly name: string,
    readonly call?: (args: unknown[]) => unknown,
  ) {}
}

/** An object that takes BUILD's state (numpy's arrays and dtypes); BUILD on a Map (OrderedDict's attributes) is ignored. */
export interface Buildable {
  setState(state: unknown): void;
}

export interface UnpickleOptions {
  /** `module.name` → the global; anything else is refused. */
  globals: ReadonlyMap<string, PyGlobal>;
  /** Resolves a persistent id (BINPERSID); without it, a persistent id is an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Where the pickle starts in `data`. */
  offset?: number;
}

const TEXT = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');

/** Reads one pickle from `data` (a whole file, or a part of one); returns the value and the offset after STOP. */
export function unpickle(path: string, data: Uint8Array, options: UnpickleOptions): { value: unknown; end: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const memo = new Map<number, unknown>();
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  let at = options.offset ?? 0;
  let op = at;

  const fail = (message: string) =>
    new ModelFileError(path, `not a valid pickle: ${message} (${op < data.length ? `opcode 0x${data[op]!.toString(16).padStart(2, '0')} ` : ''}at byte ${op})`);
  const need = (n: number | bigint) => {
    if (n < 0 || Number(n) > data.length - at) throw fail(`needs ${n} bytes, ${data.length - at} left (a truncated file?)`);
    return Number(n);
  };
  const bytes = (n: number | bigint) => {
    const length = need(n);
    const out = data.subarray(at, at + length);
    at += length;
    return out;
  };
  const u8 = () => bytes(1)[0]!;
  const u32 = () => {
    need(4);
    at += 4;
    return view.getUint32(at - 4, true);
  };
  const u64 = () => {
    need(8);
    at += 8;
    return view.getBigUint64(at - 8, true);
  };
  const line = () => {
    const end = data.indexOf(0x0a, at);
    if (end < 0) throw fail('a text argument has no end of line');
    const text = LATIN1.decode(data.subarray(at, end));
    at = end + 1;
    return text;
  };
  const utf8 = (raw: Uint8Array) => {
    try {
      return TEXT.decode(raw);
    } catch {
      throw fail('a string is not UTF-8');
    }
  };
  const pop = () => {
    if (stack.length === 0) throw fail('the stack is empty');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw fail('the stack is empty');
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const outer = marks.pop();
    if (!outer) throw fail('no MARK to pop to');
    stack = outer;
    return items;
  };
  const global = (module: string, name: string) => {
    const full = `${module}.${name}`;
    const g = options.globals.get(full);
    if (!g) throw new UnsafePickleError(path, full, op);
    return g;
  };
  const call = (fn: unknown, args: unknown) => {
    if (!(fn instanceof PyGlobal) || !fn.call) throw fail(`${fn instanceof PyGlobal ? fn.name : 'a non-global'} is not callable here`);
    if (!Array.isArray(args)) throw fail(`${fn.name} is called with a non-tuple`);
    try {
      return fn.call(args);
    } catch (err) {
      if (err instanceof ModelFileError) throw err;
      throw fail(`${fn.name}: ${(err as Error).message}`);
    }
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) throw fail('SETITEM(S) on a non-dict');
    if (items.length % 2 !== 0) throw fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const long = (raw: Uint8Array) => {
    let n = 0n;
    for (let i = raw.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(raw[i]!);
    if (raw.length > 0 && raw[raw.length - 1]! & 0x80) n -= 1n << BigInt(raw.length * 8);
    return Number.isSafeInteger(Number(n)) ? Number(n) : n;
  };

  for (;;) {
    op = at;
    if (at >= data.length) throw fail('the pickle ends before its STOP opcode (a truncated file?)');
    const code = data[at++]!;
    switch (code) {
      case 0x80: // PROTO
        if (u8() > 5) throw fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: at };
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) throw fail('the stack is empty');
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(code === 0x88);
        break;
      case 0x4a: // BININT
        need(4);
        at += 4;
        stack.push(view.getInt32(at - 4, true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        need(2);
        at += 2;
        stack.push(view.getUint16(at - 2, true));
        break;
      case 0x8a: // LONG1
        stack.push(long(bytes(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(long(bytes(u32())));
        break;
      case 0x49: {
        // INT (protocol 0; protocol 2 still writes True / False this way under some writers)
        const text = line();
        if (!/^-?\d+$/.test(text)) throw fail(`INT '${text}' is not an integer`);
        stack.push(text === '01' ? true : text === '00' ? false : Number(text));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        at += 8;
        stack.push(view.getFloat64(at - 8, false));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(bytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(bytes(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(bytes(u64())));
        break;
      case 0x54: // BINSTRING (Python 2 str: read as latin-1, as numpy and Paddle load them)
        stack.push(LATIN1.decode(bytes(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(LATIN1.decode(bytes(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(bytes(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes(u8()));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(bytes(u64()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x6c: // LIST
      case 0x74: {
        // TUPLE
        const items = popMark(); // before `stack` is read: popMark replaces it
        stack.push(items);
        break;
      }
      case 0x64: {
        // DICT
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = code - 0x84;
        if (stack.length < n) throw fail('the stack is empty');
        stack.push(stack.splice(stack.length - n, n));
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        const list = top();
        if (!Array.isArray(list)) throw fail('APPEND to a non-list');
        list.push(item);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw fail('APPENDS to a non-list');
        for (const item of items) list.push(item); // not push(...items): a long batch would overflow the call stack
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = code === 0x68 ? u8() : u32();
        if (!memo.has(i)) throw fail(`memo ${i} was never stored`);
        stack.push(memo.get(i));
        break;
      }
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL of non-strings');
        stack.push(global(module, name));
        break;
      }
      case 0x69: {
        // INST: "module\nname\n", then the arguments since MARK
        const g = global(line(), line());
        const args = popMark();
        stack.push(call(g, args));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args), for the allowed classes the same as calling them
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (target instanceof Map) break; // OrderedDict's attributes (a state_dict's _metadata): not needed
        if (typeof (target as Partial<Buildable> | null)?.setState !== 'function') throw fail('BUILD on an object that takes no state');
        (target as Buildable).setState(state);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) throw fail('a persistent id, which this kind of file never holds');
        stack.push(options.persistentLoad(pid));
        break;
      }
      default:
        throw fail('this opcode is not read (only the opcodes of data are)');
    }
  }
}

/** A pickled `bytes`: protocol 3+ writes them as bytes, protocol 2 as `_codecs.encode(latin-1 text, 'latin1')`. */
export function asBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Uint8Array.from(v, (c) => c.charCodeAt(0));
  return undefined;
}

/** The globals every reader allows: how protocol 2 pickles bytes (`_codecs.encode`, `__builtin__.bytes`). */
export const BYTES_GLOBALS: readonly PyGlobal[] = [
  new PyGlobal('_codecs.encode', ([text, encoding]) => {
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw new TypeError("_codecs.encode: only (str, 'latin1') is read");
    return asBytes(text);
  }),
  ...['__builtin__.bytes', 'builtins.bytes'].map(
    (name) =>
      new PyGlobal(name, (args) => {
        if (args.length !== 0) throw new TypeError(`${name}: only the empty bytes() is read`);
        return new Uint8Array(0);
      }),
  ),
];
