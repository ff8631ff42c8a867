export default definePageConfig({ navigationBarTitleText: '店铺积分' })
