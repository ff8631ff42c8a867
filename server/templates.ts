/**
 * Template ids of the subscribe messages (shared/templates.ts declares them). Each id is read from its
 * function environment variable by name, written out, so that the deployment check (deploy/deploy.test.ts)
 * sees every variable the functions read. Unset (the local cloud), the id is the template's key, which the
 * local runtime records as it is; `npm run deploy` refuses to deploy with any of them unset.
 */
import { TEMPLATES, TemplateKey } from '../shared/templates';

function read(key: TemplateKey): string | undefined {
  switch (key) {
    case 'releaseNotice':
      return process.env.TMPL_RELEASE_NOTICE;
    case 'tradePaid':
      return process.env.TMPL_MARKET_TRADE_PAID;
    case 'tradeCompleted':
      return process.env.TMPL_MARKET_TRADE_COMPLETED;
    case 'tradeCancelled':
      return process.env.TMPL_MARKET_TRADE_CANCELLED;
    case 'appealDecided':
      return process.env.TMPL_MARKET_APPEAL_DECIDED;
  }
}

export function templateId(key: TemplateKey): string {
  return read(key)?.trim() || TEMPLATES[key].key;
}
