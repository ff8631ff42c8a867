/**
 * Cloud storage, locally: files under <dataDir>/files/<cloudPath>, served by the gateway at /files/<cloudPath>.
 * fileID has the cloud's shape: cloud://<env>.<bucket>/<cloudPath>.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LocalCloud } from './runtime';
import { CloudError } from './errors';

export class FileStorage {
  readonly root: string;
  constructor(private cloud: LocalCloud) {
    this.root = path.join(cloud.dataDir, 'files');
  }

  get bucket(): string {
    return `${this.cloud.env}.local-bucket`;
  }

  fileIdOf(cloudPath: string): string {
    return `cloud://${this.bucket}/${cloudPath}`;
  }

  /** cloudPath of a fileID (or null when it is not one of ours). */
  pathOf(fileID: string): string | null {
    const prefix = `cloud://${this.bucket}/`;
    if (typeof fileID !== 'string' || !fileID.startsWith(prefix)) return null;
    return fileID.slice(prefix.length);
  }

  /** Absolute path on disk for a cloudPath; refuses escapes out of the files folder. */
  diskPath(cloudPath: string): string {
    const clean = cloudPath.replace(/^\/+/, '');
    if (!clean || clean.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new CloudError('INVALID_PARAM', -1, `invalid cloudPath ${JSON.stringify(cloudPath)}`);
    }
    const p = path.resolve(this.root, clean);
    if (!p.startsWith(this.root + path.sep)) throw new CloudError('INVALID_PARAM', -1, `invalid cloudPath ${JSON.stringify(cloudPath)}`);
    return p;
  }

  async uploadFile(p: { cloudPath: string; fileContent: Buffer | Uint8Array | string | NodeJS.ReadableStream }) {
    if (!p || typeof p.cloudPath !== 'string') throw new CloudError('INVALID_PARAM', -1, 'uploadFile:fail cloudPath is required');
    const file = this.diskPath(p.cloudPath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let buf: Buffer;
    const c = p.fileContent as unknown;
    if (Buffer.isBuffer(c)) buf = c;
    else if (c instanceof Uint8Array) buf = Buffer.from(c);
    else if (typeof c === 'string') buf = Buffer.from(c);
    else if (c && typeof (c as NodeJS.ReadableStream).on === 'function') {
      const chunks: Buffer[] = [];
      for await (const chunk of c as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      buf = Buffer.concat(chunks);
    } else throw new CloudError('INVALID_PARAM', -1, 'uploadFile:fail fileContent must be a Buffer or a stream');
    const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, file);
    return { fileID: this.fileIdOf(p.cloudPath.replace(/^\/+/, '')), statusCode: 200, errMsg: 'uploadFile:ok' };
  }

  urlOf(cloudPath: string): string {
    return `${this.cloud.baseUrl}/files/${cloudPath.split('/').map(encodeURIComponent).join('/')}`;
  }

  async getTempFileURL(p: { fileList: Array<string | { fileID: string; maxAge?: number }> }) {
    if (!p || !Array.isArray(p.fileList)) throw new CloudError('INVALID_PARAM', -1, 'getTempFileURL:fail fileList must be an array');
    const fileList = p.fileList.map((f) => {
      const fileID = typeof f === 'string' ? f : f.fileID;
      const maxAge = typeof f === 'string' ? 86400 : f.maxAge ?? 86400;
      const cp = this.pathOf(fileID);
      if (cp === null || !fs.existsSync(this.diskPath(cp))) return { fileID, tempFileURL: '', maxAge, status: -1, errMsg: 'STORAGE_FILE_NONEXIST' };
      return { fileID, tempFileURL: this.urlOf(cp), maxAge, status: 0, errMsg: 'ok' };
    });
    return { fileList, errMsg: 'getTempFileURL:ok' };
  }

  async deleteFile(p: { fileList: string[] }) {
    if (!p || !Array.isArray(p.fileList)) throw new CloudError('INVALID_PARAM', -1, 'deleteFile:fail fileList must be an array');
    const fileList = p.fileList.map((fileID) => {
      const cp = this.pathOf(fileID);
      if (cp === null) return { fileID, status: -1, errMsg: 'STORAGE_FILE_NONEXIST' };
      const d = this.diskPath(cp);
      if (!fs.existsSync(d)) return { fileID, status: -1, errMsg: 'STORAGE_FILE_NONEXIST' };
      fs.unlinkSync(d);
      return { fileID, status: 0, errMsg: 'ok' };
    });
    return { fileList, errMsg: 'deleteFile:ok' };
  }

  async downloadFile(p: { fileID: string }) {
    const cp = this.pathOf(p?.fileID);
    if (cp === null) throw new CloudError('STORAGE_FILE_NONEXIST', -1, `downloadFile:fail file ${p?.fileID} does not exist`);
    const d = this.diskPath(cp);
    if (!fs.existsSync(d)) throw new CloudError('STORAGE_FILE_NONEXIST', -1, `downloadFile:fail file ${p.fileID} does not exist`);
    return { fileContent: fs.readFileSync(d), statusCode: 200, errMsg: 'downloadFile:ok' };
  }
}
