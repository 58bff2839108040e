/**
 * The filters templates may use beyond LiquidJS's own: registered on every engine a template is
 * compiled and rendered with (rendering-engines.ts), so the HTML body, the plain-text part and
 * the subject agree.
 *
 * They format for the recipient, reading the render context (render-context.ts) rather than the
 * server: the contact's language (`contact.locale`) and time zone (`contact.timeZone`), and the
 * render's "now" (`now`, set by the sender from its Clock: the core has no clock of its own, and
 * a virtual-clock demo or test must see its own time in its emails).
 *
 * - `date` replaces LiquidJS's own, whose `'now'` is the server's clock and whose zone is the
 *   server's: every template date would otherwise be silently wrong for someone. Replacing it
 *   (rather than adding a `local_date` beside it) leaves no wrong filter to reach for.
 *   `{{ value | date: format }}`: value is `'now'` / `'today'` (the render's now), an ISO-8601
 *   time, a calendar date 2026-04-01 (shown as that day in every zone), or epoch seconds.
 *   format is `short`, `medium`, `long` (the default), `full`, `time` or `datetime`, written
 *   the way the contact's language writes dates (2026年12月10日 / December 10, 2026), or a
 *   strftime pattern like `%Y-%m-%d %H:%M` (LiquidJS's), in the contact's zone.
 * - `money: currency` formats an amount in a currency (ISO 4217; default `account.currency`):
 *   ¥120,000 (ja), $1,200.00 (en).
 * - `number: maxFractionDigits` groups digits the contact's way: 1,234,567.5.
 *
 * A value that is not a date or a number fails the render (it names the filter and the value):
 * a broken value stops the email instead of reaching the inbox. A nil value stays nil, so
 * `| default: ...` can follow.
 */
import { filters as liquidFilters, toValue, type Context, type Liquid } from 'liquidjs';
import { isCalendarDate } from '../config/local-time.ts';

/** What a filter handler's `this` carries (LiquidJS's FilterImpl, which it does not export). */
interface FilterThis {
  context: Context;
}

/** Intl locale per contact language: the formats people in it expect. */
const INTL_LOCALES: Record<string, string> = { ja: 'ja-JP', en: 'en-US' };

const DATE_STYLES: Record<string, Intl.DateTimeFormatOptions> = {
  short: { dateStyle: 'short' },
  medium: { dateStyle: 'medium' },
  long: { dateStyle: 'long' },
  full: { dateStyle: 'full' },
  time: { timeStyle: 'short' },
  datetime: { dateStyle: 'long', timeStyle: 'short' },
};

/** Adds the engine's own filters to a Liquid instance. */
export function registerTemplateFilters(liquid: Liquid): void {
  liquid.registerFilter('date', localDate);
  liquid.registerFilter('money', money);
  liquid.registerFilter('number', groupedNumber);
  // LiquidJS's other date filters use the server's zone and clock: refused, naming the one to use.
  for (const name of SERVER_ZONE_DATE_FILTERS) {
    liquid.registerFilter(name, () => {
      throw new Error(`${name} shows the server's time zone, not the contact's: use | date: 'long' (or 'datetime', or a pattern like '%Y-%m-%d')`);
    });
  }
}

const SERVER_ZONE_DATE_FILTERS = ['date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string'] as const;

function localDate(this: FilterThis, input: unknown, format: unknown = 'long'): unknown {
  const value = toValue(input);
  if (value === null || value === undefined) return value;
  const instant = instantOf(this, value);
  const style = String(toValue(format));
  const locale = intlLocaleOf(this, 'date');
  // A calendar date is the same day everywhere: shown as is, not moved into the contact's zone.
  const timeZone = instant.calendarDate ? 'UTC' : stringInScope(this, ['contact', 'timeZone'], 'date');
  const named = DATE_STYLES[style];
  if (named) return new Intl.DateTimeFormat(locale, { ...named, timeZone }).format(instant.date);
  if (!style.includes('%')) {
    throw new Error(`date: unknown format '${style}': use ${Object.keys(DATE_STYLES).join(', ')} or a strftime pattern like %Y-%m-%d`);
  }
  // LiquidJS's own strftime, given the zone and the contact's language (for %B, %A) explicitly.
  const withLocale = { ...this, context: Object.create(this.context, { opts: { value: { ...this.context.opts, locale } } }) as Context };
  return (liquidFilters.date as (this: FilterThis, ...args: unknown[]) => unknown).call(withLocale, instant.date.toISOString(), style, timeZone);
}

function instantOf(filter: FilterThis, value: unknown): { date: Date; calendarDate: boolean } {
  if (value === 'now' || value === 'today') {
    const now = stringInScope(filter, ['now'], 'date');
    return { date: new Date(now), calendarDate: false };
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) return { date: value, calendarDate: false };
  if (typeof value === 'number' && Number.isFinite(value)) return { date: new Date(value * 1000), calendarDate: false };
  if (typeof value === 'string' && isCalendarDate(value)) return { date: new Date(`${value}T00:00:00Z`), calendarDate: true };
  // Only ISO-8601 with a zone: a time without one would be read in the server's zone.
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return { date, calendarDate: false };
  }
  throw new Error(`date: expected 'now', a time like 2026-12-10T05:00:00Z or a date like 2026-12-10, got ${describe(value)}`);
}

function money(this: FilterThis, input: unknown, currencyArg?: unknown): unknown {
  const value = toValue(input);
  if (value === null || value === undefined) return value;
  const amount = numberOf(value, 'money');
  const currency = currencyArg === undefined ? stringInScope(this, ['account', 'currency'], 'money') : String(toValue(currencyArg));
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`money: expected an ISO 4217 currency like JPY or USD, got ${describe(currency)}`);
  const formatted = new Intl.NumberFormat(intlLocaleOf(this, 'money'), { style: 'currency', currency }).format(amount);
  // Japanese CLDR data writes the full-width ￥ (U+FFE5) in some ICU versions and ¥ in others;
  // one sign keeps emails the same whatever Node the sender runs on.
  return formatted.replace(/\uFFE5/g, '\u00A5');
}

function groupedNumber(this: FilterThis, input: unknown, maxFractionDigits?: unknown): unknown {
  const value = toValue(input);
  if (value === null || value === undefined) return value;
  const digits = maxFractionDigits === undefined ? 3 : Number(toValue(maxFractionDigits));
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new Error(`number: expected a count of decimals from 0 to 20, got ${describe(maxFractionDigits)}`);
  return new Intl.NumberFormat(intlLocaleOf(this, 'number'), { maximumFractionDigits: digits }).format(numberOf(value, 'number'));
}

function numberOf(value: unknown, filter: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  throw new Error(`${filter}: expected a number, got ${describe(value)}`);
}

function intlLocaleOf(filter: FilterThis, name: string): string {
  const locale = stringInScope(filter, ['contact', 'locale'], name);
  return INTL_LOCALES[locale] ?? locale;
}

/** A string the render context must carry; a clear error when it does not (e.g. a context built by hand). */
function stringInScope(filter: FilterThis, path: string[], name: string): string {
  let value: unknown;
  try {
    value = toValue(filter.context.getSync(path));
  } catch (error) {
    throw new Error(`${name}: needs ${path.join('.')} in the render context (${(error as Error).message})`, { cause: error });
  }
  if (typeof value !== 'string' || value === '') throw new Error(`${name}: needs ${path.join('.')} in the render context, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}
