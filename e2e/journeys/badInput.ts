/**
 * Journey 4: bad input in every number field (issue 16). Each field shows what it will submit and refuses
 * what it cannot, with the reason beside it, before any tap: points beyond the balance or 3 decimals at the
 * checkout, a negative transfer and a user number "abc", a negative market price, a product price of -1,
 * a stock of 1.5, and a yuan amount too large.
 */
import type { Browser } from 'playwright-core';
import { assert, Local, Person } from '../lib';

export async function badInputJourney(browser: Browser, base: string, local: Local) {
  const J = '5-bad-input';
  // a new user: no points at all
  const openid = `e2e_bad_${Date.now().toString(36)}`;
  const carol = await new Person('新用户', base, J, openid).open(browser, '/pages/index/index');
  await carol.acceptRiskIfShown();
  const carolAssets = await local.api('user', openid, { action: 'assets' });
  assert(carolAssets.available === '0.00', `a new user has no points: ${carolAssets.available}`);

  // checkout: 5 points with 0 held is refused at once, and the preview shows no offset
  await carol.openStore('老王拉面');
  await carol.tap('招牌牛肉面');
  await carol.tapButton('立即购买');
  await carol.see('付款明细');
  await carol.see(/本单最多可用 0\.00/);
  await carol.fill('.points-input', '5');
  await carol.see('积分余额不足：可用 0.00 积分');
  // the button is disabled and says why (the first thing to fix: an address for delivery, or the points)
  await carol.cur().locator('.checkout-blocked').waitFor();
  assert((await carol.cur().getByText('-¥10.00').count()) === 0, 'no offset shown for points not held');
  await carol.shot('01-checkout-more-points-than-held');
  // 1.234: the reason at once, never an endless 计算中…
  await carol.fill('.points-input', '1.234');
  await carol.see('抵扣积分最多两位小数');
  await carol.page.waitForTimeout(800);
  assert((await carol.cur().getByText('计算中…').count()) === 0, 'no endless 计算中');
  await carol.shot('02-checkout-three-decimals');

  // transfer: "abc" and "-3" refused as typed (h5 used to drop the sign and send 3.00)
  await carol.goto('/pages/transfer/index');
  await carol.fill('.to-input', 'abc');
  await carol.see('用户号只包含数字');
  await carol.fill('.points-input', '-3');
  await carol.see('转赠积分不能为负数');
  const typed = await carol.cur().locator('.points-input input').inputValue();
  assert(typed === '-3', `the field keeps what was typed: ${typed}`);
  await carol.shot('03-transfer-bad-number-and-points');

  // market: a price of -2 is refused, not placed at ¥2.00
  await carol.goto('/pages/market/index');
  await carol.tap('买卖');
  await carol.tapSelector('.side-buy');
  await carol.fill('.price-input', '-2');
  await carol.see('单价不能为负数');
  await carol.fill('.qty-input', '0.5');
  await carol.see('数量至少 1.00');
  await carol.shot('04-market-negative-price');

  // the merchant's product form: -1, 1.5, 99999999999
  const boss = await new Person('老王', base, J, 'demo_m_noodle').open(browser, '/merchant-center/product-edit');
  await boss.acceptRiskIfShown();
  await boss.fill('.p-title', '测试面');
  await boss.fill('.p-price', '-1');
  await boss.see('价格不能为负数');
  await boss.fill('.p-stock', '1.5');
  await boss.see('库存必须是整数');
  await boss.shot('05-product-negative-price-fractional-stock');
  await boss.fill('.p-price', '99999999999');
  await boss.see('价格不能超过 ¥1,000,000.00');
  await boss.fill('.p-stock', '-5');
  await boss.see('库存不能为负数');
  await boss.see('请先修正标红的项');
  await boss.shot('06-product-too-large-negative-stock');

  // a not-found page offers the way home, not only 重试
  await carol.goto('/pages/order/index?id=Onope123');
  await carol.see('回首页');
  await carol.shot('07-not-found-way-home');
  await carol.tapSelector('.go-home');
  await carol.see('老王拉面');

  // the merchant application: every field's error beside it at once, not one per dialog
  await carol.goto('/merchant-center/apply');
  await carol.see('营业执照照片');
  await carol.tapButton('提交申请');
  for (const e of ['请填写店铺名称', '请选择经营类目', '请填写门店地址', '请填写联系方式', '请上传营业执照照片', '请填写微信支付子商户号']) await carol.see(e);
  await carol.fill('.f-submch', '12ab');
  await carol.see('子商户号是 8 到 12 位数字');
  await carol.see(/还有 \d 项需要修改/);
  await carol.shot('08-application-every-error-at-once');

  // admin: a parameter change shows old → new, needs a reason and a confirmation; locked ones have no 修改
  const admin = await new Person('管理员', base, J, 'demo_admin').open(browser, '/admin/params');
  await admin.acceptRiskIfShown();
  await admin.see('C2C交易手续费率');
  assert((await admin.cur().locator('.param-releaseTotal .param-edit').count()) === 0, 'locked 积分总发行量 has no 修改');
  await admin.see('972,360 积分');
  await admin.see('¥500.00');
  const paramsText = await admin.cur().innerText();
  assert(!/marketFeeRate|merchantDepositValueFen|（分）/.test(paramsText), 'no English keys or fen on the parameters page');
  await admin.cur().locator('.param-marketFeeRate .param-edit').click();
  await admin.fill('.param-marketFeeRate .param-input', '12.3');
  await admin.see('5% → 12.3%');
  await admin.see('请写明修改原因');
  await admin.fill('.param-marketFeeRate .param-reason', '测试确认流程');
  await admin.tapButton('保存');
  const dialog = await admin.modalText();
  assert(dialog.includes('5% → 12.3%') && dialog.includes('测试确认流程'), `confirmation shows old → new and the reason: ${dialog}`);
  await admin.shot('09-param-change-confirm');
  await admin.confirmModal('确认修改');
  await admin.see('修改参数：C2C交易手续费率');
  const auditText = await admin.cur().innerText();
  assert(!/demo_admin|param:|openid/.test(auditText), 'audit in Chinese, no openids or keys');
  await admin.shot('10-audit-in-chinese');
  // put the fee back for whatever runs next
  await local.api('admin', 'demo_admin', { action: 'setParam', name: 'marketFeeRate', value: '0.05', reason: '恢复测试前的费率' });

  for (const p of [carol, boss, admin]) await p.close();
  return [carol, boss, admin].flatMap((p) => p.errors);
}
