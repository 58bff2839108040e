/**
 * Deterministic demo customers: 200 accounts in three tiers and 2,000 contacts, Japanese and
 * English, spread over time zones. Same seed, same data, so demo runs and tests are repeatable.
 */
import type { Account } from '../core/customers/account.ts';
import type { Contact } from '../core/customers/contact.ts';

export interface DemoCustomers {
  accounts: Account[];
  contacts: Contact[];
}

export interface DemoCustomerOptions {
  accounts?: number;
  contacts?: number;
  seed?: number;
}

const JA_COMPANY_STEMS = ['さくら', 'みなと', 'ひかり', 'あおば', 'やまと', 'つばさ', 'みらい', 'かえで', 'いずみ', 'ほくと'];
const JA_COMPANY_KINDS = ['食品', '物流', '製作所', '商事', 'ソフト', '建設', '薬品', '電機'];
const EN_COMPANY_STEMS = ['Northwind', 'Bluebird', 'Summit', 'Riverside', 'Ironwood', 'Lakeshore', 'Brightline', 'Oakridge', 'Redwood', 'Harbor'];
const EN_COMPANY_KINDS = ['Logistics', 'Foods', 'Labs', 'Retail', 'Systems', 'Health', 'Energy', 'Media'];
const JA_LAST = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤'];
const JA_FIRST = ['陽菜', '蓮', '結衣', '大翔', '美咲', '悠真', '葵', '湊', '花', '翔太'];
const EN_FIRST = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'James', 'Mia', 'Lucas', 'Sophia', 'Ethan'];
const EN_LAST = ['Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Davies', 'Clark', 'Lewis', 'Walker', 'Hall'];
const EN_ZONES = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Asia/Singapore', 'Australia/Sydney'];
const ROLES = ['Administrator', 'Team lead', 'Analyst', 'Operations manager', 'IT manager', 'Executive sponsor'];
const ADD_ONS = ['analytics', 'automation', 'integrations'];
const PHASES = ['onboarding', 'adoption', 'nurturing', 'opportunity'] as const;

/** mulberry32: small, fast, good enough for demo data (and for benches that need a repeatable mix). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function generateDemoCustomers(options: DemoCustomerOptions = {}): DemoCustomers {
  const accountCount = options.accounts ?? 200;
  const contactCount = options.contacts ?? 2000;
  const next = seededRandom(options.seed ?? 20261123);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;

  const accounts: Account[] = [];
  for (let i = 0; i < accountCount; i++) {
    const tier = i < accountCount * 0.1 ? 'tier1' : i < accountCount * 0.4 ? 'tier2' : 'tier3';
    const japanese = next() < 0.6;
    const plan = tier === 'tier1' ? 'enterprise' : tier === 'tier2' ? pick(['professional', 'standard']) : pick(['standard', 'starter']);
    const products = ['core', ...ADD_ONS.filter(() => next() < (tier === 'tier1' ? 0.6 : 0.3))];
    const baseMrr = tier === 'tier1' ? 2_000_000 : tier === 'tier2' ? 400_000 : 60_000;
    const mrrJpy = Math.round((baseMrr * (0.5 + next())) / 1000) * 1000;
    accounts.push({
      accountId: `acc-${String(i + 1).padStart(4, '0')}`,
      name: japanese ? `${pick(JA_COMPANY_STEMS)}${pick(JA_COMPANY_KINDS)}株式会社` : `${pick(EN_COMPANY_STEMS)} ${pick(EN_COMPANY_KINDS)} Inc.`,
      tier,
      plan,
      products,
      phase: pick(PHASES),
      mrr: japanese ? mrrJpy : Math.round(mrrJpy / 150),
      currency: japanese ? 'JPY' : 'USD',
      ...(tier === 'tier1' ? { csmOwner: `csm-${(i % 5) + 1}` } : {}),
    });
  }

  // Contacts are spread so that tier 1 accounts have more people, as they do in practice.
  const weights = accounts.map((account) => (account.tier === 'tier1' ? 3 : account.tier === 'tier2' ? 1.5 : 0.75));
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const perAccount = weights.map((weight) => Math.max(1, Math.floor((weight / totalWeight) * contactCount)));
  for (let i = 0; perAccount.reduce((sum, count) => sum + count, 0) < contactCount; i++) perAccount[i % perAccount.length]! += 1;

  const contacts: Contact[] = [];
  accounts.forEach((account, accountIndex) => {
    const japaneseAccount = account.currency === 'JPY';
    for (let n = 0; n < (perAccount[accountIndex] ?? 0) && contacts.length < contactCount; n++) {
      const japanese = japaneseAccount ? next() < 0.9 : next() < 0.05;
      const number = contacts.length + 1;
      const consentRoll = next();
      contacts.push({
        contactId: `con-${String(number).padStart(5, '0')}`,
        accountId: account.accountId,
        email: `user${number}@${account.accountId}.example.com`,
        firstName: japanese ? pick(JA_FIRST) : pick(EN_FIRST),
        lastName: japanese ? pick(JA_LAST) : pick(EN_LAST),
        locale: japanese ? 'ja' : 'en',
        timeZone: japaneseAccount ? 'Asia/Tokyo' : pick(EN_ZONES),
        consent: consentRoll < 0.92 ? 'granted' : consentRoll < 0.97 ? 'unknown' : 'withdrawn',
        consentAt: '2026-04-01T00:00:00.000Z',
        topicsOptedOut: next() < 0.08 ? [pick(['product-news', 'tips', 'webinars'])] : [],
        role: pick(ROLES),
      });
    }
  });
  return { accounts, contacts };
}
