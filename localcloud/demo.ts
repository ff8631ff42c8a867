/**
 * The demo world a first start seeds (empty data folder, SEED not 0), so a newcomer has something to look
 * at. Everything goes through the real cloud functions (as the app and WeChat Pay would call them), except
 * making the demo admin an admin (deployments do that with ADMIN_OPENIDS).
 *
 * The history is laid one day in the past (the local clock is moved back, then forward again), so the
 * daily release — when the `release` function exists — has one day to catch up on: the demo users then
 * hold points and a statement, and keep most of their shared value (T ≈ 4,900 SV against 888 × ¥2).
 *
 * Demo users (the developer login offers them):
 * - demo_admin    平台管理员  admin: parameters, approvals (one application is waiting)
 * - demo_alice    小爱        user: paid ¥1000 in store at 老王拉面 (the seed's example: 1000 SV), bought fruit (received)
 * - demo_bob      小博        user, referred by 小爱: ¥3000 in store at 数码小铺, a phone case on its way (shipped), an unpaid order
 * - demo_carol    小青        new user, nothing yet
 * - demo_m_noodle 老王        merchant 老王拉面 (餐饮美食)
 * - demo_m_fruit  阿芳        merchant 鲜果坊 (生鲜果蔬)
 * - demo_m_tech   小陈        merchant 数码小铺 (数码家电)
 * - demo_m_new    阿杰        applied for 杰哥咖啡, waiting for approval
 */
import type { LocalCloud } from './runtime';
import { dec } from '../shared/decimal';

export interface DemoUser {
  openid: string;
  nickname: string;
  role?: string;
  [k: string]: unknown;
}

export const DEMO_USERS: DemoUser[] = [
  { openid: 'demo_admin', nickname: '平台管理员', role: 'admin', note: '参数设置、商家审核（有一份待审核申请）' },
  { openid: 'demo_alice', nickname: '小爱', role: 'user', note: '在老王拉面到店消费 ¥1000（获得 1000 共享值），在鲜果坊买过水果' },
  { openid: 'demo_bob', nickname: '小博', role: 'user', note: '小爱推荐的用户；在数码小铺到店消费 ¥3000；一单手机壳已发货待确认收货，一单待支付' },
  { openid: 'demo_carol', nickname: '小青', role: 'user', note: '新用户，还没有消费' },
  { openid: 'demo_m_noodle', nickname: '老王', role: 'merchant', note: '商家「老王拉面」（餐饮美食）' },
  { openid: 'demo_m_fruit', nickname: '阿芳', role: 'merchant', note: '商家「鲜果坊」（生鲜果蔬）' },
  { openid: 'demo_m_tech', nickname: '小陈', role: 'merchant', note: '商家「数码小铺」（数码家电）' },
  { openid: 'demo_m_new', nickname: '阿杰', role: 'applicant', note: '申请入驻「杰哥咖啡」，等待审核' },
];

const DAY = 86_400_000;

/**
 * A picture for the demo world, stored in the local cloud's file storage and served by the gateway, so the
 * screens a newcomer opens show images rather than broken links (there is no network to fetch any from).
 */
