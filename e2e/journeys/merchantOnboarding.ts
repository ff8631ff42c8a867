/**
 * Journey 3: a user applies as a merchant, the admin approves, the merchant buys its deposit from the
 * platform and lists a product, which shoppers then see.
 */
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { assert, Local, Person, REPO } from '../lib';

export async function merchantOnboardingJourney(browser: Browser, base: string, local: Local) {
  const J = '3-merchant-onboarding';
  const shop = `阿明茶铺${Date.now().toString().slice(-4)}`;
  const owner = new Person('阿明', base, J, null);
  await owner.open(browser, '/');
  await owner.fill('.dev-login .input', '阿明');
  await owner.tapButton('以新用户身份进入');
  await owner.acceptRiskIfShown();
  await owner.tabBar('我的');
  await owner.tap('商家中心');
  await owner.see('成为共享购商家');
  await owner.tapButton('申请入驻');
  await owner.see('营业执照照片');
  await owner.fill('.f-name', shop);
  await owner.tap('餐饮美食');
  await owner.fill('.f-address', '东莞市松山湖科技十路 1 号');
  await owner.fill('.f-contact', '13800000000');
  const chooser = owner.page.waitForEvent('filechooser');
  await owner.tapButton('上传照片');
  await (await chooser).setFiles(path.join(REPO, 'e2e', 'fixtures', 'license.png'));
  await owner.cur().getByText('重新上传').waitFor();
  await owner.fill('.f-submch', '1230000199');
  await owner.fill('.f-desc', '手作奶茶与现萃茶饮');
  await owner.shot('01-apply-form');
  await owner.tapButton('提交申请');
  await owner.confirmModal('申请已提交');
  await owner.see('审核中');
  await owner.shot('02-application-pending');

  // the admin approves
  const admin = await new Person('管理员', base, J, 'demo_admin').open(browser, '/pages/me/index');
  await admin.acceptRiskIfShown();
  await admin.tap('管理后台');
  await admin.see('平台概览');
  await admin.shot('03-admin-dashboard');
  await admin.tap('商家审核');
  const card = admin.cur().locator('.application', { hasText: shop });
  await card.waitFor();
  // the admin checks the sub-merchant id with WeChat Pay (the local cloud binds every id by default)
  await card.getByText('未检查').waitFor();
  await card.locator('taro-button-core', { hasText: '检查' }).click();
  await card.getByText('已绑定，可收款').waitFor();
  await admin.shot('04-admin-pending-application');
  await card.locator('taro-button-core', { hasText: '通过' }).click();
  await admin.confirmModal(shop);
  await card.waitFor({ state: 'detached' });

  // the merchant buys the deposit
  await owner.page.reload();
  await owner.settle();
  await owner.see('已通过，待缴纳保证金');
  await owner.shot('05-approved-needs-deposit');
  await owner.tapButton('购买保证金积分');
  await owner.see('购买积分数量');
  // the cash to pay is on the page before paying (issue 16), and it is what WeChat Pay is then asked for
  const cashShown = await owner.text('.deposit-cash');
  assert(/^¥\d[\d,]*\.\d\d$/.test(cashShown), `deposit cash shown before paying: ${cashShown}`);
  await owner.shot('06-deposit-purchase');
  await owner.tapButton(`支付 ${cashShown}`);
  await owner.see('模拟微信支付');
  await owner.cur().locator('.local-pay').getByText(cashShown).first().waitFor();
  await owner.shot('07-deposit-local-pay');
  await owner.tapButton('确认支付');
  const msg = await owner.modalText();
  assert(/购买成功/.test(msg) && /已可以接单/.test(msg), `deposit bought: ${msg}`);
  await owner.confirmModal();
  await owner.see('营业中');
  await owner.shot('08-merchant-active');

  // and lists a product
  await owner.tap('商品管理');
  await owner.tapButton('新增商品');
  await owner.fill('.p-title', '桂花乌龙奶茶');
  await owner.fill('.p-price', '16.00');
  await owner.fill('.p-stock', '50');
  await owner.fill('.p-desc', '现萃乌龙茶底，桂花香。');
  await owner.shot('09-new-product');
  await owner.tapButton('保存');
  await owner.see('桂花乌龙奶茶');
  await owner.see('在售');
  await owner.shot('10-product-listed');

  // a shopper finds it
  const shopper = await new Person('小青', base, J, 'demo_carol').open(browser, '/pages/index/index');
  await shopper.acceptRiskIfShown();
  await shopper.fill('.search-input', shop);
  await shopper.tapButton('搜索');
  await shopper.cur().locator('.merchant-card', { hasText: shop }).click();
  await shopper.see('桂花乌龙奶茶');
  await shopper.see('¥16.00');
  await shopper.shot('11-shopper-sees-new-merchant');
  const ownerOpenid = await owner.page.evaluate(() => window.localStorage.getItem('gxg.devOpenid') as string);
  const mine = await local.api('merchant', ownerOpenid, { action: 'mine' });
  assert(mine.status === 'active' && mine.acceptingOrders, `merchant active: ${mine.status}`);

  // the in-store pay code to print, and a customer paying by it
  await owner.back();
  await owner.tap('到店收款码');
  await owner.cur().locator('.paycode-img').waitFor();
  await owner.see('模拟顾客扫码付款');
  // no raw page path or scene string for the merchant to puzzle over
  const codeText = await owner.cur().innerText();
  assert(!/scene=|pages\/pay/.test(codeText), `pay-code page shows no raw scene: ${codeText}`);
  await owner.shot('12-pay-code-to-print');
  const code = await local.api('merchant', ownerOpenid, { action: 'payCode' });
  await shopper.goto(`/${code.page}?scene=${encodeURIComponent(code.scene)}`);
  await shopper.see(shop);
  await shopper.fill('.amount-input', '25.5');
  await shopper.cur().locator('.quote-cash').getByText('¥25.50').waitFor();
  await shopper.shot('13-scan-pay-in-store');
  await shopper.tapButton('提交并支付');
  await shopper.tapButton('确认支付');
  await shopper.see('订单已完成');
  await shopper.shot('14-in-store-paid');

  for (const p of [owner, admin, shopper]) await p.close();
  return [owner, admin, shopper].flatMap((p) => p.errors);
}
