/**
 * Journey 4: the economy simulator (issue 17). A new user reads the plain-language page from the risk notice
 * before accepting it; the admin opens 模拟沙盘, runs a year at ¥50,000 a day, sees the figures of the pure
 * simulation (shared/simulate.ts) and the charts, and opens the same explanation from the sandbox.
 */
import type { Browser } from 'playwright-core';
import { DEFAULT_PARAMS } from '../../shared/params';
import { simulate, validateSimInput } from '../../shared/simulate';
import { formatPoints } from '../../miniprogram/src/utils/format';
import { assert, Local, Person } from '../lib';

export async function simulatorJourney(browser: Browser, base: string, _local: Local) {
  const J = '4-simulator';
  // a new user: the risk notice links to the explanation, readable before accepting
  const user = new Person('小林', base, J, null);
  await user.open(browser, '/');
  await user.fill('.dev-login .input', '小林');
  await user.tapButton('以新用户身份进入');
  await user.cur().locator('.risk-notice').waitFor({ state: 'visible' });
  await user.shot('01-risk-notice');
  await user.page.locator('.risk-explain').first().click();
  await user.settle();
  await user.see('每天只转换一小部分');
  await user.see('平台越大，每一元得到的越少');
  await user.see('这不是收益承诺');
  await user.shot('02-explain-page');
  await user.back();
  assert(await user.acceptRiskIfShown(), 'the risk notice is still to accept after reading the explanation');

  // the admin runs the sandbox
  const admin = await new Person('管理员', base, J, 'demo_admin').open(browser, '/pages/me/index');
  await admin.acceptRiskIfShown();
  await admin.tap('管理后台');
  await admin.see('平台概览');
  await admin.tap('模拟沙盘');
  await admin.see('假设');
  await admin.see('平台让利比例'); // the live parameters, to override
  await admin.fill('.sim-days', '365');
  await admin.fill('.sim-yuanPerDay', '50000');
  await admin.shot('03-sandbox-inputs');
  await admin.tapButton('运行模拟');
  await admin.see('结果（365 天', 60_000);
  const live = (await (await fetch(`${base}/api/admin`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-openid': 'demo_admin' }, body: JSON.stringify({ action: 'params' }) })).json()).data.params;
  const expected = simulate(validateSimInput({ params: { ...DEFAULT_PARAMS, ...live }, assumptions: { days: 365, spending: { kind: 'constant', yuanPerDay: '50000' } } })).summary;
  const released = await admin.text('.sim-released');
  assert(released === formatPoints(expected.released), `sandbox released ${released}, the simulation ${expected.released}`);
  const value = await admin.text('.sim-ref-value');
  assert(value === `¥${formatPoints(expected.reference.valueReceivedYuan)}`, `reference value ${value}, the simulation ${expected.reference.valueReceivedYuan}`);
  await admin.cur().locator('.sim-reference .chart-box img, .sim-reference .chart-box taro-image-core').first().waitFor({ state: 'attached' });
  await admin.cur().locator('.sim-outcome').first().scrollIntoViewIfNeeded();
  await admin.shot('04-sandbox-result');
  await admin.cur().locator('.sim-reference').first().scrollIntoViewIfNeeded();
  await admin.shot('05-sandbox-reference-curve');
  await admin.page.locator('.sim-explain-link').first().click();
  await admin.settle();
  await admin.see('每天只转换一小部分');

  for (const p of [user, admin]) await p.close();
  return [user, admin].flatMap((p) => p.errors);
}
