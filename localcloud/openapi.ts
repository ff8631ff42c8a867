/**
 * cloud.openapi, locally:
 * - subscribeMessage.send({ touser, templateId, page, data, miniprogramState, lang }) is validated as WeChat
 *   validates it (required fields, data as { key: { value } }, value limits by key type, e.g. thing ≤ 20
 *   characters) and recorded (GET /__local/messages) instead of sent. WeChat also refuses a message the user
 *   did not subscribe to (43101); the local runtime does not track subscriptions.
 * - wxacode.getUnlimited({ scene, page, width, ... }) renders a local stand-in for the mini-program code: an SVG
 *   that shows the scene and page (contentType 'image/svg+xml'; the cloud returns image/png).
 */
import type { LocalCloud } from './runtime';
import { CloudError } from './errors';
import { currentInvocation } from './context';
import { renderWxacodeSvg } from './wxacode';

export interface SentMessage {
  seq: number;
  at: number;
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogramState?: string;
  lang?: string;
  fromFunction?: string;
}

const LIMITS: Array<[RegExp, number, string]> = [
  [/^thing\d+$/, 20, 'thing'],
  [/^name\d+$/, 10, 'name'],
  [/^phrase\d+$/, 5, 'phrase'],
  [/^character_string\d+$/, 32, 'character_string'],
  [/^number\d+$/, 32, 'number'],
  [/^letter\d+$/, 32, 'letter'],
  [/^symbol\d+$/, 5, 'symbol'],
  [/^phone_number\d+$/, 17, 'phone_number'],
  [/^car_number\d+$/, 8, 'car_number'],
  [/^amount\d+$/, 32, 'amount'],
  [/^time\d+$/, 64, 'time'],
  [/^date\d+$/, 64, 'date'],
];

function apiError(api: string, errCode: number, msg: string): CloudError {
  return new CloudError('OPENAPI_ERROR', errCode, `${api}:fail ${errCode} ${msg}`);
}

export class OpenApi {
  private seq = 0;
  constructor(private cloud: LocalCloud) {
    this.seq = cloud.engine.store.messages().length;
  }

  messages(): SentMessage[] {
    return this.cloud.engine.store.messages() as unknown as SentMessage[];
  }

  async sendSubscribeMessage(p: Record<string, unknown>) {
    const api = 'openapi.subscribeMessage.send';
    if (!p || typeof p !== 'object') throw apiError(api, 47001, 'data format error');
    if (typeof p.touser !== 'string' || !p.touser) throw apiError(api, 40003, 'invalid openid (touser)');
    if (typeof p.templateId !== 'string' || !p.templateId) throw apiError(api, 40037, 'invalid template_id');
    if (p.miniprogramState !== undefined && !['developer', 'trial', 'formal'].includes(String(p.miniprogramState))) {
      throw apiError(api, 47003, 'argument invalid! miniprogramState');
    }
    const data = p.data as Record<string, unknown>;
    if (!data || typeof data !== 'object') throw apiError(api, 47003, 'argument invalid! data');
    for (const [k, v] of Object.entries(data)) {
      const value = (v as { value?: unknown })?.value;
      if (typeof value !== 'string' && typeof value !== 'number') throw apiError(api, 47003, `argument invalid! data.${k}.value invalid`);
      const rule = LIMITS.find(([re]) => re.test(k));
      if (rule && [...String(value)].length > rule[1]) {
        throw apiError(api, 47003, `argument invalid! data.${k}.value invalid (${rule[2]} allows at most ${rule[1]} characters)`);
      }
      if (String(value).length === 0) throw apiError(api, 47003, `argument invalid! data.${k}.value empty`);
    }
    const m: SentMessage = {
      seq: ++this.seq,
      at: this.cloud.clock.now(),
      touser: p.touser,
      templateId: p.templateId,
      page: p.page === undefined ? undefined : String(p.page),
      data: data as SentMessage['data'],
      miniprogramState: p.miniprogramState as string | undefined,
      lang: p.lang as string | undefined,
      fromFunction: currentInvocation()?.functionName,
    };
    this.cloud.engine.store.messageAdd(m as unknown as Record<string, unknown>);
    return { errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' };
  }

  async getUnlimited(p: Record<string, unknown>) {
    const api = 'openapi.wxacode.getUnlimited';
    const scene = p?.scene;
    if (typeof scene !== 'string' || scene.length === 0) throw apiError(api, 40169, 'invalid length for scene');
    if (scene.length > 32) throw apiError(api, 40169, 'invalid length for scene, or the data is not json string (max 32 characters)');
    if (!/^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+$/.test(scene)) throw apiError(api, 40169, 'scene contains characters WeChat does not allow');
    const page = p.page === undefined ? undefined : String(p.page);
    if (page !== undefined && (page.startsWith('/') || page.length === 0)) throw apiError(api, 41030, 'invalid page rule: page must not start with /');
    const width = Math.max(280, Math.min(1280, Number(p.width ?? 430)));
    const svg = renderWxacodeSvg(scene, page ?? '', width);
    return { contentType: 'image/svg+xml', buffer: Buffer.from(svg, 'utf8'), errCode: 0, errMsg: `${api}:ok` };
  }
}
