/**
 * Journey 8 (issue 15): the merchant centre. 小陈 (数码小铺) sees today's and this month's sales, the orders to
 * handle (a badge), shared value and points with their charts; lists a product with two images and a
 * specification, which a shopper sees; then deletes it.
 */
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { assert, Local, Person, REPO } from '../lib';

export async function merchantCentreJourney(browser: Browser, base: string, local: Local) {
  const J = '8-merchant-centre';
  const figures = await local.api('merchant', 'demo_m_tech', { action: 'dashboard' });
  const chen = await new Person('小陈', base, J, 'demo_m_tech').open(browser, '/pages/me/index');
  await chen.acceptRiskIfShown();
  await chen.tap('商家中心');
  await chen.see('今日销售额');
  await chen.see('近 14 天销售额');
  const toHandle = await chen.text('.to-handle');
  assert(toHandle === String(figures.toHandle), `orders to handle: ${toHandle} vs ${figures.toHandle}`);
  if (figures.toHandle > 0) await chen.cur().locator('.to-handle-badge').getByText(String(figures.toHandle)).waitFor();
  const month = await chen.text('.month-sales');
  assert(month.replace(/,/g, '') === `¥${(figures.month.amountFen / 100).toFixed(2)}`, `month sales shown: ${month} vs ${figures.month.amountFen}`);
  await chen.shot('01-merchant-centre-figures');
  await chen.page.mouse.wheel(0, 800);
  await chen.shot('02-merchant-centre-charts');

  // a product with two images and a specification
  await chen.tap('商品管理');
  await chen.tapButton('新增商品');
  await chen.fill('.p-title', '磁吸手机支架');
  await chen.fill('.p-price', '39.00');
  await chen.fill('.p-stock', '20');
  for (let i = 0; i < 2; i++) {
    const chooser = chen.page.waitForEvent('filechooser');
    await chen.tapButton(/上传图片/);
    await (await chooser).setFiles(path.join(REPO, 'e2e', 'fixtures', 'license.png'));
    await chen.cur().locator('.p-image').nth(i).waitFor();
  }
  await chen.tapButton('添加规格');
  await chen.fill('.spec-name', '颜色');
  await chen.fill('.spec-value', '星空黑');
  await chen.shot('03-product-nine-images-specs');
  await chen.tapButton('保存');
  await chen.see('磁吸手机支架');
  const saved = (await local.api('merchant', 'demo_m_tech', { action: 'products' })).items.find((p: any) => p.title === '磁吸手机支架');
  assert(saved && saved.images.length === 2 && saved.specs[0]?.value === '星空黑', `saved: ${JSON.stringify(saved)}`);

  const carol = await new Person('小青', base, J, 'demo_carol').open(browser, `/pages/product/index?merchantId=${saved.merchantId}&id=${saved.id}`);
  await carol.acceptRiskIfShown();
  await carol.see('星空黑');
  await carol.cur().locator('.product-images').waitFor();
  await carol.shot('04-shopper-sees-images-and-specs');

  const item = chen.cur().locator('.mc-product', { hasText: '磁吸手机支架' });
  await item.locator('taro-button-core', { hasText: '删除' }).click();
  await chen.confirmModal('磁吸手机支架');
  await item.waitFor({ state: 'detached' });
  await chen.shot('05-product-deleted');
  const after = (await local.api('merchant', 'demo_m_tech', { action: 'products' })).items;
  assert(!after.some((p: any) => p.id === saved.id), 'deleted from the catalogue');

  for (const p of [chen, carol]) await p.close();
  return [chen, carol].flatMap((p) => p.errors);
}
