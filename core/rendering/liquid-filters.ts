/**
 * The filters templates may use beyond LiquidJS's own: registered on every engine a template is
 * compiled and rendered with (rendering-engines.ts), so the HTML body, the plain-text part and
 * the subject agree.
 */
import type { Liquid } from 'liquidjs';

/** Adds the engine's own filters to a Liquid instance. */
export function registerTemplateFilters(liquid: Liquid): void {
  void liquid;
}
