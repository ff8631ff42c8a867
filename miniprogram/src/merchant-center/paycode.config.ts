export default definePageConfig({ navigationBarTitleText: '到店收款码' })
