export default definePageConfig({ navigationBarTitleText: '参数与审计' })
