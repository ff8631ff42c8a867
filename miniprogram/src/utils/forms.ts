/**
 * The merchant application checked field by field, with the backend's rules (server/merchants.ts
 * readApplication), so every field's problem is shown beside it at once instead of one per dialog.
 */
export interface ApplicationFields {
  name: string
  category: string
  address: string
  contact: string
  licenseImage: string
  subMchId: string
  description?: string
}

export type FieldErrors<T> = Partial<Record<keyof T, string>>

const len = (s: string | undefined) => [...(s ?? '').trim()].length

export function checkApplication(f: ApplicationFields, categories: string[]): FieldErrors<ApplicationFields> {
  const e: FieldErrors<ApplicationFields> = {}
  if (len(f.name) === 0) e.name = '请填写店铺名称'
  else if (len(f.name) < 2 || len(f.name) > 30) e.name = '店铺名称为 2 到 30 个字'
  if (len(f.category) === 0) e.category = '请选择经营类目'
  else if (categories.length && !categories.includes(f.category.trim())) e.category = `经营类目请从上面选择：${categories.join('、')}`
  if (len(f.address) === 0) e.address = '请填写门店地址'
  else if (len(f.address) < 4 || len(f.address) > 100) e.address = '地址为 4 到 100 个字'
  if (len(f.contact) === 0) e.contact = '请填写联系方式'
  else if (len(f.contact) < 5 || len(f.contact) > 40) e.contact = '联系方式为 5 到 40 个字（电话或微信号）'
  if (!f.licenseImage) e.licenseImage = '请上传营业执照照片'
  if (len(f.subMchId) === 0) e.subMchId = '请填写微信支付子商户号'
  else if (!/^\d{8,12}$/.test(f.subMchId.trim())) e.subMchId = '子商户号是 8 到 12 位数字'
  if (len(f.description) > 500) e.description = '店铺介绍不超过 500 字'
  return e
}
