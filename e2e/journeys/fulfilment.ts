/**
 * Journey 6 (issue 15): fulfilment modes.
 * - pickup: 老王 offers 到店自提 in the merchant centre; 小青 orders a bowl for pickup with a note, pays, sees
 *   her pickup code and its QR; 老王 types the code and the order completes (settled at once).
 * - delivery: 小青 buys oranges from 鲜果坊, fills in an address (the h5 form; on WeChat its own picker),
 *   pays; 阿芳 ships with carrier and tracking number; 小青 sees them and confirms receipt.
 */
import type { Browser } from 'playwright-core';
import { assert, Local, Person } from '../lib';

export async function fulfilmentJourney(browser: Browser, base: string, local: Local) {
  const J = '6-fulfilment';

  // ---- pickup
  const boss = await new Person('老王', base, J, 'demo_m_noodle').open(browser, '/pages/me/index');
  await boss.acceptRiskIfShown();
  await boss.tap('商家中心');
  await boss.see('收货方式');
  await boss.tapSelector('.store-modes .toggle-pickup');
  await boss.tapButton('保存');
  await boss.cur().locator('.store-modes-save').waitFor({ state: 'detached' });
  await boss.shot('01-merchant-offers-pickup');

  const carol = await new Person('小青', base, J, 'demo_carol').open(browser, '/pages/index/index');
  await carol.acceptRiskIfShown();
  await carol.openStore('老王拉面');
  await carol.tap('酸辣粉');
  await carol.tapButton('立即购买');
  await carol.see('收货方式');
  await carol.tapSelector('.mode-picker .mode-pickup');
  await carol.see(/付款后获得取货码/);
  await carol.fill('.note-input', '少辣');
  await carol.cur().locator('.quote-cash').getByText('¥12.00').waitFor();
  await carol.shot('02-checkout-pickup');
  await carol.tapButton('提交并支付');
  await carol.cur().locator('.local-pay').waitFor();
  await carol.tapButton('确认支付');
  await carol.see('请到店出示取货码取货');
  const code = await carol.text('.pickup-code');
  assert(/^\d{6}$/.test(code), `pickup code shown: ${code}`);
  await carol.see('少辣');
  // the code also as a QR for the store's 扫码核销 (weapp; h5 types the code)
  const qrImg = carol.cur().locator('.pickup-qr img').first();
  await qrImg.waitFor();
  const qr = await qrImg.evaluate((i) => ({ w: (i as HTMLImageElement).naturalWidth, src: (i as HTMLImageElement).src.slice(0, 22) }));
  assert(qr.src === 'data:image/gif;base64,' && qr.w === (29 + 8) * 6, `pickup QR shown: ${JSON.stringify(qr)}`);
  await carol.shot('03-buyer-pickup-code');
  const pickupId = decodeURIComponent((await carol.page.url()).match(/id=([^&]+)/)?.[1] ?? '');
  assert(pickupId, 'order id in url');

  await boss.tap('订单与发货');
  await boss.see(pickupId);
  await boss.see('待取货');
  await boss.fill('.pickup-input', code);
  await boss.shot('04-merchant-types-code');
  await boss.tapButton('核销');
  await boss.notSee(pickupId);
  await boss.shot('05-merchant-verified');
  const picked = await local.api('order', 'demo_carol', { action: 'get', orderId: pickupId });
  assert(picked.status === 'completed' && picked.userSv === '12.00' && picked.note === '少辣', `pickup settled: ${JSON.stringify(picked).slice(0, 200)}`);
  await carol.goto(`/pages/order/index?id=${encodeURIComponent(pickupId)}`);
  await carol.see(/订单已完成/);
  await carol.see('已取货');
  await carol.shot('06-buyer-picked-up');

  // ---- delivery, from the store's cart (two products, one order)
  await carol.goto('/pages/index/index');
  await carol.openStore('鲜果坊');
  await carol.tap('赣南脐橙 5斤');
  await carol.tapButton('加入购物车');
  await carol.see('购物车 1 件');
  await carol.back();
  await carol.tap('海南香蕉 3斤');
  await carol.tapSelector('.stepper-plus');
  await carol.tapButton('加入购物车');
  await carol.see('购物车 3 件');
  await carol.back();
  await carol.see('购物车 3 件');
  await carol.cur().locator('.cart-total').getByText('¥71.70').waitFor(); // 39.90 + 2 × 15.90
  await carol.shot('07a-store-cart');
  await carol.tapButton('去结算');
  await carol.see('收货方式');
  await carol.cur().locator('.checkout-line').nth(1).waitFor();
  await carol.see('还没有收货地址');
  await carol.tapButton('填写地址');
  await carol.fill('.addr-name', '小青');
  await carol.fill('.addr-phone', '13912345678');
  await carol.fill('.addr-region', '广东省 东莞市 南城区');
  await carol.fill('.addr-detail', '鸿福路 100 号 3 栋 502');
  await carol.shot('07-address-form');
  await carol.tapButton('保存并使用');
  await carol.see('鸿福路 100 号 3 栋 502');
  await carol.fill('.note-input', '工作日白天送');
  await carol.cur().locator('.quote-cash').getByText('¥71.70').waitFor();
  await carol.shot('08-checkout-delivery');
  await carol.tapButton('提交并支付');
  await carol.cur().locator('.local-pay').waitFor();
  await carol.tapButton('确认支付');
  await carol.see('已付款，等待商家发货');
  const deliveryId = decodeURIComponent((await carol.page.url()).match(/id=([^&]+)/)?.[1] ?? '');
  const book = await local.api('user', 'demo_carol', { action: 'addresses' });
  assert(book.items.length === 1 && book.items[0].isDefault, `address kept in the book: ${JSON.stringify(book)}`);

  const fang = await new Person('阿芳', base, J, 'demo_m_fruit').open(browser, '/pages/me/index');
  await fang.acceptRiskIfShown();
  await fang.tap('商家中心');
  await fang.tap('订单与发货');
  const card = fang.cur().locator('.mc-order', { hasText: deliveryId });
  await card.getByText('鸿福路 100 号 3 栋 502').waitFor();
  await fang.shot('09-merchant-sees-address');
  await card.locator('taro-button-core', { hasText: '发货' }).click();
  await fang.fill('.ship-carrier', '顺丰速运');
  await fang.fill('.ship-no', 'SF1400012345678');
  await fang.shot('10-merchant-ship-form');
  await fang.tapButton('确认发货');
  await card.waitFor({ state: 'detached', timeout: 5000 }); // the list follows its filter (待处理)
  await fang.shot('11-merchant-shipped');

  await carol.goto(`/pages/order/index?id=${encodeURIComponent(deliveryId)}`);
  await carol.see('顺丰速运 SF1400012345678');
  await carol.see(/将自动确认收货/);
  await carol.shot('12-buyer-sees-tracking');
  await carol.tapButton('确认收货');
  await carol.confirmModal('确认收货');
  await carol.see(/订单已完成/);
  await carol.shot('13-delivery-received');
  const received = await local.api('order', 'demo_carol', { action: 'get', orderId: deliveryId });
  assert(received.status === 'completed' && received.carrier === '顺丰速运' && received.address?.detail === '鸿福路 100 号 3 栋 502', `delivery settled: ${JSON.stringify(received).slice(0, 300)}`);
  assert(received.lines.length === 2 && received.amountFen === 7170 && received.note === '工作日白天送', `two lines from the cart: ${JSON.stringify(received.lines)}`);

  // 再来一单: the same lines in the store's checkout again
  await carol.tapButton('再来一单');
  await carol.see('收货方式');
  await carol.cur().locator('.checkout-line').nth(1).waitFor();
  await carol.cur().locator('.quote-cash').getByText('¥71.70').waitFor();
  await carol.see('鸿福路 100 号 3 栋 502'); // the default address of her book
  await carol.shot('14-order-again');

  for (const p of [boss, carol, fang]) await p.close();
  return [boss, carol, fang].flatMap((p) => p.errors);
}
