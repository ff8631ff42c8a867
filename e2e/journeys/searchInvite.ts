/**
 * Journey 9 (issue 15): the home page and 我邀请的人. The admin puts up a banner for 数码小铺; 小青 sees it and
 * 热销商品 on the home page, searches "面" and finds both the store 老王拉面 and its noodles, and opens the
 * product. There she makes a share poster (生成海报: the store, the product, its price and her mini-program code, drawn
 on a canvas) and downloads it; a newcomer who scans its code (opens the page with the code's scene) lands on the
 product with 小青 as referrer. 小爱, who referred 小博 in the demo world, opens 我的 → 我邀请的人 and sees him
 (one level only).
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
  // a category chip filters 热销商品 too (server side: merchant.home with the category)
  await carol.cur().locator('.chip-bar .chip', { hasText: '数码家电' }).click();
  await carol.cur().locator('.hot-category', { hasText: '数码家电' }).waitFor();
  await carol.cur().locator('.home-hot .product-hit').first().waitFor();
  const hotStores = await carol.cur().locator('.home-hot').innerText();
  assert(hotStores.includes('数码小铺') && !hotStores.includes('老王拉面'), `热销商品 of 数码家电 only: ${hotStores}`);
  await carol.shot('01b-category-hot');
  await carol.cur().locator('.chip-bar .chip', { hasText: '全部' }).click();
  await carol.cur().locator('.hot-category').waitFor({ state: 'detached' });

  await carol.fill('.search-input', '面');
  await carol.tapButton('搜索');
  await carol.cur().locator('.search-results').waitFor();
  await carol.see('招牌牛肉面');
  await carol.cur().locator('.search-results .merchant-card', { hasText: '老王拉面' }).first().waitFor();
  await carol.shot('02-search-stores-and-products');
  await carol.cur().locator('.search-results .product-hit', { hasText: '招牌牛肉面' }).first().click();
  await carol.see('加入购物车');
  await carol.shot('03-product-from-search');

  // 生成海报: drawn on a canvas, the code carries 小青 as referrer; 下载海报 (h5) saves the canvas as a PNG
  await carol.tapSelector('.make-poster');
  await carol.cur().locator('.poster-canvas').waitFor();
  await carol.cur().locator('.poster-state').waitFor({ state: 'detached' });
  const drawn = await carol.page.evaluate(() => {
    const c = document.querySelector('.poster-canvas canvas') as HTMLCanvasElement;
    const ctx = c.getContext('2d')!;
    const px = (x: number, y: number) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
    const r = c.width / 300; // the poster is 300 logical px wide, scaled by the device pixel ratio
    // the code's square (bottom right, 96 px): how many of its pixels are dark
    const code = ctx.getImageData(Math.round(184 * r), Math.round(350 * r), Math.round(96 * r), Math.round(96 * r)).data;
    let dark = 0;
    for (let i = 0; i < code.length; i += 4) if (code[i] < 100 && code[i + 1] < 100 && code[i + 2] < 100) dark++;
    return { width: c.width, height: c.height, header: px(Math.round(5 * r), Math.round(5 * r)), photo: px(Math.round(30 * r), Math.round(90 * r)), dark };
  });
  assert(drawn.width === 600 && drawn.height === 940, `poster canvas at 2× the 300×470 poster: ${JSON.stringify(drawn)}`);
  assert(drawn.header.join() === '7,193,96', `the store's green band is drawn: ${JSON.stringify(drawn)}`);
  assert(drawn.photo.join() === '7,193,96', `the product photo (the demo's green picture) is drawn: ${JSON.stringify(drawn)}`);
  assert(drawn.dark > 500, `the mini-program code is drawn: ${JSON.stringify(drawn)}`);
  await carol.shot('04-share-poster');
  const [file] = await Promise.all([carol.page.waitForEvent('download'), carol.tapSelector('.poster-save')]);
  assert(file.suggestedFilename() === '老王拉面-海报.png', `poster downloaded: ${file.suggestedFilename()}`);
  await carol.tapSelector('.poster-close');
  await carol.cur().locator('.poster-canvas').waitFor({ state: 'detached' });

  // a newcomer scans the poster's code: WeChat opens its page with the scene (same sharer and product: same code)
  const carolMe = await local.api('user', 'demo_carol', { action: 'login' });
  const hit = (await local.api('merchant', 'demo_carol', { action: 'search', keyword: '招牌牛肉面' })).products[0];
  const code = await local.api('merchant', 'demo_carol', { action: 'posterCode', merchantId: hit.merchantId, productId: hit.id });
  const scanner = new Person('扫码新人', base, J, null);
  await scanner.open(browser, `/${code.page}?scene=${encodeURIComponent(code.scene)}`);
  await scanner.fill('.dev-login .input', '阿海');
  await scanner.tapButton('以新用户身份进入');
  await scanner.acceptRiskIfShown();
  await scanner.see('招牌牛肉面');
  await scanner.shot('05-scanned-poster-lands-on-product');
  const scannerOpenid = await scanner.page.evaluate(() => window.localStorage.getItem('gxg.devOpenid'));
  const scannerMe = await local.api('user', scannerOpenid!, { action: 'login' });
  assert(scannerMe.referrerUserNo === carolMe.userNo, `the poster's sharer is the referrer: ${scannerMe.referrerUserNo} vs ${carolMe.userNo}`);
  await scanner.close();

  // the store page makes a poster too: the store, one of its products, a code that opens the store
  await carol.goto(`/pages/merchant/index?id=${encodeURIComponent(hit.merchantId)}`);
  await carol.tapSelector('.make-poster');
  await carol.cur().locator('.poster-state').waitFor({ state: 'detached' });
  const header = await carol.page.evaluate(() => {
    const c = document.querySelector('.poster-canvas canvas') as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(10, 10, 1, 1).data.slice(0, 3)).join();
  });
  assert(header === '7,193,96', `the store poster is drawn: ${header}`);
  await carol.shot('05b-store-poster');
  await carol.tapSelector('.poster-close');
  await carol.close();

  const bob = await local.api('user', 'demo_bob', { action: 'login' });
  const alice = await new Person('小爱', base, J, 'demo_alice').open(browser, '/pages/me/index');
  await alice.acceptRiskIfShown();
  await alice.tap('我邀请的人');
  await alice.cur().locator('.invitee', { hasText: '小博' }).first().waitFor();
  await alice.see(`用户号 ${bob.userNo}`);
  await alice.shot('06-invitees');
  const listed = await local.api('user', 'demo_alice', { action: 'invitees' });
  // 小博 is 小爱's from the demo world; journey 1 may have added the user who came by her shared link
  const userNos: string[] = listed.items.map((i: { userNo: string }) => i.userNo);
  assert(userNos.includes(bob.userNo) && new Set(userNos).size === userNos.length, `小爱's invitees, 小博 among them, each once: ${JSON.stringify(listed)}`);
  assert((await alice.cur().locator('.invitee').count()) === userNos.length, `the page lists every invitee: ${userNos.length}`);
  await alice.close();
  return [...carol.errors, ...scanner.errors, ...alice.errors];
}
