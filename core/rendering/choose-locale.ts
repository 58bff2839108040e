/**
 * Which language a contact receives: their own locale when the message is written in it
 * (listed in its `locales`) and the template has that version, else the message's fallbackLocale.
 */
import type { Locale } from '../config/schema/common.ts';

export interface MessageLocales {
  locales: readonly Locale[];
  fallbackLocale: Locale;
}

export function chooseLocale(contactLocale: Locale, message: MessageLocales, templateLocales: ReadonlySet<Locale> | ReadonlyMap<Locale, unknown>): Locale {
  return message.locales.includes(contactLocale) && templateLocales.has(contactLocale) ? contactLocale : message.fallbackLocale;
}
