/**
 * The collections of the deployment: every collection of localcloud/indexes.json (the local runtime refuses
 * any other, as the cloud refuses a collection never created), its indexes, and its security rule.
 *
 * Security rule: the app never reads or writes the database directly — every read and write goes through a
 * cloud function, which is the administrator and bypasses the rules — so every collection is ADMINONLY
 * ("仅管理端可读写"; the simple permission of ModifyDatabaseACL, same as the custom rule
 * {"read": false, "write": false}).
 */
import * as fs from 'fs';
import * as path from 'path';

export type IndexSpec = string | string[] | { keys: string[]; unique?: boolean };

export interface IndexDecl {
  /** The index's name in the cloud: the fields joined by `_` (the console shows it). */
  name: string;
  keys: string[];
  unique: boolean;
}

export interface CollectionDecl {
  name: string;
  indexes: IndexDecl[];
  rule: 'ADMINONLY';
}

export const SECURITY_RULE = 'ADMINONLY' as const;
/** The same rule written as a custom security rule (for the console's 自定义安全规则 editor). */
export const SECURITY_RULE_JSON = { read: false, write: false };

/**
 * The cloud storage rule (one per bucket). Unlike the database, the app does use storage directly: it uploads
 * images (Taro.cloud.uploadFile: product images, payment-detail QR codes under payment-qr/<openid>/, the
 * business licence) and shows cloud:// images. So: a logged-in user may read (a buyer sees the seller's QR
 * code), and only a file's creator may write or delete it. Which file a user may *use* (e.g. a QR code only from
 * their own folder) is checked by the functions (shared/uploads.ts).
 */
export const STORAGE_RULE = { acl: 'CUSTOM' as const, rule: { read: 'auth != null', write: 'resource.openid == auth.openid' } };

/**
 * Collections that stay small by construction, so a query on them may sort or filter without an index (the
 * check in deploy/deploy.test.ts accepts them): why each is bounded.
 */
export const BOUNDED_COLLECTIONS: Record<string, string> = {
  admins: 'the administrators: a handful of documents',
  config: 'a few configuration documents (params, guide price, bootstrap)',
  release: 'the release state and cursors: a few documents',
};

/**
 * Fields that single out one user, merchant or holder: a query filtering on one of them must be served by an
 * index that uses it (an index on `status` alone would read every document of that status — every user's).
 */
export const SELECTIVE_FIELDS = ['owners', 'openid', 'buyer', 'seller', 'parties', 'buyerOpenid', 'merchantId', 'ownerOpenid', 'holderId'];

export function indexDecl(spec: IndexSpec): IndexDecl {
  const keys = typeof spec === 'string' ? [spec] : Array.isArray(spec) ? spec : spec.keys;
  const unique = typeof spec === 'object' && !Array.isArray(spec) ? !!spec.unique : false;
  return { name: keys.join('_').replace(/\./g, '_'), keys: [...keys], unique };
}

export function readCollections(root: string): CollectionDecl[] {
  const raw = JSON.parse(fs.readFileSync(path.join(root, 'localcloud', 'indexes.json'), 'utf8')) as Record<string, unknown>;
  return Object.entries(raw)
    .filter(([k]) => !k.startsWith('$'))
    .map(([name, specs]) => ({ name, indexes: (specs as IndexSpec[]).map(indexDecl), rule: SECURITY_RULE }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
