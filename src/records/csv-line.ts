/**
 * One line of the SESNSP catalogue file (`data/sesnsp-catalogo.csv`), split by RFC 4180 quoting; the
 * file has no line breaks inside fields. No Node dependencies: the server's catalogue and the public
 * map's page (which reads the same file as an asset) both use it.
 */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
