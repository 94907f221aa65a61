import { describe, expect, it } from 'vitest';
import { ModelFileError, UnsafePickleError } from '../errors.js';
import { BYTES_GLOBALS, PyGlobal, unpickle } from './pickle.js';

const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => Number.parseInt(b, 16));
const read = (h: string, globals: readonly PyGlobal[] = BYTES_GLOBALS) => unpickle('x.pkl', hex(h), { globals: new Map(globals.map((g) => [g.name, g])) });

/** The same value pickled by Python 3.11: pickle.dumps({'a': [1, -2, 2.5, 'x', b'yz', None, True, 2**70, (3,)]}, protocol=…). */
const PROTOCOL_4 =
  '80049536000000000000007d948c0161945d94284b014afeffffff4740040000000000008c0178944302797a944e888a090000000000000000404b03859465732e';
const PROTOCOL_2 =
  '80027d710058010000006171015d7102284b014afeffffff4740040000000000005801000000787103635f636f646563730a656e636f64650a71045802000000797a710558060000006c6174696e3171068671075271084e888a090000000000000000404b0385710965732e';

describe('unpickle: the opcodes of data, and no others', () => {
  it.each([
    ['protocol 4', PROTOCOL_4],
    ['protocol 2 (bytes as _codecs.encode)', PROTOCOL_2],
  ])('%s: ints, floats, str, bytes, None, bool, a big int, a tuple, in a dict', (_, h) => {
    const { value, end } = read(h);
    expect(end).toBe(hex(h).length);
    expect(value).toEqual(new Map([['a', [1, -2, 2.5, 'x', new Uint8Array([0x79, 0x7a]), null, true, 2n ** 70n, [3]]]]));
  });

  it('a global outside the allow-list, however spelt (GLOBAL, STACK_GLOBAL, protocol 0 INST-style text): UnsafePickleError naming it', () => {
    // pickle.dumps(R(), protocol=4) and protocol=0, where R.__reduce__ returns (os.system, ('true',)).
    for (const h of ['8004951f000000000000008c05706f736978948c0673797374656d9493948c047472756594859452942e', '63706f7369780a73797374656d0a70300a2856747275650a70310a7470320a5270330a2e']) {
      expect(() => read(h)).toThrow(UnsafePickleError);
      expect(() => read(h)).toThrow(/x\.pkl: pickle global 'posix\.system' at byte \d+ is not allowed/);
    }
  });

  it("a checkpoint with timm's training arguments (argparse.Namespace) is refused by that name", () => {
    // pickle.dumps({'state_dict': {}, 'args': argparse.Namespace(lr=0.1)}, protocol=2)
    const h =
      '80027d710028580a00000073746174655f6469637471017d710258040000006172677371036361726770617273650a4e616d6573706163650a7104298171057d710658020000006c727107473fb999999999999a7362752e';
    expect(() => read(h)).toThrow(/pickle global 'argparse\.Namespace' at byte 37 is not allowed/);
  });

  it('an allowed global is called with its arguments; BUILD on a dict (OrderedDict attributes) is ignored', () => {
    // pickle.dumps(collections.OrderedDict(a=1), protocol=2)
    const h = '800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710158010000006171024b01732e';
    const ordered = new PyGlobal('collections.OrderedDict', () => new Map());
    expect(read(h, [ordered]).value).toEqual(new Map([['a', 1]]));
  });

  it('truncated, damaged or code-bearing input: ModelFileError naming the opcode and offset', () => {
    expect(() => read(PROTOCOL_4.slice(0, 60))).toThrow(/x\.pkl: not a valid pickle: needs 8 bytes, 2 left \(a truncated file\?\) \(opcode 0x47 at byte 27\)/);
    expect(() => read(PROTOCOL_4.slice(0, -2))).toThrow(/the pickle ends before its STOP opcode \(a truncated file\?\) \(at byte 64\)/);
    expect(() => read('80025d2e'.replace('5d', '61'))).toThrow(/the stack is empty \(opcode 0x61 at byte 2\)/); // APPEND with no list
    expect(() => read('8002820100'.padEnd(12, '2e'))).toThrow(/this opcode is not read \(only the opcodes of data are\) \(opcode 0x82 at byte 2\)/); // EXT1
    expect(() => read('80024b0151')).toThrow(ModelFileError); // BINPERSID in a file that has no storages
  });
});
