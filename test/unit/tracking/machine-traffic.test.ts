/** Machine opens and scanner clicks are told from people's, so they stay out of scores. */
import { describe, expect, it } from 'vitest';
import { classifyClick, classifyOpen, isAppleNetwork } from '../../../core/tracking/machine-traffic.ts';

const IPHONE_MAIL = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const GMAIL_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const get = (userAgent: string | undefined, ip?: string) => ({ method: 'GET', userAgent, ip });

describe('opens', () => {
  it('flags Apple Mail Privacy Protection by its bare user agent or by Apple network', () => {
    expect(classifyOpen(get('Mozilla/5.0', '203.0.113.9'))).toEqual({ machine: true, reason: 'apple-mpp' });
    expect(classifyOpen(get(IPHONE_MAIL, '17.58.101.2'))).toEqual({ machine: true, reason: 'apple-mpp' });
    expect(classifyOpen(get(IPHONE_MAIL, '::ffff:17.1.2.3'))).toEqual({ machine: true, reason: 'apple-mpp' });
    expect(classifyOpen(get(IPHONE_MAIL, '2620:149:a44::1'))).toEqual({ machine: true, reason: 'apple-mpp' });
  });

  it('flags an open through the iCloud Private Relay egress, which MPP loads images through', () => {
    expect(classifyOpen(get(IPHONE_MAIL, '104.28.28.5'))).toEqual({ machine: true, reason: 'apple-mpp' });
    expect(classifyOpen(get(IPHONE_MAIL, '2a02:26f7:b3c0:4000::1'))).toEqual({ machine: true, reason: 'apple-mpp' });
  });

  it('leaves opens from mail-security networks to the user agent: image proxies there fetch for people', () => {
    expect(classifyOpen(get(GMAIL_PROXY, '66.249.84.1'))).toEqual({ machine: false });
    expect(classifyOpen(get(CHROME, '40.107.22.9'))).toEqual({ machine: false });
  });

  it('counts Google and Yahoo image proxies and ordinary mail clients as people', () => {
    expect(classifyOpen(get(GMAIL_PROXY, '66.249.84.1'))).toEqual({ machine: false });
    expect(classifyOpen(get('YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html'))).toEqual({ machine: false });
    expect(classifyOpen(get(IPHONE_MAIL, '198.51.100.7'))).toEqual({ machine: false });
    expect(classifyOpen(get('Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)'))).toEqual({ machine: false });
  });

  it('flags prefetchers, bots and requests without a user agent', () => {
    expect(classifyOpen(get(undefined))).toEqual({ machine: true, reason: 'no-user-agent' });
    expect(classifyOpen(get('Mozilla/5.0 (compatible; Barracuda Sentinel)'))).toEqual({ machine: true, reason: 'scanner' });
    expect(classifyOpen(get('python-requests/2.31.0'))).toEqual({ machine: true, reason: 'bot' });
  });
});

