import { UnsupportedInputError } from '@adalora/core';

/**
 * A restricted pickle reader: a stack machine over the opcodes that `torch.save` emits for a state
 * dict (protocol 2, plus the protocol 4/5 framing opcodes), and nothing else. It cannot execute
 * anything: a `GLOBAL` is resolved only through the caller's `findGlobal`, which returns inert values
 * for an allow-list and throws for every other name; `REDUCE` may call only what `findGlobal` returned
 * as a `PickleCallable`. Opcodes that build arbitrary objects (`INST`, `OBJ`, `NEWOBJ`, `EXT*`) are
 * refused by name.
 *
 * Python values become: None → null, bool → boolean, int → number (must be a safe integer), float →
 * number, str → string, bytes → Uint8Array, tuple and list → array, dict → Map.
 */

/** Something `REDUCE` may call: returned only by the caller's `findGlobal`. */
export class PickleCallable {
  constructor(
    readonly qualifiedName: string,
    readonly call: (args: readonly unknown[], where: string) => unknown,
  ) {}
}

/** What the caller plugs in: the allow-list of globals, persistent ids, and BUILD. */
export interface PickleHooks {
  /** Returns the value of `module.name` if it is allowed; throws otherwise. `where` locates the opcode for errors. */
  findGlobal(module: string, name: string, where: string): unknown;
  /** Resolves a persistent id (`BINPERSID`), e.g. torch's `('storage', type, key, location, numel)`. */
  persistentLoad(pid: unknown, where: string): unknown;
  /** Applies `BUILD` (`__setstate__`) of `state` to `target`; returns the object to push back. */
  build(target: unknown, state: unknown, where: string): unknown;
}

const opcodeNames: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/**
 * Runs the pickle in `bytes` and returns the object it builds. `source` names the pickle in errors
 * (e.g. `'model.bin, zip entry archive/data.pkl'`); each error adds the byte offset of the opcode.
 */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks, source: string): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  let opStart = 0;

  const where = () => `${source} at byte ${opStart}`;
  const fail = (expected: string, found: string): never => {
    throw new UnsupportedInputError({ source: where(), expected, found });
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail(`${n} more bytes for ${opcodeNames[bytes[opStart]!]}`, 'the end of the pickle (truncated)');
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const value = view.getBigUint64(pos, true);
    pos += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail('a length below 2^53', String(value));
    return Number(value);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const utf8 = (n: number) => {
    try {
      return text.decode(take(n));
    } catch (error) {
      if (UnsupportedInputError.isInstance(error)) throw error;
      return fail('a UTF-8 string', 'invalid UTF-8');
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('a newline-terminated name', 'the end of the pickle (truncated)');
    const value = Buffer.from(bytes.subarray(pos, end)).toString('latin1');
    pos = end + 1;
    return value;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail('a value on the stack', 'an empty stack (malformed pickle)');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('a value on the stack', 'an empty stack (malformed pickle)');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const at = marks.pop();
    if (at === undefined) fail('a MARK before this opcode', 'none (malformed pickle)');
    return stack.splice(at!);
  };
  const get = (index: number) => {
    if (!memo.has(index)) fail(`memo entry ${index} to be defined`, 'an undefined entry (malformed pickle)');
    return memo.get(index);
  };
  const dictOf = (value: unknown, what: string): Map<unknown, unknown> => {
    if (!(value instanceof Map)) fail(`a dict for ${what}`, describe(value));
    return value as Map<unknown, unknown>;
  };
  const listOf = (value: unknown, what: string): unknown[] => {
    if (!Array.isArray(value)) fail(`a list for ${what}`, describe(value));
    return value as unknown[];
  };
  const global = (module: string, name: string) => hooks.findGlobal(module, name, where());

  while (pos < bytes.length) {
    opStart = pos;
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: { // PROTO
        const version = u8();
        if (version > 5) fail('pickle protocol 2 to 5', `protocol ${version}`);
        break;
      }
      case 0x95: // FRAME: a length prefix only
        u64();
        break;
      case 0x2e: { // STOP
        const result = pop();
        if (stack.length !== 0 || marks.length !== 0) fail('an empty stack at STOP', `${stack.length} values left (malformed pickle)`);
        return result;
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: { // LONG1: little-endian two's complement of n bytes
        const n = u8();
        let value = 0n;
        const digits = take(n);
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(digits[i]!);
        if (n > 0 && digits[n - 1]! >= 0x80) value -= 1n << BigInt(8 * n);
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) fail('an integer within ±2^53', String(value));
        stack.push(Number(value));
        break;
      }
      case 0x47: { // BINFLOAT: big-endian float64
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x58: stack.push(utf8(u32())); break; // BINUNICODE
      case 0x8c: stack.push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8(u64())); break; // BINUNICODE8
      case 0x54: stack.push(Buffer.from(take(u32())).toString('latin1')); break; // BINSTRING (Python 2 str)
      case 0x55: stack.push(Buffer.from(take(u8())).toString('latin1')); break; // SHORT_BINSTRING
      case 0x42: stack.push(new Uint8Array(take(u32()))); break; // BINBYTES (a copy)
      case 0x43: stack.push(new Uint8Array(take(u8()))); break; // SHORT_BINBYTES
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const value = pop(); listOf(top(), 'APPEND').push(value); break; } // APPEND
      case 0x65: { const values = popMark(); listOf(top(), 'APPENDS').push(...values); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { // DICT
        const items = popMark();
        const dict = new Map<unknown, unknown>();
        for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i], items[i + 1]);
        stack.push(dict);
        break;
      }
      case 0x73: { const value = pop(); const key = pop(); dictOf(top(), 'SETITEM').set(key, value); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) fail('key/value pairs for SETITEMS', `${items.length} values`);
        const dict = dictOf(top(), 'SETITEMS');
        for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(get(u8())); break; // BINGET
      case 0x6a: stack.push(get(u32())); break; // LONG_BINGET
      case 0x63: { // GLOBAL: "module\nname\n"
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('two strings for STACK_GLOBAL', `${describe(module)} and ${describe(name)}`);
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PickleCallable)) fail('an allowed callable for REDUCE', describe(callable));
        stack.push((callable as PickleCallable).call(listOf(args, 'the arguments of REDUCE'), where()));
        break;
      }
      case 0x51: stack.push(hooks.persistentLoad(pop(), where())); break; // BINPERSID
      case 0x62: { const state = pop(); stack.push(hooks.build(pop(), state, where())); break; } // BUILD
      default:
        fail(
          'only the pickle opcodes of a tensor state dict',
          `opcode 0x${op.toString(16).padStart(2, '0')}${opcodeNames[op] === undefined ? '' : ` (${opcodeNames[op]})`}, which is not allowed`,
        );
    }
  }
  return fail('a STOP opcode', 'the end of the pickle (truncated)');
}

/** Short description of an unpickled value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof PickleCallable) return value.qualifiedName;
  if (value instanceof Map) return 'a dict';
  if (Array.isArray(value)) return `a tuple/list of ${value.length}`;
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'object') return (value as { describe?: () => string }).describe?.() ?? 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
