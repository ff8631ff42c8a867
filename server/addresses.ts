/**
 * The address book (issue 15): a user's delivery addresses, at most MAX_ADDRESSES, in one document per user
 * (`addresses/<openid>`), so reading the book is one read and saving is one small transaction on the user's
 * own document (no other request writes it).
 *
 * An order keeps a copy of the address it was sent to: editing or deleting an entry later never changes
 * where an order went.
 */
import type { SavedAddress } from '../shared/api';
import { DomainError } from '../shared/errors';
import { normalizeAddress } from '../shared/fulfilment';
import { now } from './clock';
import { getDb, readDoc, runTx, writeDoc } from './db';
import { requireUser } from './users';
import { Payload, id as idOf, optBool, optId } from './validate';
import { randomBytes } from 'crypto';

export const ADDRESSES_COLL = 'addresses';
export const MAX_ADDRESSES = 20;

interface AddressBookDoc {
  _id: string;
  openid: string;
  items: SavedAddress[];
  updatedAt: number;
}

/** The default first, then the most recently used/edited. */
function ordered(items: SavedAddress[]): SavedAddress[] {
  return [...items].sort((a, b) => (a.isDefault === b.isDefault ? b.updatedAt - a.updatedAt : a.isDefault ? -1 : 1));
}

export async function listAddresses(openid: string): Promise<{ items: SavedAddress[] }> {
  await requireUser(openid);
  const doc = await readDoc<AddressBookDoc>(getDb(), ADDRESSES_COLL, openid);
  return { items: ordered(doc?.items ?? []) };
}

export async function saveAddress(openid: string, p: Payload): Promise<{ items: SavedAddress[]; saved: SavedAddress }> {
  const a = normalizeAddress(p);
  if (!a.ok) throw new DomainError('INVALID_INPUT', a.message);
  const id = optId(p, 'id', '地址') ?? null;
  const makeDefault = optBool(p, 'isDefault', '默认地址');
  await requireUser(openid);
  return runTx(async (tx) => {
    const doc = (await readDoc<AddressBookDoc>(tx, ADDRESSES_COLL, openid)) ?? { _id: openid, openid, items: [], updatedAt: 0 };
    const at = now();
    let items = doc.items;
    let saved: SavedAddress;
    if (id) {
      const old = items.find((x) => x.id === id);
      if (!old) throw new DomainError('ADDRESS_NOT_FOUND', '地址不存在');
      saved = { ...old, ...a.address, isDefault: makeDefault ?? old.isDefault, updatedAt: at };
      items = items.map((x) => (x.id === id ? saved : x));
    } else {
      // the same address again (e.g. picked from WeChat at every checkout) is one entry, freshened
      const same = items.find((x) => x.name === a.address.name && x.phone === a.address.phone && x.region === a.address.region && x.detail === a.address.detail);
      if (same) {
        saved = { ...same, isDefault: makeDefault ?? same.isDefault, updatedAt: at };
        items = items.map((x) => (x.id === same.id ? saved : x));
      } else {
        if (items.length >= MAX_ADDRESSES) throw new DomainError('ADDRESS_BOOK_FULL', `最多保存 ${MAX_ADDRESSES} 个地址，请先删除不用的地址`);
        saved = { id: `a${at.toString(36)}${randomBytes(3).toString('hex')}`, ...a.address, isDefault: makeDefault ?? items.length === 0, updatedAt: at };
        items = [...items, saved];
      }
    }
    if (saved.isDefault) items = items.map((x) => (x.id === saved.id ? x : { ...x, isDefault: false }));
    await writeDoc(tx, ADDRESSES_COLL, openid, { ...doc, items, updatedAt: at });
    return { items: ordered(items), saved };
  });
}

export async function deleteAddress(openid: string, p: Payload): Promise<{ items: SavedAddress[] }> {
  const id = idOf(p, 'id', '地址');
  await requireUser(openid);
  return runTx(async (tx) => {
    const doc = await readDoc<AddressBookDoc>(tx, ADDRESSES_COLL, openid);
    if (!doc || !doc.items.some((x) => x.id === id)) throw new DomainError('ADDRESS_NOT_FOUND', '地址不存在');
    const removed = doc.items.find((x) => x.id === id)!;
    let items = doc.items.filter((x) => x.id !== id);
    // the book keeps a default while it has addresses
    if (removed.isDefault && items.length) {
      const next = ordered(items)[0];
      items = items.map((x) => (x.id === next.id ? { ...x, isDefault: true } : x));
    }
    await writeDoc(tx, ADDRESSES_COLL, openid, { ...doc, items, updatedAt: now() });
    return { items: ordered(items) };
  });
}

export const addressActions = {
  async addresses(_p: Payload, caller: { openid: string }) {
    return listAddresses(caller.openid);
  },
  async saveAddress(p: Payload, caller: { openid: string }) {
    return saveAddress(caller.openid, p);
  },
  async deleteAddress(p: Payload, caller: { openid: string }) {
    return deleteAddress(caller.openid, p);
  },
};
