/** Dates and hours as the user reads them: in a named IANA time zone, DST included. */

/** YYYY-MM-DD of `instant` in `timeZone`. */
export function dateIn(timeZone: string, instant: Date = new Date()): string {
  // The Swedish locale writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** The calendar day `days` after (or before) a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const moved = new Date(Date.UTC(year, month - 1, day + days));
  return moved.toISOString().slice(0, 10);
}

/** "14:00" for an hour's start in `timeZone`. */
export function hourLabel(start: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(start));
}

/** The zone's offset at `start`, as "GMT+2"; tells apart the two 02:00 of a fall-back day. */
export function offsetLabel(start: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    timeZoneName: 'shortOffset',
  }).formatToParts(new Date(start));
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/** One label per hour of a day; an hour that repeats (DST ends) carries its offset. */
export function hourLabels(starts: string[], timeZone: string): string[] {
  const plain = starts.map((start) => hourLabel(start, timeZone));
  return plain.map((label, index) =>
    plain.indexOf(label) !== plain.lastIndexOf(label)
      ? `${label} ${offsetLabel(starts[index], timeZone)}`
      : label,
  );
}

/** "12 Mar 2024, 14:05" in `timeZone` (the browser's when not given). */
export function dateTimeLabel(instant: string, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(instant));
}

/** A bucket's label by granularity: "12 Mar" per day, "Mar 2024" per month. */
export function bucketLabel(start: string, granularity: 'hour' | 'day' | 'month', timeZone: string) {
  if (granularity === 'hour') return hourLabel(start, timeZone);
  const options: Intl.DateTimeFormatOptions =
    granularity === 'day' ? { day: 'numeric', month: 'short' } : { month: 'short', year: 'numeric' };
  // A bare date ("2024-03-12") names a calendar day, not an instant: read it as such.
  const bare = /^\d{4}-\d{2}(-\d{2})?$/.test(start);
  const instant = new Date(bare && start.length === 7 ? `${start}-01` : start);
  return new Intl.DateTimeFormat('en-GB', { timeZone: bare ? 'UTC' : timeZone, ...options }).format(
    instant,
  );
}

/** Every IANA zone the browser knows, for time-zone pickers. */
export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

export function formatKwh(kwh: number | null | undefined, digits = 2): string {
  if (kwh === null || kwh === undefined || Number.isNaN(kwh)) return '–';
  return `${kwh.toFixed(digits)} kWh`;
}

/** "3 min ago", "just now", "2 h ago": how long since `instant`. */
export function agoLabel(instant: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(instant)) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
