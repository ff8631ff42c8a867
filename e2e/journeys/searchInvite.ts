/**
 * Journey 9 (issue 15): the home page and 我邀请的人. The admin puts up a banner for 数码小铺; 小青 sees it and
 * 热销商品 on the home page, searches "面" and finds both the store 老王拉面 and its noodles, and opens the
 * product. 小爱, who referred 小博 in the demo world, opens 我的 → 我邀请的人 and sees him (one level only).
 */
import type { Browser } from 'playwright-core';
import { assert, Local, Person } from '../lib';

export async function searchInviteJourney(browser: Browser, base: string, local: Local) {
  const J = '9-search-invite';
  const stores = await local.api('merchant', 'demo_admin', { action: 'list', keyword: '数码' });
  const tech = stores.items[0];
  const detail = await local.api('merchant', 'demo_admin', { action: 'get', merchantId: tech.id });
  await local.api('admin', 'demo_admin', { action: 'setBanners', banners: [{ image: detail.products[0].images[0], title: '数码小铺 新品上架', merchantId: tech.id }] });

  const carol = await new Person('小青', base, J, 'demo_carol').open(browser, '/pages/index/index');
  await carol.acceptRiskIfShown();
  await carol.see('数码小铺 新品上架');
  await carol.see('热销商品');
  await carol.shot('01-home-banner-hot');

  await carol.fill('.search-input', '面');
  await carol.tapButton('搜索');
  await carol.cur().locator('.search-results').waitFor();
  await carol.see('招牌牛肉面');
  await carol.cur().locator('.search-results .merchant-card', { hasText: '老王拉面' }).first().waitFor();
  await carol.shot('02-search-stores-and-products');
  await carol.cur().locator('.search-results .product-hit', { hasText: '招牌牛肉面' }).first().click();
  await carol.see('加入购物车');
  await carol.shot('03-product-from-search');
  await carol.close();

  const bob = await local.api('user', 'demo_bob', { action: 'login' });
  const alice = await new Person('小爱', base, J, 'demo_alice').open(browser, '/pages/me/index');
  await alice.acceptRiskIfShown();
  await alice.tap('我邀请的人');
  await alice.cur().locator('.invitee', { hasText: '小博' }).first().waitFor();
  await alice.see(`用户号 ${bob.userNo}`);
  await alice.shot('04-invitees');
  const listed = await local.api('user', 'demo_alice', { action: 'invitees' });
  // 小博 is 小爱's from the demo world; journey 1 may have added the user who came by her shared link
  const userNos: string[] = listed.items.map((i: { userNo: string }) => i.userNo);
  assert(userNos.includes(bob.userNo) && new Set(userNos).size === userNos.length, `小爱's invitees, 小博 among them, each once: ${JSON.stringify(listed)}`);
  assert((await alice.cur().locator('.invitee').count()) === userNos.length, `the page lists every invitee: ${userNos.length}`);
  await alice.close();
  return [...carol.errors, ...alice.errors];
}
