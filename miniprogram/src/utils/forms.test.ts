import { checkApplication } from './forms'

describe('checkApplication: every field at once', () => {
  const cats = ['餐饮美食', '生鲜果蔬']
  it('an empty form lists every missing field, not one per dialog', () => {
    expect(checkApplication({ name: '', category: '', address: '', contact: '', licenseImage: '', subMchId: '' }, cats)).toEqual({
      name: '请填写店铺名称',
      category: '请选择经营类目',
      address: '请填写门店地址',
      contact: '请填写联系方式',
      licenseImage: '请上传营业执照照片',
      subMchId: '请填写微信支付子商户号',
    })
  })
  it('bad values, each with its reason', () => {
    expect(checkApplication({ name: '甲', category: '杂货', address: '东莞', contact: '123', licenseImage: 'x', subMchId: '12ab' }, cats)).toEqual({
      name: '店铺名称为 2 到 30 个字',
      category: '经营类目请从上面选择：餐饮美食、生鲜果蔬',
      address: '地址为 4 到 100 个字',
      contact: '联系方式为 5 到 40 个字（电话或微信号）',
      subMchId: '子商户号是 8 到 12 位数字',
    })
  })
  it('a good form has no errors', () => {
    expect(checkApplication({ name: '街角咖啡', category: '餐饮美食', address: '东莞市大学路 1 号', contact: '13800000000', licenseImage: '/files/a.png', subMchId: '1230000199' }, cats)).toEqual({})
  })
})
