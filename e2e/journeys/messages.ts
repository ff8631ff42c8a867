/**
 * Journey 7 (issue 15): the message centre. 小博 has orders from the demo world: the 我的 tab carries the
 * unread count, the 我的 page lists 消息中心 with it; he opens a message (it takes him to its order and
 * becomes read), then marks the rest read and the badge goes away.
 */
import type { Browser } from 'playwright-core';
import { assert, Local, Person } from '../lib';

export async function messagesJourney(browser: Browser, base: string, local: Local) {
  const J = '7-messages';
  const before = await local.api('user', 'demo_bob', { action: 'unread' });
  assert(before.total >= 2, `the demo world left 小博 some messages: ${JSON.stringify(before)}`);

  const bob = await new Person('小博', base, J, 'demo_bob').open(browser, '/pages/me/index');
  await bob.acceptRiskIfShown();
  await bob.see('消息中心');
  const badge = bob.page.locator('.weui-tabbar__item', { hasText: '我的' }).locator('.weui-badge');
  await badge.getByText(String(before.total)).waitFor();
  await bob.cur().locator('.to-messages .unread-badge').getByText(String(before.total)).waitFor();
  await bob.shot('01-me-with-unread');

  await bob.tap('消息中心');
  await bob.cur().locator('.message.unread').first().waitFor();
  await bob.see(`${before.total} 条未读`);
  await bob.shot('02-message-centre');
  const orderMsg = bob.cur().locator('.message.unread', { hasText: '付款成功' }).first();
  await orderMsg.click();
  await bob.see('订单号');
  await bob.shot('03-opened-order-from-message');
  await bob.back();
  await bob.see(`${before.total - 1} 条未读`);
  const mid = await local.api('user', 'demo_bob', { action: 'unread' });
  assert(mid.total === before.total - 1, `one read: ${mid.total} vs ${before.total}`);

  await bob.tapSelector('.msg-tab-order');
  await bob.cur().locator('.message').first().waitFor();
  await bob.shot('04-order-messages');
  await bob.tapSelector('.msg-tab-all');
  await bob.tapButton('全部已读');
  await bob.cur().locator('.message.unread').first().waitFor({ state: 'detached' });
  await bob.shot('05-all-read');
  const after = await local.api('user', 'demo_bob', { action: 'unread' });
  assert(after.total === 0, `all read: ${JSON.stringify(after)}`);
  await bob.tabBar('我的');
  await badge.waitFor({ state: 'detached' }).catch(async () => {
    assert(!(await badge.isVisible()), 'the 我的 tab badge is gone');
  });
  await bob.shot('06-badge-gone');

  await bob.close();
  return bob.errors;
}
