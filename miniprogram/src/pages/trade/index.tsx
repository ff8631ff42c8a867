import Taro, { useRouter } from '@tarojs/taro'
import { View, Text, Image, Textarea } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../../components/PageShell'
import { QueryView } from '../../components/States'
import { call } from '../../services/cloud'
import type { Trade } from '../../services/types'
import { showError, useCountdown, useQuery } from '../../utils/hooks'
import { formatCountdown, formatDateTime, formatPoints, formatYuan } from '../../utils/format'
import { TRADE_STATUS } from '../../utils/labels'
import { appealWait, tradeSummary } from '../../utils/market'
import { pickImage } from '../../utils/upload'
import { px } from '../../utils/px'

export default function TradePage() {
  const { params } = useRouter()
  return (
    <PageShell>
      <TradeView id={decodeURIComponent(params.id || '')} />
    </PageShell>
  )
}

function TradeView({ id }: { id: string }) {
  const q = useQuery(() => call('market', 'trade', { tradeId: id }), [id])
  return <QueryView q={q}>{(t) => <TradeDetail t={t} onChange={(n) => q.setData(n)} reload={q.reload} />}</QueryView>
}

function TradeDetail({ t, onChange, reload }: { t: Trade; onChange: (t: Trade) => void; reload: () => void }) {
  const left = useCountdown(t.status === 'awaiting_payment' ? t.payDeadline : null)
  // 申诉 opens at appealableAt: until then the page says when, and offers no button that would only be refused
  const untilAppeal = useCountdown(t.status === 'paid' ? t.appealableAt : null)
  const [busy, setBusy] = useState('')
  const [appealing, setAppealing] = useState(false)
  const [reason, setReason] = useState('')
  const [proof, setProof] = useState<string | null>(null)
  const isBuyer = t.role === 'buyer'
  const who = `${t.counterpartNickname}（用户号 ${t.counterpartUserNo}）`
  const appealOpen = t.status === 'paid' && t.appealableAt !== null && untilAppeal <= 0

  const act = async (name: string, title: string, content: string, fn: () => Promise<Trade>, ok: string) => {
    const c = await Taro.showModal({ title, content, confirmText: '确定', cancelText: '取消' })
    if (!c.confirm) return
    setBusy(name)
    try {
      onChange(await fn())
      Taro.showToast({ title: ok, icon: 'success' })
    } catch (e) {
      showError(e)
      reload()
    } finally {
      setBusy('')
    }
  }
  const markPaid = () =>
    act('paid', '确认已付款', `${tradeSummary(t, 'buyer')}\n请确认您已向卖家 ${who} 支付 ${formatYuan(t.amountFen)}。未付款就标记已付款属于违规行为。`, () => call('market', 'markPaid', { tradeId: t.id }), '已标记付款')
  const confirm = () =>
    act('confirm', '确认收款并放行', `${tradeSummary(t, 'seller')}\n请确认您已收到付款人 ${who} 支付的 ${formatYuan(t.amountFen)}。确认后积分将转给买家，不能撤回。`, () => call('market', 'confirm', { tradeId: t.id }), '已放行')
  const cancel = () =>
    act('cancel', '取消交易', `${tradeSummary(t, 'buyer')}\n取消后积分退回卖家挂单。取消计入未付款次数：24 小时内 3 次将暂停买入 24 小时。`, () => call('market', 'cancelTrade', { tradeId: t.id }), '已取消')
  const pickProof = async () => {
    const url = await pickImage('appeal')
    if (url) setProof(url)
  }
  const addProof = async () => {
    const url = await pickImage('appeal')
    if (!url) return
    try {
      setBusy('proof')
      onChange(await call('market', 'addProof', { tradeId: t.id, proofImage: url }))
      Taro.showToast({ title: '已补充凭证', icon: 'success' })
    } catch (e) {
      showError(e)
    } finally {
      setBusy('')
    }
  }
  const appealBlocked = reason.trim().length < 4 ? '请写清申诉原因（至少 4 个字）' : !proof ? '请上传付款记录或聊天截图作为凭证' : ''
  const appeal = async () => {
    if (appealBlocked || !proof) return
    setBusy('appeal')
    try {
      onChange(await call('market', 'appeal', { tradeId: t.id, reason: reason.trim(), proofImage: proof }))
      setAppealing(false)
      Taro.showToast({ title: '已提交申诉', icon: 'success' })
    } catch (e) {
      showError(e)
    } finally {
      setBusy('')
    }
  }

  return (
    <View className='page trade-page'>
      <View className='card' style={{ background: t.status === 'completed' ? '#07c160' : '#fff', color: t.status === 'completed' ? '#fff' : undefined }}>
        <View className='flex-between'>
          <Text className='strong trade-status-text' style={{ fontSize: px(36) }}>{TRADE_STATUS[t.status]}</Text>
          <Text className={`tag ${isBuyer ? 'success' : 'danger'}`}>{isBuyer ? '我是买家' : '我是卖家'}</Text>
        </View>
        {t.status === 'awaiting_payment' && (
          <View className='mt'>
            <Text className='small'>{isBuyer ? '请在倒计时结束前付款并点击“我已付款”' : '等待买家付款'}：</Text>
            <Text className='orange strong trade-countdown' style={{ fontSize: px(40) }}>{left > 0 ? formatCountdown(left) : '已超时'}</Text>
            <View className='muted'>截止 {formatDateTime(t.payDeadline)}，超时交易自动取消，积分退回卖家挂单</View>
          </View>
        )}
        {t.status === 'paid' && (
          <View className='small mt'>
            {isBuyer ? '已通知卖家，等待卖家确认收款并放行积分。' : '买家已标记付款，请核实到账后确认放行。'}
            {appealWait(t.appealableAt, t.appealableAt !== null ? t.appealableAt - untilAppeal : 0, formatDateTime) && (
              <View className='muted appeal-wait'>{appealWait(t.appealableAt, t.appealableAt! - untilAppeal, formatDateTime)}</View>
            )}
          </View>
        )}
        {t.status === 'cancelled' && (
          <View className='small mt'>
            {t.cancelReason === 'buyer_cancelled' ? '买家已取消交易' : t.cancelReason === 'appeal_return' ? '申诉裁决退回卖家' : '买家超时未付款，交易已取消'}
            {t.cancelledAt ? `（${formatDateTime(t.cancelledAt)}）` : ''}，积分已退回卖家。
          </View>
        )}
        {t.status === 'completed' && <View className='small mt'>交易完成，{formatPoints(t.quantity)} 积分已转给买家。</View>}
      </View>

      <View className='card'>
        <View className='row'><Text className='label'>数量</Text><Text className='value strong'>{formatPoints(t.quantity)} 积分</Text></View>
        <View className='row'><Text className='label'>单价</Text><Text className='value'>{formatYuan(t.priceFen)} / 积分</Text></View>
        <View className='row'><Text className='label'>{isBuyer ? '应付金额' : '应收金额'}</Text><Text className='value price trade-amount'>{formatYuan(t.amountFen)}</Text></View>
        {!isBuyer && <View className='row'><Text className='label'>手续费（积分）</Text><Text className='value'>{formatPoints(t.fee)}</Text></View>}
        <View className='row'>
          <Text className='label'>{isBuyer ? '卖家' : '付款人（买家）'}</Text>
          <View className='value flex counterpart' style={{ gap: px(12), justifyContent: 'flex-end' }}>
            {t.counterpartAvatarUrl ? <Image src={t.counterpartAvatarUrl} mode='aspectFill' style={{ width: px(44), height: px(44), borderRadius: '50%' }} /> : null}
            <Text className='counterpart-name'>{t.counterpartNickname}</Text>
            <Text className='muted'>{t.counterpartUserNo}</Text>
          </View>
        </View>
        {!isBuyer && (t.status === 'paid' || t.status === 'awaiting_payment') && <View className='muted small'>请核对到账付款人是否为 {t.counterpartNickname}，金额是否为 {formatYuan(t.amountFen)}。</View>}
        <View className='row'><Text className='label'>成交时间</Text><Text className='value'>{formatDateTime(t.createdAt)}</Text></View>
        {t.paidAt && <View className='row'><Text className='label'>标记付款</Text><Text className='value'>{formatDateTime(t.paidAt)}</Text></View>}
        {t.completedAt && <View className='row'><Text className='label'>完成时间</Text><Text className='value'>{formatDateTime(t.completedAt)}</Text></View>}
      </View>

      {isBuyer && (t.status === 'awaiting_payment' || t.status === 'paid') && (
        <View className='card seller-payment'>
          <View className='card-title'>卖家收款方式</View>
          {!t.sellerPayment || (!t.sellerPayment.accountText && !t.sellerPayment.qrImageUrl) ? (
            <View className='muted'>卖家还没有设置收款方式，请通过申诉联系平台。</View>
          ) : (
            <View>
              {t.sellerPayment.accountText && <View className='strong seller-account' style={{ whiteSpace: 'pre-wrap' }}>{t.sellerPayment.accountText}</View>}
              {t.sellerPayment.qrImageUrl && <Image src={t.sellerPayment.qrImageUrl} mode='aspectFit' style={{ width: px(400), height: px(400), marginTop: px(16) }} />}
            </View>
          )}
          <View className='muted small mt'>请直接付款给卖家，平台不经手资金。付款时不要备注“积分”等字样。</View>
        </View>
      )}

      {t.appeal && (
        <View className='card appeal-info'>
          <View className='card-title'>申诉</View>
          <View className='small'>{t.appeal.by === 'buyer' ? '买家' : '卖家'}于 {formatDateTime(t.appeal.at)} 申诉：{t.appeal.reason}</View>
          {t.appeal.proofs.length > 0 && (
            <View className='flex proofs' style={{ gap: px(12), flexWrap: 'wrap', marginTop: px(12) }}>
              {t.appeal.proofs.map((p, i) => (
                <View key={i} className='center small'>
                  <Image src={p.imageUrl} mode='aspectFill' style={{ width: px(160), height: px(160), borderRadius: px(8) }} onClick={() => Taro.previewImage({ urls: [p.imageUrl] })} />
                  <View className='muted'>{p.by === t.role ? '我的凭证' : '对方凭证'}</View>
                </View>
              ))}
            </View>
          )}
          {t.appeal.decision ? (
            <View className='small mt'>
              平台裁决：<Text className='strong'>{t.appeal.decision === 'release' ? '积分放行给买家' : '积分退回卖家'}</Text>
              {t.appeal.decisionReason ? `（${t.appeal.decisionReason}）` : ''}
            </View>
          ) : (
            <View className='mt'>
              <View className='muted'>平台处理中，请耐心等待。双方都可以补充凭证（每方最多 3 张）。</View>
              <Button className='btn-block add-proof' size='small' loading={busy === 'proof'} onClick={addProof}>补充凭证截图</Button>
            </View>
          )}
        </View>
      )}

      <View className='pad'>
        {isBuyer && t.status === 'awaiting_payment' && left > 0 && (
          <Button className='btn-block mark-paid' type='primary' block size='large' loading={busy === 'paid'} onClick={markPaid}>我已付款</Button>
        )}
        {isBuyer && t.status === 'awaiting_payment' && left > 0 && (
          <Button className='btn-block cancel-trade' block loading={busy === 'cancel'} onClick={cancel}>取消交易（未付款）</Button>
        )}
        {!isBuyer && (t.status === 'paid' || t.status === 'awaiting_payment') && (
          <Button className='btn-block confirm-release' type='primary' block size='large' loading={busy === 'confirm'} onClick={confirm}>我已收到款项，放行积分</Button>
        )}
        {appealOpen && !appealing && (
          <Button className='btn-block open-appeal' block onClick={() => setAppealing(true)}>申诉</Button>
        )}
        {appealing && (
          <View className='card' style={{ margin: `${px(20)} 0` }}>
            <View className='field-label'>申诉原因</View>
            <Textarea className='textarea appeal-reason' placeholder='例如：已付款但卖家一直不放行 / 没有收到买家付款' value={reason} onInput={(e) => setReason(e.detail.value)} />
            <View className='field-label mt'>凭证截图（必填）</View>
            {proof && <Image src={proof} mode='aspectFill' style={{ width: px(200), height: px(200), borderRadius: px(8) }} />}
            <Button size='small' className='pick-proof' onClick={pickProof}>{proof ? '更换截图' : '上传付款记录 / 聊天截图'}</Button>
            {appealBlocked && <View className='disabled-reason'>{appealBlocked}</View>}
            <View className='btn-row'>
              <Button onClick={() => setAppealing(false)}>取消</Button>
              <Button type='primary' className='submit-appeal' disabled={!!appealBlocked} loading={busy === 'appeal'} onClick={appeal}>提交申诉</Button>
            </View>
          </View>
        )}
      </View>
    </View>
  )
}
