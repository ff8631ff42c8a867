/**
 * Helpers for the journeys: a headless Chromium (Debian's chromium through playwright-core), one browser
 * context per person (their developer-login identity in localStorage), and small actions that find things
 * the way a person does: by the words on the current page.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium, Browser, BrowserContext, Locator, Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

/** The repository (this file runs bundled from build/e2e/). */
export const REPO = path.resolve(__dirname, '..', '..');
export const SHOTS_DIR = path.join(REPO, 'artifacts', 'screenshots');

/** Local-runtime calls made by the test itself (not by the app). */
export class Local {
  constructor(readonly base: string) {}
  async post<T = unknown>(p: string, body: unknown, openid?: string): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (openid) headers['x-openid'] = openid;
    const r = await fetch(this.base + p, { method: 'POST', headers, body: JSON.stringify(body) });
    const j = (await r.json()) as { ok: boolean; data?: T; error?: { message: string } };
    if (!j.ok) throw new Error(`${p}: ${j.error?.message ?? r.status}`);
    return j.data as T;
  }
  async get<T = unknown>(p: string): Promise<T> {
    const r = await fetch(this.base + p);
    const j = (await r.json()) as { ok: boolean; data?: T; error?: { message: string } };
    if (!j.ok) throw new Error(`${p}: ${j.error?.message ?? r.status}`);
    return j.data as T;
  }
  /** Calls a cloud function as `openid` (for reading state to assert on, never to drive the journey). */
  api<T = any>(fn: string, openid: string, event: Record<string, unknown>): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.post<T>(`/api/${fn}`, event, openid);
  }
  async advanceClock(ms: number) {
    return this.post('/__local/clock', { advanceMs: ms });
  }
  async clockNow(): Promise<number> {
    const c = await this.get<{ now: number } & Record<string, unknown>>('/__local/clock');
    return Number(c.now ?? (c as Record<string, unknown>).nowMs ?? Date.now());
  }
}

export class Person {
  page!: Page;
  ctx!: BrowserContext;
  readonly errors: string[] = [];
  constructor(readonly name: string, readonly base: string, readonly journey: string, readonly openid: string | null) {}

