import { addressFromWechat, allowedModes, needsShipping, normalizeAddress, normalizeModes, parsePickupScan, pickupCodeOf, pickupScanText, settlesOnPayment } from './fulfilment';

describe('fulfilment rules', () => {
  test('modes: canonical order, no duplicates, a product narrows the store', () => {
    expect(normalizeModes(['dinein', 'delivery'])).toEqual(['delivery', 'dinein']);
    expect(normalizeModes([])).toBeNull();
    expect(normalizeModes(['pickup', 'pickup'])).toBeNull();
    expect(normalizeModes('pickup')).toBeNull();
    expect(allowedModes(undefined, [])).toEqual(['delivery']); // a store that never chose: shipping, as before
    expect(allowedModes(['delivery', 'pickup', 'dinein'], [undefined, ['pickup', 'dinein'], []])).toEqual(['pickup', 'dinein']);
    expect(allowedModes(['delivery'], [['dinein']])).toEqual([]);
  });

  test('which orders settle at payment and which are shipped', () => {
    expect(settlesOnPayment('instore', null)).toBe(true);
    expect(settlesOnPayment('goods', 'dinein')).toBe(true);
    expect(settlesOnPayment('goods', 'pickup')).toBe(false);
    expect(settlesOnPayment('goods', 'delivery')).toBe(false);
    expect(needsShipping('goods', 'delivery')).toBe(true);
    expect(needsShipping('goods', null)).toBe(true); // orders from before modes existed
    expect(needsShipping('goods', 'pickup')).toBe(false);
    expect(needsShipping('instore', null)).toBe(false);
  });

  test('pickup codes: six digits; a scan carries the order id', () => {
    expect(pickupCodeOf(42)).toBe('000042');
    expect(pickupCodeOf(999999)).toBe('999999');
    expect(parsePickupScan(' 004242 ')).toEqual({ orderId: null, code: '004242' });
    expect(parsePickupScan(pickupScanText('O123abc', '004242'))).toEqual({ orderId: 'O123abc', code: '004242' });
    expect(parsePickupScan('pickup:O1:42')).toBeNull();
    expect(parsePickupScan('hello')).toBeNull();
  });

  test('addresses: trimmed and checked; WeChat picker results map to ours', () => {
    const w = addressFromWechat({ userName: '张三', telNumber: '020-81167888', provinceName: '广东省', cityName: '广州市', countyName: '海珠区', detailInfo: '新港中路397号' });
    expect(w).toEqual({ name: '张三', phone: '020-81167888', region: '广东省 广州市 海珠区', detail: '新港中路397号' });
    expect(normalizeAddress(w)).toEqual({ ok: true, address: w });
    expect(normalizeAddress({ ...w, name: '  ' })).toEqual({ ok: false, message: '收货人姓名为 1 到 20 个字' });
    expect(normalizeAddress({ ...w, phone: '12' })).toEqual({ ok: false, message: '请填写正确的联系电话' });
    expect(normalizeAddress({ ...w, detail: 'x' })).toEqual({ ok: false, message: '详细地址为 2 到 120 个字' });
    expect(normalizeAddress(null)).toEqual({ ok: false, message: '请填写收货地址' });
  });
});