async function demoImage(cloud: LocalCloud, name: string, label: string, colour: string): Promise<string> {
  const text = label.replace(/[<>&"]/g, '');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">` +
    `<rect width="400" height="300" fill="${colour}"/>` +
    `<text x="200" y="160" font-size="36" text-anchor="middle" fill="#fff" font-family="sans-serif">${text}</text></svg>`;
  const cloudPath = `demo/${name}.svg`;
  await cloud.files.uploadFile({ cloudPath, fileContent: Buffer.from(svg) });
  return `/files/${cloudPath}`;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function seedDemoWorld(cloud: LocalCloud): Promise<DemoUser[]> {
  cloud.makeCurrent();
  let n = 0;
  const rid = (tag: string) => `demo-${tag}-${++n}`.padEnd(8, '0');
  async function call(fn: string, openid: string, event: Record<string, unknown>): Promise<any> {
    const r = (await cloud.invoke(fn, event, { OPENID: openid, SOURCE: 'wx_client' })) as any;
    if (!r || r.ok !== true) throw new Error(`demo seed: ${fn}.${String(event.action)} as ${openid} failed: ${JSON.stringify(r)}`);
    return r.data;
  }
  const pay = async (outTradeNo: string) => {
    await cloud.pay.confirm(outTradeNo);
  };

  const back = DAY;
  cloud.clock.advance(-back);
  try {
    // people
    for (const u of DEMO_USERS) {
      const referrer = u.openid === 'demo_bob' ? { referrerUserNo: (await call('user', 'demo_alice', { action: 'login' })).userNo } : {};
      await call('user', u.openid, { action: 'login', ...referrer });
      await call('user', u.openid, { action: 'updateProfile', nickname: u.nickname });
    }
    const { addAdminRecord } = await import('../server/config');
    await addAdminRecord('demo_admin', 'demo');

    // merchants: apply, approve, buy the deposit from the treasury, fill the catalogue
    const shops = [
      {
        owner: 'demo_m_noodle', name: '老王拉面', category: '餐饮美食', address: '东莞市松山湖大学路 8 号', subMchId: '1230000101',
        description: '手工拉面，牛骨熬汤十二小时。', deposit: '300',
        products: [['招牌牛肉面', 1800, 200], ['酸辣粉', 1200, 150], ['卤蛋', 300, 500], ['凉拌黄瓜', 800, 100]] as const,
      },
      {
        owner: 'demo_m_fruit', name: '鲜果坊', category: '生鲜果蔬', address: '东莞市南城区鸿福路 66 号', subMchId: '1230000102',
        description: '每日产地直送的新鲜水果。', deposit: '260',
        products: [['赣南脐橙 5斤', 3990, 80], ['阳光玫瑰葡萄 2斤', 5990, 40], ['海南香蕉 3斤', 1590, 120]] as const,
      },
      {
        owner: 'demo_m_tech', name: '数码小铺', category: '数码家电', address: '东莞市东城区东纵路 208 号', subMchId: '1230000103',
        description: '手机配件、耳机、充电设备。', deposit: '400',
        products: [['手机壳', 2900, 300], ['快充充电器 20W', 5900, 100], ['蓝牙耳机', 19900, 30]] as const,
      },
    ];
    const merchantIds: Record<string, string> = {};
    const productIds: Record<string, string> = {};
    for (const s of shops) {
      const m = await call('merchant', s.owner, {
        action: 'apply', requestId: rid('apply'), name: s.name, category: s.category, address: s.address,
        contact: '0769-2200 0000', licenseImage: await demoImage(cloud, `license-${s.subMchId}`, `营业执照 · ${s.name}`, '#8c8c8c'),
        subMchId: s.subMchId, description: s.description,
      });
      merchantIds[s.owner] = m.id;
      await call('admin', 'demo_admin', { action: 'approveMerchant', merchantId: m.id });
      // the treasury sells only up to the deposit value (SPEC §6.3): the demo's stores hold a little more, so the
      // admin sets the value to what this store buys, and puts it back after the last store (all audited)
      await call('admin', 'demo_admin', { action: 'setParam', name: 'merchantDepositValueFen', value: Number(s.deposit) * 200, reason: '演示数据' });
      const d = await call('merchant', s.owner, { action: 'buyDeposit', points: s.deposit, requestId: rid('deposit') });
      await pay(d.pay.outTradeNo);
      for (const [title, priceFen, stock] of s.products) {
        const images = [await demoImage(cloud, `product-${Object.keys(productIds).length + 1}`, title, '#07c160')];
        const p = await call('merchant', s.owner, { action: 'saveProduct', requestId: rid('product'), title, priceFen, stock, images, description: title });
        productIds[title] = p.id;
      }
    }
    await call('admin', 'demo_admin', { action: 'setParam', name: 'merchantDepositValueFen', value: 50000, reason: '演示数据：恢复' });
    await call('merchant', 'demo_m_new', {
      action: 'apply', requestId: rid('apply'), name: '杰哥咖啡', category: '餐饮美食', address: '东莞市松山湖创新路 1 号',
      contact: '13900000000', licenseImage: await demoImage(cloud, 'license-1230000104', '营业执照 · 杰哥咖啡', '#8c8c8c'),
      subMchId: '1230000104', description: '精品手冲咖啡',
    });

    // history: the seed's example, a goods order received, a goods order shipped
    const instore = await call('order', 'demo_alice', { action: 'create', requestId: rid('order'), merchantId: merchantIds.demo_m_noodle, amountFen: 100000 });
    await pay(instore.pay.outTradeNo);
    const fruit = await call('order', 'demo_alice', { action: 'create', requestId: rid('order'), merchantId: merchantIds.demo_m_fruit, items: [{ productId: productIds['赣南脐橙 5斤'], quantity: 2 }] });
    await pay(fruit.pay.outTradeNo);
    await call('merchant', 'demo_m_fruit', { action: 'ship', orderId: fruit.order.id, trackingNo: 'SF1234567890' });
    await call('order', 'demo_alice', { action: 'confirm', orderId: fruit.order.id });
    const bowl = await call('order', 'demo_bob', { action: 'create', requestId: rid('order'), merchantId: merchantIds.demo_m_noodle, amountFen: 3600 });
    await pay(bowl.pay.outTradeNo);
    const phone = await call('order', 'demo_bob', { action: 'create', requestId: rid('order'), merchantId: merchantIds.demo_m_tech, amountFen: 300000 });
    await pay(phone.pay.outTradeNo);
  } finally {
    cloud.clock.advance(back);
  }
  // the days since: the release catches up (one day at a time), if it exists yet
  if (cloud.hasFunction('release')) {
    try {
      await cloud.invoke('release', { Type: 'timer', TriggerName: 'daily-release', Time: new Date(cloud.clock.now()).toISOString() }, { SOURCE: 'wx_trigger' });
    } catch (e) {
      cloud.log(`[demo] release catch-up failed: ${(e as Error)?.message ?? e}`);
    }
  }
  // today: an order on its way, an unpaid one
  const merchants = (await call('merchant', 'demo_bob', { action: 'list', category: '数码家电' })).items as { id: string }[];
  const tech = merchants[0].id;
  const detail = await call('merchant', 'demo_bob', { action: 'get', merchantId: tech });
  const caseId = detail.products.find((p: any) => p.title === '手机壳').id;
  const phoneCase = await call('order', 'demo_bob', { action: 'create', requestId: rid('order'), merchantId: tech, items: [{ productId: caseId, quantity: 1 }] });
  await pay(phoneCase.pay.outTradeNo);
  await call('merchant', 'demo_m_tech', { action: 'ship', orderId: phoneCase.order.id, trackingNo: 'YT9876543210' });
  const charger = detail.products.find((p: any) => p.title === '快充充电器 20W').id;
  await call('order', 'demo_bob', { action: 'create', requestId: rid('order'), merchantId: tech, items: [{ productId: charger, quantity: 1 }] });
  // a market with something in it: 小爱 offers part of her released points above the guide price
  if (cloud.hasFunction('market')) {
    const alice = await call('user', 'demo_alice', { action: 'assets' });
    if (dec(alice.available).gte(40)) {
      await call('market', 'demo_alice', { action: 'setPaymentDetails', accountText: '微信号 xiaoai_demo（小爱）' });
      await call('market', 'demo_alice', { action: 'place', side: 'sell', priceFen: 210, quantity: '30.00', requestId: rid('sell') });
    }
  }
  return DEMO_USERS.map((u) => ({ ...u }));
}
