import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvReader, MAX_RECORD_BYTES, rawBytes, sniffDelimiter, type CsvItem } from './import-csv.js';
import { GeoJsonReader, GeoJsonStructureError, type GeoJsonItem } from './import-geojson.js';
import { FieldDecoder, parseClock, parseDateTime, parseDecimal, parseYesNo } from './import-text.js';

/** Reads `data` fed in chunks of the given sizes (cycled), as the importer does. */
function read(data: Buffer, chunkSizes: number[] = [data.length || 1], opts: { delimiter?: ',' | ';'; encoding?: 'auto' | 'utf-8' } = {}) {
  const reader = new CsvReader(opts.delimiter ?? ',', new FieldDecoder(opts.encoding ?? 'auto'), { offset: 0, line: 1 });
  const out: CsvItem[] = [];
  for (let i = 0, k = 0; i < data.length; k++) {
    const n = chunkSizes[k % chunkSizes.length];
    reader.push(data.subarray(i, i + n), out);
    i += n;
  }
  reader.finish(out);
  return out;
}
const summary = (items: CsvItem[]) =>
  items.map((i) => (i.kind === 'row' ? { line: i.line, cells: i.cells } : { line: i.line, problem: i.problem }));

describe('lector CSV por bytes', () => {
  it('reads RFC 4180: quotes, doubled quotes, delimiters and line breaks inside quotes, CRLF/LF/CR, no final line end', () => {
    const text = 'a,b,c\r\n1,"x, ""y""",3\n2,"multi\nline",4\r5,,\n\n6,é,"ü"';
    const items = read(Buffer.from(text));
    expect(summary(items)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'x, "y"', '3'] },
      { line: 3, cells: ['2', 'multi\nline', '4'] },
      { line: 5, cells: ['5', '', ''] },
      { line: 7, cells: ['6', 'é', 'ü'] },
    ]);
  });

  it('gives the same records, lines and byte ranges whatever the chunk boundaries', () => {
    const text =
      'id,texto,n\r\n1,"uno, ""dos""",1\r\n2,"tres\r\ncuatro",2\r\n3,"abierto,3\r\n4,cinco,4,extra\r\n5,seis,5\r\n6,"a"b,6\r\n7,ñandú,7';
    const data = Buffer.from(text);
    const whole = read(data);
    const strip = (items: CsvItem[]) =>
      items.map(({ chunk: _c, from: _f, to: _t, ...rest }) => ({
        ...rest,
        raw: rawBytes({ chunk: _c, from: _f, to: _t }).toString('utf8'),
      }));
    for (const sizes of [[1], [2], [3, 7], [5, 1, 13], [64]]) expect(strip(read(data, sizes)), JSON.stringify(sizes)).toEqual(strip(whole));
    expect(summary(whole)).toEqual([
      { line: 1, cells: ['id', 'texto', 'n'] },
      { line: 2, cells: ['1', 'uno, "dos"', '1'] },
      { line: 3, cells: ['2', 'tres\r\ncuatro', '2'] },
      { line: 5, problem: 'unbalanced_quotes' },
      { line: 6, problem: 'ragged_row' },
      { line: 7, cells: ['5', 'seis', '5'] },
      { line: 8, problem: 'text_after_quote' },
      { line: 9, cells: ['7', 'ñandú', '7'] },
    ]);
    // Byte ranges tile the file: each record starts where the previous one ended.
    for (let i = 1; i < whole.length; i++) expect(whole[i].start).toBe(whole[i - 1].end);
    expect(whole[whole.length - 1].end).toBe(data.length);
    expect(whole.map((i) => i.nextLine)).toEqual([2, 3, 5, 6, 7, 8, 9, 10]);
  });

  it('resumes at a committed byte offset and line, with the header count given', () => {
    const data = Buffer.from('a,b\n1,2\n3,4\n5,6,7\n8,9\n');
    const items = read(data);
    const cut = items[2]; // after "1,2"… resume after record "3,4"
    const reader = new CsvReader(',', new FieldDecoder('auto'), { offset: cut.end, line: cut.nextLine });
    reader.expected = 2;
    const out: CsvItem[] = [];
    reader.push(data.subarray(cut.end), out);
    reader.finish(out);
    expect(summary(out)).toEqual([
      { line: 4, problem: 'ragged_row' },
      { line: 5, cells: ['8', '9'] },
    ]);
    expect(out[1].end).toBe(data.length);
  });

  it('takes an unclosed quote at the end of the file as unbalanced and reads the lines after it again', () => {
    const items = read(Buffer.from('a,b\n1,"x\n2,y\n3,z\n'), [4]);
    expect(summary(items)).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, problem: 'unbalanced_quotes' },
      { line: 3, cells: ['2', 'y'] },
      { line: 4, cells: ['3', 'z'] },
    ]);
  });

  it('stops a record at 1 MiB: an open quote becomes unbalanced, a long line too long, and reading goes on', () => {
    const long = 'x'.repeat(MAX_RECORD_BYTES + 10);
    const items = read(Buffer.from(`a,b\n1,${long}\n2,ok\n`), [65_536]);
    expect(summary(items)).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, problem: 'record_too_long' },
      { line: 3, cells: ['2', 'ok'] },
    ]);
    const quoted = read(Buffer.from(`a,b\n1,"${`${'y'.repeat(1000)}\n`.repeat(1100)}`), [65_536]);
    expect(summary(quoted).slice(0, 3)).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, problem: 'unbalanced_quotes' },
      { line: 3, problem: 'ragged_row' },
    ]);
  });

  it('detects the encoding: UTF-8 when valid, else Windows-1252; a declared UTF-8 file with Latin-1 bytes rejects those rows', () => {
    const cp1252 = Buffer.concat([
      Buffer.from('a,b\n1,plain\n2,'),
      Buffer.from([0x56, 0x49, 0x4f, 0x4c, 0x41, 0x43, 0x49, 0xd3, 0x4e, 0x20, 0x80, 0x0a]), // "VIOLACIÓN €" in Windows-1252
    ]);
    const auto = new FieldDecoder('auto');
    const out: CsvItem[] = [];
    const reader = new CsvReader(',', auto, { offset: 0, line: 1 });
    reader.push(cp1252, out);
    reader.finish(out);
    expect(auto.used).toBe('windows-1252');
    expect(summary(out)[2]).toEqual({ line: 3, cells: ['2', 'VIOLACIÓN €'] });
    expect(summary(read(cp1252, [5], { encoding: 'utf-8' }))[2]).toEqual({ line: 3, problem: 'invalid_encoding' });
    const utf8 = new FieldDecoder('auto');
    utf8.decode(Buffer.from('Tláhuac'), 0, 8, true);
    expect(utf8.used).toBe('utf-8');
  });

  it('sniffs the delimiter of the header line', () => {
    expect(sniffDelimiter(Buffer.from('folio;fecha;"a,b";lat'))).toBe(';');
    expect(sniffDelimiter(Buffer.from('id,date,crime'))).toBe(',');
    expect(sniffDelimiter(Buffer.from('id\tdate\tcrime'))).toBe('\t');
  });

  it('reads the real SSP-DF file in 64 KiB chunks: 32,416 records plus the header, 7 fields each', () => {
    const file = path.resolve(import.meta.dirname, 'data/incidents/cdmx-ssp-delitos-2015.csv');
    const items = read(fs.readFileSync(file), [65_536]);
    expect(items).toHaveLength(32_417);
    expect(items.every((i) => i.kind === 'row' && i.cells.length === 7)).toBe(true);
  });
});

