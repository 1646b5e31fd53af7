// ATT&CK's citations: each external reference's `description` is an APA-like line, "Beek, C. (2020,
// November 5). Operation North Star: Behind The Scenes. Retrieved December 20, 2021." The parser
// reads its authors, date (with its precision; "n.d." stays unknown) and title. Of the 1,642 distinct
// citations with a URL in the shipped ATT&CK file, 1,635 are in that form; 4 more in the older
// "Carl Hurd 2019, March 26 VPNFilter Deep Dive Retrieved. 2019/03/28" form; the rest give no date.
// Pure functions: test/unit/citations.test.ts tests them on real lines.

export type ParsedCitation = {
  title?: string;
  authors: string[];
  publishedOn?: string;
  precision?: 'DAY' | 'MONTH' | 'YEAR';
};

const months = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const apa =
  /^(.*?)\s*\((\d{4}|n\.d\.|null)(?:, ([A-Za-z]+)\.?(?: (\d{1,2})(?:[-–]\d{1,2})?)?)?\)\.\s*(.*?)\s*(?:Retrieved\b.*)?$/s;
const older = /^(.*?)\s+(\d{4}), ([A-Za-z]+)(?: (\d{1,2}))?\s+(.*?)\s+Retrieved\.?.*$/s;

/** The date parts as a date and its precision; nothing when the year is unknown or the month unreadable. */
export function citationDate(
  year: string,
  month?: string,
  dayOfMonth?: string,
): Pick<ParsedCitation, 'publishedOn' | 'precision'> {
  if (!/^\d{4}$/.test(year)) return {};
  if (!month) return { publishedOn: `${year}-01-01`, precision: 'YEAR' };
  const m = months.findIndex((name) => name === month.toLowerCase() || name.slice(0, 3) === month.toLowerCase());
  if (m < 0) return { publishedOn: `${year}-01-01`, precision: 'YEAR' };
  const pad = (n: number) => String(n).padStart(2, '0');
  const d = Number(dayOfMonth);
  return dayOfMonth && d >= 1 && d <= 31
    ? { publishedOn: `${year}-${pad(m + 1)}-${pad(d)}`, precision: 'DAY' }
    : { publishedOn: `${year}-${pad(m + 1)}-01`, precision: 'MONTH' };
}

/**
 * Authors as the citation lists them: "Hinchliffe, A. and Falcone, R." and "Smith, J., Jones, B., &
 * Doe, C." are people (surname, initials); anything else ("Kaspersky Lab's Global Research & Analysis
 * Team", "SecureWorks") is one author, an organisation, kept whole.
 */
export function citationAuthors(text: string): string[] {
  const trimmed = text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/\s+\.$/, '')
    .replace(/\.$/, '.');
  if (!trimmed) return [];
  const person = /([^,&]+?, (?:[A-Z][a-zA-Z]?\.(?:\s?-?[A-Z][a-z]?\.)*))(?:,? (?:and|&) |, |$)/gy;
  const people: string[] = [];
  let at = 0;
  for (let m = person.exec(trimmed); m; m = person.exec(trimmed)) {
    people.push(m[1].trim());
    at = person.lastIndex;
  }
  if (people.length && at === trimmed.length) return people;
  return [trimmed.replace(/\s*\.$/, '').replace(/\s+\./g, '.')];
}

export function parseCitation(description: string | undefined): ParsedCitation | null {
  if (!description) return null;
  const m = apa.exec(description.trim());
  if (m) {
    const [, authors, year, month, dayOfMonth, title] = m;
    return {
      authors: citationAuthors(authors),
      ...(title ? { title: title.replace(/\.$/, '').trim() } : {}),
      ...citationDate(year, month, dayOfMonth),
    };
  }
  const o = older.exec(description.trim());
  if (o) {
    const [, authors, year, month, dayOfMonth, title] = o;
    return { authors: [authors.trim()], title: title.trim(), ...citationDate(year, month, dayOfMonth) };
  }
  return null;
}