  async open(browser: Browser, route = '/') {
    this.ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    this.ctx.setDefaultTimeout(20_000);
    if (this.openid) {
      const id = this.openid;
      await this.ctx.addInitScript((openid) => {
        if (!window.localStorage.getItem('gxg.devOpenid')) window.localStorage.setItem('gxg.devOpenid', openid);
      }, id);
    }
    this.page = await this.ctx.newPage();
    this.page.on('pageerror', (e) => this.errors.push(`${this.name}: ${e.message}`));
    this.page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon|Failed to load resource/.test(m.text())) this.errors.push(`${this.name} console: ${m.text().slice(0, 300)}`);
    });
    await this.goto(route);
    return this;
  }

  /** Opens a route of the app (hash router): '/pages/merchant/index?id=…' */
  async goto(route: string) {
    const url = route === '/' ? this.base + '/' : `${this.base}/#${route}`;
    await this.page.goto(url);
    await this.settle();
  }

  /** The page on top of the stack. */
  cur(): Locator {
    return this.page.locator('.taro_page:visible').last();
  }

  async settle() {
    await this.page.waitForLoadState('domcontentloaded');
    await this.page.locator('.taro_page.taro_page_stationed, .taro_page.taro_tabbar_page').first().waitFor({ state: 'attached' });
    await this.page.waitForTimeout(300);
  }

  /** Waits until `text` is shown on the current page. */
  async see(text: string | RegExp, timeout = 20_000) {
    await this.cur().getByText(text).first().waitFor({ state: 'visible', timeout });
  }

  async notSee(text: string | RegExp, timeout = 20_000) {
    await this.cur().getByText(text).first().waitFor({ state: 'hidden', timeout });
  }

  /** Taps a NutUI / Taro button by its words. */
  async tapButton(text: string | RegExp) {
    const b = this.cur().locator('taro-button-core', { hasText: text }).first();
    await b.waitFor({ state: 'visible' });
    await expectEnabled(b);
    await b.click();
  }

  /** Taps any element showing `text` on the current page. */
  async tap(text: string | RegExp, opts: { exact?: boolean } = {}) {
    const el = this.cur().getByText(text, { exact: opts.exact }).first();
    await el.waitFor({ state: 'visible' });
    await el.click();
  }

  /** Opens a store from the home page's store list (热销商品 tiles also name their store). */
  async openStore(name: string) {
    const el = this.cur().locator('.merchant-card', { hasText: name }).first();
    await el.waitFor({ state: 'visible' });
    await el.click();
  }

  async tapSelector(sel: string) {
    const el = this.cur().locator(sel).first();
    await el.waitFor({ state: 'visible' });
    await el.click();
  }

  /** Types into the input matched by a CSS selector (Taro renders <taro-input-core><input>). */
  async fill(sel: string, value: string) {
    const input = this.cur().locator(`${sel} input, ${sel} textarea, input${sel}, textarea${sel}`).first();
    await input.waitFor({ state: 'visible' });
    await input.fill('');
    await input.pressSequentially(value, { delay: 10 });
  }

  /** Confirms the Taro.showModal dialog (optionally checking its words). */
  async confirmModal(expect?: string | RegExp) {
    const modal = this.page.locator('.taro-modal__content:visible');
    await modal.waitFor({ state: 'visible' });
    if (expect) await modal.getByText(expect).first().waitFor({ state: 'visible' });
    const before = await modal.innerText();
    await modal.locator('.taro-model__confirm').click();
    // Taro reuses one modal element: done when it hides or shows the next dialog
    for (let i = 0; i < 100; i++) {
      if (!(await modal.isVisible())) return;
      if ((await modal.innerText().catch(() => '')) !== before) return;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`the dialog did not close: ${before}`);
  }

  async modalText(): Promise<string> {
    const modal = this.page.locator('.taro-modal__content:visible');
    await modal.waitFor({ state: 'visible' });
    return (await modal.innerText()).trim();
  }

  /** Taps a tab of the tab bar, first going back (as a person would) while the current page has none. */
  async tabBar(text: '首页' | '市场' | '资产' | '我的') {
    const item = this.page.locator('.weui-tabbar__item:visible', { hasText: text }).first();
    for (let i = 0; i < 6 && !(await item.isVisible()); i++) await this.back();
    await item.click();
    await this.settle();
  }

  async back() {
    await this.page.locator('.taro_page.taro_page_stationed').last().waitFor({ state: 'attached' });
    await this.page.goBack();
    await this.settle();
  }

  async text(sel: string): Promise<string> {
    const el = this.cur().locator(sel).first();
    await el.waitFor({ state: 'visible' });
    return (await el.innerText()).trim();
  }

  async shot(name: string) {
    const dir = path.join(SHOTS_DIR, this.journey);
    fs.mkdirSync(dir, { recursive: true });
    await this.page.waitForTimeout(250);
    await this.page.screenshot({ path: path.join(dir, `${name}.png`) });
  }

  /** Accepts the first-use risk notice if it is shown. */
  async acceptRiskIfShown() {
    const btn = this.cur().locator('.risk-notice taro-button-core');
    try {
      await btn.waitFor({ state: 'visible', timeout: 4000 });
    } catch {
      return false;
    }
    await btn.click();
    await this.cur().locator('.risk-notice').waitFor({ state: 'detached' });
    return true;
  }

  async close() {
    await this.ctx?.close();
  }
}

async function expectEnabled(b: Locator) {
  for (let i = 0; i < 100; i++) {
    const cls = (await b.getAttribute('class')) || '';
    if (!/nut-button-disabled|nut-button-loading/.test(cls)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('button stayed disabled');
}

export function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

/** "1,234.50" → 123450 hundredths (integer), for comparing points shown on screen. */
export function hundredths(text: string): number {
  const m = /(-?)([\d,]+)\.(\d{2})/.exec(text);
  if (!m) throw new Error(`no amount in "${text}"`);
  const n = parseInt(m[2].replace(/,/g, ''), 10) * 100 + parseInt(m[3], 10);
  return m[1] ? -n : n;
}