describe('valores de un archivo', () => {
  it('dates ISO or day first, with or without time', () => {
    expect(parseDateTime('2015-01-31')).toEqual({ date: '2015-01-31', time: null });
    expect(parseDateTime('2015-01-31T21:05:00')).toEqual({ date: '2015-01-31', time: '21:05' });
    expect(parseDateTime('2015-1-3 7:05')).toEqual({ date: '2015-01-03', time: '07:05' });
    expect(parseDateTime('02/03/2015')).toEqual({ date: '2015-03-02', time: null });
    expect(parseDateTime('31/01/2015 21:05:33')).toEqual({ date: '2015-01-31', time: '21:05' });
    expect(parseDateTime('31/01/2015', 'iso')).toBeNull();
    expect(parseDateTime('2015-01-31', 'dmy')).toBeNull();
    expect(parseDateTime('enero 2015')).toBeNull();
  });
  it('times, decimals with a point or a comma, and yes/no', () => {
    expect([parseClock('21:05'), parseClock('9:05:10'), parseClock(''), parseClock('21510'), parseClock('24:00')]).toEqual([
      '21:05',
      '09:05',
      null,
      undefined,
      undefined,
    ]);
    expect([
      parseDecimal('19.4326'),
      parseDecimal('19,4326'),
      parseDecimal('-99,13', true),
      parseDecimal('1,2.3'),
      parseDecimal('abc'),
    ]).toEqual([19.4326, 19.4326, -99.13, null, null]);
    expect(parseDecimal('19,4326', false)).toBeNull();
    expect([parseYesNo('Sí'), parseYesNo('C.V.'), parseYesNo('no'), parseYesNo(''), parseYesNo('quizá')]).toEqual([
      true,
      true,
      false,
      null,
      undefined,
    ]);
  });
});

describe('lector GeoJSON por bytes', () => {
  const collection = (features: unknown[]) =>
    Buffer.from(
      `{"type":"FeatureCollection","bbox":[1,2,3,4],"crs":{"x":["features"]},\n"features": [\n${features.map((f) => JSON.stringify(f)).join(',\n')}\n]}`,
    );
  const readAll = (data: Buffer, size: number) => {
    const r = new GeoJsonReader(new FieldDecoder('auto'), { offset: 0, line: 1, inFeatures: false });
    const out: GeoJsonItem[] = [];
    for (let i = 0; i < data.length; i += size) r.push(data.subarray(i, i + size), out);
    r.finish(out);
    return out;
  };
  it('hands over each feature of the top-level array with its line, whatever the chunks', () => {
    const features = [
      { type: 'Feature', properties: { a: 'x { y } "z"' }, geometry: { type: 'Point', coordinates: [-99.1, 19.4] } },
      { type: 'Feature', properties: { b: 'ü\\' }, geometry: null },
    ];
    const data = collection(features);
    for (const size of [1, 7, 1000]) {
      const out = readAll(data, size);
      expect(out.map((i) => (i.kind === 'feature' ? [i.line, i.feature] : [i.line, i.problem]))).toEqual([
        [3, features[0]],
        [4, features[1]],
      ]);
    }
  });
  it('refuses what is not a FeatureCollection', () => {
    expect(() => readAll(Buffer.from('[1,2]'), 10)).toThrow(GeoJsonStructureError);
    expect(() => readAll(Buffer.from('{"type":"Feature","geometry":null}'), 10)).toThrow(/features/);
    expect(() => readAll(Buffer.from('{"features":[{"type":"Feature"'), 10)).toThrow(/ends inside/);
  });
});