describe('clicks', () => {
  const sentAt = new Date('2026-12-02T01:00:00Z');
  const late = { at: new Date('2026-12-02T03:00:00Z'), sentAt };

  it('counts a browser click well after the send as a person', () => {
    expect(classifyClick(get(CHROME), late)).toEqual({ machine: false });
    expect(classifyClick(get(IPHONE_MAIL, '17.1.2.3'), late)).toEqual({ machine: false });
    expect(classifyClick(get('Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36'), late)).toEqual({ machine: false });
  });

  it('flags link scanners by user agent', () => {
    for (const agent of [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b',
      'Proofpoint URL Defense',
      'Mozilla/5.0 Mimecast-URL-Protect',
      'Barracuda Sentinel (EE)',
      'Microsoft Office Existence Discovery',
    ]) {
      expect(classifyClick(get(agent), late), agent).toEqual({ machine: true, reason: 'scanner' });
    }
    expect(classifyClick(get('Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'), late)).toEqual({ machine: true, reason: 'bot' });
    expect(classifyClick(get('curl/8.5.0'), late)).toEqual({ machine: true, reason: 'bot' });
    expect(classifyClick(get(''), late)).toEqual({ machine: true, reason: 'no-user-agent' });
  });

  it('flags clicks from mail-security networks, whatever the user agent', () => {
    for (const ip of ['40.107.22.9', '2a01:111:f403:c000::9', '148.163.150.1', '205.139.110.4', '209.222.82.10', '66.249.84.1', '::ffff:205.139.110.4']) {
      expect(classifyClick(get(CHROME, ip), late), ip).toEqual({ machine: true, reason: 'scanner-network' });
    }
    // The request's own signs still come first.
    expect(classifyClick(get('curl/8.5.0', '40.107.22.9'), late)).toEqual({ machine: true, reason: 'bot' });
    expect(classifyClick(get(CHROME, '198.51.100.7'), late)).toEqual({ machine: false });
  });

  it('counts a click through Private Relay or from Apple as a person (Safari with Private Relay)', () => {
    expect(classifyClick(get(IPHONE_MAIL, '104.28.28.5'), late)).toEqual({ machine: false });
    expect(classifyClick(get(IPHONE_MAIL, '2620:149:a44::1'), late)).toEqual({ machine: false });
  });

  it('flags agents that load images for people but fetch links for programs, and agents that give a URL', () => {
    expect(classifyClick(get('Mozilla/5.0'), late)).toEqual({ machine: true, reason: 'bot' });
    expect(classifyClick(get('Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; WOW64; Trident/7.0; InfoPath.3; ms-office)'), late)).toEqual({ machine: true, reason: 'bot' });
    expect(classifyClick(get('Mozilla/5.0 (compatible; Novaact/1.0; +https://www.novaact.com)'), late)).toEqual({ machine: true, reason: 'bot' });
    expect(classifyClick(get('MicrosoftPreview/2.0; +https://aka.ms/MicrosoftPreview'), late)).toEqual({ machine: true, reason: 'scanner' });
    expect(classifyClick(get('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/74.0.3729.169 Safari/537.36'), late)).toEqual({ machine: true, reason: 'bot' });
    // An Outlook open with the ms-office agent is still a person's.
    expect(classifyOpen(get('Mozilla/4.0 (compatible; ms-office; MSOffice 16)'))).toEqual({ machine: false });
  });

  it('flags HEAD requests and clicks within seconds of the send', () => {
    expect(classifyClick({ method: 'HEAD', userAgent: CHROME, ip: undefined }, late)).toEqual({ machine: true, reason: 'head-request' });
    expect(classifyClick(get(CHROME), { at: new Date(sentAt.getTime() + 3_000), sentAt })).toEqual({ machine: true, reason: 'too-fast' });
    expect(classifyClick(get(CHROME), { at: new Date(sentAt.getTime() + 3_000), sentAt, minHumanDelayMs: 1_000 })).toEqual({ machine: false });
    expect(classifyClick(get(CHROME), { at: new Date(sentAt.getTime() + 3_000), sentAt: undefined })).toEqual({ machine: false });
  });
});

describe('isAppleNetwork', () => {
  it("is Apple's own blocks: 17.0.0.0/8 and Apple's IPv6 /32s", () => {
    expect(isAppleNetwork('17.0.0.1')).toBe(true);
    expect(isAppleNetwork('2620:149::1')).toBe(true);
    expect(isAppleNetwork('2a01:b740::1')).toBe(true);
    expect(isAppleNetwork('2403:300::1')).toBe(true);
    // Private Relay egress is Apple's service on other operators' networks.
    expect(isAppleNetwork('104.28.28.5')).toBe(false);
    expect(isAppleNetwork('170.1.1.1')).toBe(false);
    expect(isAppleNetwork('117.1.1.1')).toBe(false);
    expect(isAppleNetwork('17.300.1.1')).toBe(false);
    expect(isAppleNetwork('2001:db8::17')).toBe(false);
    expect(isAppleNetwork(undefined)).toBe(false);
  });
});
