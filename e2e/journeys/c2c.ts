/**
 * Journey 2: a seller and a buyer complete a C2C trade (the buyer pays the seller directly, marks it paid,
 * the seller confirms and the points move); a second trade is left unpaid and times out.
 */
import type { Browser } from 'playwright-core';
import { assert, hundredths, Local, Person } from '../lib';

export async function c2cJourney(browser: Browser, base: string, local: Local) {
  const J = '2-c2c-market';
  const depth = await local.api('market', 'demo_alice', { action: 'depth' });
  const priceYuan = (depth.minPriceFen / 100).toFixed(2); // the lowest price the band allows: no other ask is ahead of ours
  const seller = await new Person('小爱(卖家)', base, J, 'demo_alice').open(browser, '/pages/me/index');
  await seller.acceptRiskIfShown();
  const sellerBefore = await local.api('user', 'demo_alice', { action: 'assets' });

  // the seller tells buyers how to pay her
  await seller.tap('我的收款方式');
  await seller.fill('.account-text', '微信号 alice_pay（小爱）');
  await seller.tapButton('保存');
  await seller.page.getByText('已保存').first().waitFor().catch(() => undefined);
  await seller.back();

  // she sells 10 points
  await seller.tabBar('市场');
  await seller.see('今日指导价');
  await seller.shot('01-market-depth-chart');
  await seller.tap('买卖');
  await seller.tapSelector('.side-sell');
  await seller.fill('.price-input', priceYuan);
  await seller.fill('.qty-input', '10');
  await seller.shot('02-sell-order-form');
  await seller.tapButton(/^卖出$/);
  await seller.confirmModal('确认卖出');
  await seller.confirmModal('交易有进展时用微信通知您吗'); // consent to the trade notices (h5: explained, nothing asked)
  await seller.see('挂单中');
  await seller.see(/卖出 10\.00 积分/);
  await seller.shot('03-my-open-sell-order');

  // the buyer buys them
  const buyer = await new Person('小青(买家)', base, J, 'demo_carol').open(browser, '/pages/market/index');
  await buyer.acceptRiskIfShown();
  const buyerBefore = await local.api('user', 'demo_carol', { action: 'assets' });
  await buyer.tap('买卖');
  await buyer.tapSelector('.side-buy');
  await buyer.fill('.price-input', priceYuan);
  await buyer.fill('.qty-input', '10');
  await buyer.tapButton(/^买入$/);
  await buyer.confirmModal('确认买入');
  await buyer.confirmModal('已成交');
  await buyer.see('卖家收款方式');
  await buyer.see('微信号 alice_pay（小爱）');
  await buyer.cur().locator('.trade-countdown').waitFor();
  const countdown = await buyer.text('.trade-countdown');
  assert(/^\d+:\d\d$/.test(countdown), `countdown shown: ${countdown}`);
  await buyer.shot('04-buyer-trade-countdown-payment-details');
  await buyer.tapButton('我已付款');
  await buyer.confirmModal('确认已付款');
  await buyer.see('买家已付款，待卖家确认');
  await buyer.shot('05-buyer-marked-paid');

  // the seller confirms receipt: the points go to the buyer
  await seller.tap('我的交易');
  await seller.tap('买家已付款，待卖家确认');
  await seller.see('我已收到款项，放行积分');
  await seller.shot('06-seller-trade-to-confirm');
  await seller.tapButton('我已收到款项，放行积分');
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
  await buyer.tap('买卖');
  await buyer.tapSelector('.side-buy');
  await buyer.fill('.price-input', priceYuan);
  await buyer.fill('.qty-input', '5');
  await buyer.tapButton(/^买入$/);
  await buyer.confirmModal('确认买入');
  await buyer.confirmModal('已成交');
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

  for (const p of [seller, buyer]) await p.close();
  return [seller, buyer].flatMap((p) => p.errors);
}
