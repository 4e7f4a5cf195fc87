/**
 * Reading the publishers' CSV files as they come: UTF-8 or Latin-1 (SESNSP's and INEGI's downloads
 * are Windows-1252), with or without a byte-order mark, comma, semicolon or tab separated, quoted
 * fields (RFC 4180). No value is interpreted here.
 */

export type Encoding = 'utf-8' | 'windows-1252';

/**
 * Decodes the bytes: valid UTF-8 is taken as UTF-8, anything else as Windows-1252 (a superset of
 * Latin-1 for the printable range, which is what "Latin-1" files from Windows tools really are).
 * A Latin-1 "á" (0xE1) followed by ASCII is never valid UTF-8, so the guess cannot mistake one for
 * the other on Spanish text.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: Encoding } {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(body), encoding: 'windows-1252' };
  }
}

/** The separator of the header line: the most frequent of comma, semicolon, tab and bar outside quotes. */
function detectDelimiter(firstLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

export type CsvRow = { line: number; cells: string[] };

/** Parses CSV text into rows with their 1-based line numbers (blank lines skipped). */
export function parseCsv(text: string): { header: string[]; rows: CsvRow[] } {
  const firstBreak = text.search(/\r?\n/);
  const delimiter = detectDelimiter(firstBreak < 0 ? text : text.slice(0, firstBreak));
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0].trim() !== '') rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (cell !== '' || cells.length) endRow();
  const [head, ...data] = rows;
  return { header: head ? head.cells.map((c) => c.trim()) : [], rows: data };
}
