/**
 * Journey 2: a seller and a buyer complete a C2C trade (the buyer pays the seller directly, marks it paid,
 * the seller confirms and the points move); a second trade is left unpaid and times out.
 */
import type { Browser } from 'playwright-core';
import * as path from 'path';
import { assert, hundredths, Local, Person, REPO } from '../lib';

export async function c2cJourney(browser: Browser, base: string, local: Local) {
  const J = '2-c2c-market';
  const depth = await local.api('market', 'demo_alice', { action: 'depth' });
  const priceYuan = (depth.minPriceFen / 100).toFixed(2); // the lowest price the band allows: no other ask is ahead of ours
  const seller = await new Person('小爱(卖家)', base, J, 'demo_alice').open(browser, '/pages/me/index');
  await seller.acceptRiskIfShown();
  const sellerBefore = await local.api('user', 'demo_alice', { action: 'assets' });

  // the seller tells buyers how to pay her
  await seller.tap('我的收款方式');
  // the form opens with what she saved (the demo's 'xiaoai_demo'), set at mount: setting it after the load
  // made Taro's Textarea throw "Cannot read properties of undefined (reading 'value')" on this page
  const saved = await local.api('market', 'demo_alice', { action: 'getPaymentDetails' });
  if (saved.accountText) {
    await seller.page.waitForFunction((t) => Array.from(document.querySelectorAll('.account-text textarea')).some((x) => (x as HTMLTextAreaElement).value === t), saved.accountText);
  }
  assert(!seller.errors.some((e) => /reading 'value'/.test(e)), `no browser error on 我的收款方式: ${seller.errors.join(' / ')}`);
  await seller.fill('.account-text', '微信号 alice_pay（小爱）');
  await seller.tapButton('保存');
  await seller.page.getByText('已保存').first().waitFor().catch(() => undefined);
  await seller.back();

  // she sells 10 points
  await seller.tabBar('市场');
  await seller.see('今日指导价');
  // at 390 px nothing runs past the screen (the 最近成交 table did by 12 px)
  await seller.cur().locator('.table').first().waitFor().catch(() => undefined);
  const overflow = await seller.page.evaluate(() => {
    const t = document.querySelector('.taro_page:not([style*="display: none"]) .table');
    return { doc: document.documentElement.scrollWidth, table: t ? Math.ceil(t.getBoundingClientRect().right) : 0 };
  });
  assert(overflow.doc <= 390 && overflow.table <= 390, `no horizontal overflow at 390 px: ${JSON.stringify(overflow)}`);
  // one day of history is not a trend: the chart says so instead of drawing a dot
  const stats = await local.api('market', 'demo_alice', { action: 'stats' });
  if (stats.history.length < 2) await seller.see('数据还不够画出走势');
  await seller.shot('01-market-depth-chart');
  await seller.tap('买卖');
  await seller.tapSelector('.side-sell');
  await seller.fill('.price-input', priceYuan);
  await seller.fill('.qty-input', '10');
  await seller.shot('02-sell-order-form');
  // the total and the fee are on the form and in the dialog before anything is placed
  await seller.see(/合计 ¥\d+\.\d\d · 手续费 0\.50 积分/);
  await seller.tapButton(/^卖出$/);
  const sellDialog = await seller.modalText();
  assert(/数量 10\.00 积分/.test(sellDialog) && /单价 ¥/.test(sellDialog) && /合计 ¥/.test(sellDialog) && /手续费 0\.50 积分/.test(sellDialog), `sell dialog: ${sellDialog}`);
  await seller.shot('02b-sell-confirm-quantity-price-total-fee');
  await seller.confirmModal('确认卖出');
  await seller.confirmModal('交易有进展时用微信通知您吗'); // consent to the trade notices (h5: explained, nothing asked)
  await seller.see('挂单中');
  await seller.see(/卖出 10\.00 积分/);
  await seller.shot('03-my-open-sell-order');

  // the buyer buys them
  const buyer = await new Person('小青(买家)', base, J, 'demo_carol').open(browser, '/pages/market/index');
  await buyer.acceptRiskIfShown();
  const buyerBefore = await local.api('user', 'demo_carol', { action: 'assets' });
  await buyAt(buyer, priceYuan, '10');
  await buyer.see('卖家收款方式');
  await buyer.see('微信号 alice_pay（小爱）');
  // the buyer sees whom they pay by name
  assert((await buyer.text('.counterpart-name')) === '小爱', 'buyer sees the seller by name');
  await buyer.cur().locator('.trade-countdown').waitFor();
  const countdown = await buyer.text('.trade-countdown');
  assert(/^\d+:\d\d$/.test(countdown), `countdown shown: ${countdown}`);
  await buyer.shot('04-buyer-trade-countdown-payment-details');
  await buyer.tapButton('我已付款');
  const paidDialog = await buyer.modalText();
  assert(/数量 10\.00 积分/.test(paidDialog) && /合计 ¥/.test(paidDialog) && /小爱/.test(paidDialog), `mark-paid dialog: ${paidDialog}`);
  await buyer.confirmModal('确认已付款');
  await buyer.see('买家已付款，待卖家确认');
  // 申诉 is not offered while it would be refused: the page says when it opens
  await buyer.see(/后可申诉/);
  assert((await buyer.cur().locator('.open-appeal').count()) === 0, 'no 申诉 button before it is possible');
  await buyer.shot('05-buyer-marked-paid');

  // the seller confirms receipt: the points go to the buyer
  await seller.tap('我的交易');
  await seller.tap('买家已付款，待卖家确认');
  await seller.see('我已收到款项，放行积分');
  // the seller matches the payment to the payer's name
  assert((await seller.text('.counterpart-name')) === '小青', 'seller sees the payer by name');
  await seller.see('付款人（买家）');
  await seller.shot('06-seller-trade-to-confirm');
  await seller.tapButton('我已收到款项，放行积分');
  const confirmDialog = await seller.modalText();
  assert(/手续费 0\.50 积分/.test(confirmDialog) && /小青/.test(confirmDialog), `confirm dialog: ${confirmDialog}`);
  await seller.confirmModal('确认收款并放行');
  await seller.see('交易完成');
  await seller.shot('07-seller-trade-completed');

  await buyer.tabBar('资产');
  await buyer.page.reload();
  await buyer.settle();
  const avail = await buyer.text('.assets-available');
  assert(hundredths(avail) === hundredths(buyerBefore.available) + 1000, `buyer got 10 points: ${buyerBefore.available} → ${avail}`);
  await buyer.shot('08-buyer-assets-after-trade');
  const sellerAfter = await local.api('user', 'demo_alice', { action: 'assets' });
  assert(hundredths(sellerAfter.available) < hundredths(sellerBefore.available) - 1000, `seller paid 10 points + fee: ${sellerBefore.available} → ${sellerAfter.available}`);

  // a second trade that the buyer never pays
  await seller.back();
  await seller.tap('买卖');
  await seller.tapSelector('.side-sell');
  await seller.fill('.price-input', priceYuan);
  await seller.fill('.qty-input', '5');
  await seller.tapButton(/^卖出$/);
  await seller.confirmModal('确认卖出');
  await seller.confirmModal('交易有进展时用微信通知您吗'); // consent to the trade notices (h5: explained, nothing asked)
  await seller.see('挂单中');

  await buyer.tabBar('市场');
  await buyAt(buyer, priceYuan, '5');
  await buyer.see('请在倒计时结束前付款');
  await buyer.shot('09-second-trade-awaiting-payment');
  const tradeId = decodeURIComponent(buyer.page.url().match(/id=([^&]+)/)?.[1] ?? '');
  assert(tradeId, 'trade id in url');

  // 31 minutes pass (the local clock; the every-minute timeouts timer runs)
  await local.advanceClock(31 * 60_000);
  await buyer.page.reload();
  await buyer.settle();
  await buyer.see('交易已取消');
  await buyer.shot('10-second-trade-timed-out');
  const t = await local.api('market', 'demo_carol', { action: 'trade', tradeId });
  assert(t.status === 'cancelled', `trade timed out: ${t.status}`);

  await seller.page.reload();
  await seller.settle();
  await seller.tap('我的挂单');
  await seller.see(/未成交 5\.00/);
  await seller.shot('11-seller-order-back-open');

  // a third trade: the buyer cancels before paying; the seller's list follows without a reload
  await buyer.tabBar('市场');
  await buyAt(buyer, priceYuan, '5');
  // the seller's 我的挂单 follows the fill by itself (it showed a filled order as 挂单中 for an hour)
  await seller.notSee(/未成交 5\.00/, 30_000);
  await buyer.see('取消交易（未付款）');
  await buyer.tapButton('取消交易（未付款）');
  await buyer.confirmModal('取消交易');
  await buyer.see('买家已取消交易');
  await buyer.shot('12-buyer-cancelled-before-paying');
  await seller.see(/未成交 5\.00/, 30_000);

  // a fourth trade goes to appeal: paid, not confirmed for 24 hours, then 申诉 with a screenshot
  await buyer.back();
  await buyAt(buyer, priceYuan, '2');
  await buyer.tapButton('我已付款');
  await buyer.confirmModal('确认已付款');
  await buyer.see(/后可申诉/);
  await local.advanceClock(24 * 3600_000 + 60_000);
  await buyer.page.reload();
  await buyer.settle();
  await buyer.tapSelector('.open-appeal');
  await buyer.fill('.appeal-reason', '已付款两天，卖家一直不放行');
  await buyer.see('请上传付款记录或聊天截图作为凭证');
  const chooser = buyer.page.waitForEvent('filechooser');
  await buyer.tapButton('上传付款记录');
  await (await chooser).setFiles(path.join(REPO, 'e2e', 'fixtures', 'license.png'));
  await buyer.cur().getByText('更换截图').waitFor();
  await buyer.shot('13-appeal-with-screenshot');
  await buyer.tapButton('提交申诉');
  await buyer.see('申诉中');
  await buyer.see('我的凭证');

  const admin = await new Person('管理员', base, J, 'demo_admin').open(browser, '/admin/appeals');
  await admin.acceptRiskIfShown();
  await admin.see('买家凭证（1）');
  await admin.see('卖家凭证（0）');
  await admin.see('交易经过');
  await admin.see(/买家 小青 发起申诉：已付款两天，卖家一直不放行/);
  await admin.see(/买家 小青 标记已付款/);
  await admin.shot('14-admin-appeal-both-sides-timeline');

  // the seller's history in business words: no "available→escrow"
  await seller.goto('/pages/ledger/index');
  await seller.see(/可用积分转入挂单冻结/);
  const ledgerText = await seller.cur().innerText();
  assert(!/available|escrow|→/.test(ledgerText), `ledger in Chinese: ${ledgerText.slice(0, 300)}`);
  await seller.shot('15-ledger-business-words');

  for (const p of [seller, buyer, admin]) await p.close();
  return [seller, buyer, admin].flatMap((p) => p.errors);
}

/** A buy order at the seller's price on the 买卖 tab, confirmed; it fills at once (已成交). */
async function buyAt(buyer: Person, priceYuan: string, qty: string): Promise<void> {
  await buyer.tap('买卖');
  await buyer.tapSelector('.side-buy');
  await buyer.fill('.price-input', priceYuan);
  await buyer.fill('.qty-input', qty);
  await buyer.tapButton(/^买入$/);
  await buyer.confirmModal('确认买入');
  await buyer.confirmModal('已成交');
}
