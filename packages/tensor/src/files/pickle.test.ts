import { UnsupportedInputError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { PickleCallable, unpickle, type PickleHooks } from './pickle.js';

// The hex strings are CPython 3.11's own `pickle.dumps(..., protocol=N)` output (the Python expression
// is in each test's name), so the reader is checked against the reference writer.

const hooks: PickleHooks = {
  findGlobal: (module, name, where) => {
    if (module === 'test' && name === 'pair') return new PickleCallable('test.pair', (args) => ({ pair: args }));
    throw new UnsupportedInputError({ source: where, expected: 'test.pair', found: `${module}.${name}` });
  },
  persistentLoad: (pid) => ({ persistent: pid }),
  build: (target, state) => ({ built: target, state }),
};

const run = (hex: string) => unpickle(Buffer.from(hex, 'hex'), hooks, 'test.pkl');

function errorOf(hex: string): string {
  try {
    run(hex);
  } catch (error) {
    expect(UnsupportedInputError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected the pickle to be refused');
}

describe('unpickle', () => {
  it("reads protocol 2: {'a': [1, 2.5, None, True, False], 'b': (-1, 2**40, -2**40, 'é', 70000, -300), 'c': (1,), 'd': (1, 2, 3), 'e': {}}", () => {
    const value = run(
      '80027d71002858010000006171015d7102284b014740040000000000004e8889655801000000627103284affffffff8a060000000000018a060000000000ff5802000000c3a971044a701101004ad4feffff74710558010000006371064b0185710758010000006471084b014b024b03877109580100000065710a7d710b752e',
    );
    expect(value).toEqual(
      new Map<string, unknown>([
        ['a', [1, 2.5, null, true, false]],
        ['b', [-1, 2 ** 40, -(2 ** 40), 'é', 70000, -300]],
        ['c', [1]],
        ['d', [1, 2, 3]],
        ['e', new Map()],
      ]),
    );
  });

  it("reads protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, SHORT_BINBYTES): {'bytes': b'xy', 'list': [[1], [1]], 's': 'hi'}", () => {
    const value = run('80049530000000000000007d94288c0562797465739443027879948c046c697374945d94285d944b01615d944b0161658c0173948c02686994752e');
    expect(value).toEqual(new Map<string, unknown>([['bytes', Uint8Array.from([0x78, 0x79])], ['list', [[1], [1]]], ['s', 'hi']]));
  });

  it('keeps shared references shared (memo): x = [1]; [x, x]', () => {
    const value = run('80025d7100285d71014b01616801652e') as unknown[][];
    expect(value).toEqual([[1], [1]]);
    expect(value[0]).toBe(value[1]);
  });

  it('hands GLOBAL, REDUCE, BINPERSID and BUILD to the hooks', () => {
    // PROTO 2; GLOBAL 'test' 'pair'; BININT1 1; BININT1 2; TUPLE2; REDUCE; BININT1 7; BINPERSID; TUPLE2; EMPTY_DICT; BUILD; STOP
    const hex = '8002' + '63' + Buffer.from('test\npair\n').toString('hex') + '4b014b0286524b0751867d622e';
    expect(run(hex)).toEqual({ built: [{ pair: [1, 2] }, { persistent: 7 }], state: new Map() });
  });

  it('refuses globals the hooks refuse, naming the byte', () => {
    const hex = '8002' + '63' + Buffer.from('posix\nsystem\n').toString('hex') + '2e';
    expect(errorOf(hex)).toBe('test.pkl at byte 2: expected test.pair, found posix.system');
  });

  it('refuses malformed pickles with a precise error', () => {
    expect(errorOf('80025801000000')).toBe('test.pkl at byte 2: expected 1 more bytes for BINUNICODE, found the end of the pickle (truncated)');
    expect(errorOf('80024b01')).toBe('test.pkl at byte 2: expected a STOP opcode, found the end of the pickle (truncated)');
    expect(errorOf('8002680c2e')).toBe('test.pkl at byte 2: expected memo entry 12 to be defined, found an undefined entry (malformed pickle)');
    expect(errorOf('80024b014b022e')).toBe('test.pkl at byte 6: expected an empty stack at STOP, found 1 values left (malformed pickle)');
    expect(errorOf('80022e')).toBe('test.pkl at byte 2: expected a value on the stack, found an empty stack (malformed pickle)');
    expect(errorOf('80025801000000612952')).toBe("test.pkl at byte 9: expected an allowed callable for REDUCE, found string \"a\"");
    expect(errorOf('80024b0128652e')).toBe('test.pkl at byte 5: expected a list for APPENDS, found number 1');
    expect(errorOf('8006')).toBe('test.pkl at byte 0: expected pickle protocol 2 to 5, found protocol 6');
    expect(errorOf('80025802000000c3282e')).toBe('test.pkl at byte 2: expected a UTF-8 string, found invalid UTF-8');
    expect(errorOf('8002492e')).toBe('test.pkl at byte 2: expected only the pickle opcodes of a tensor state dict, found opcode 0x49 (INT), which is not allowed');
    expect(errorOf('8002ff2e')).toBe('test.pkl at byte 2: expected only the pickle opcodes of a tensor state dict, found opcode 0xff, which is not allowed');
  });
});
