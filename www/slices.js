// One site's contracts as the page holds them: the payor list, and one ContractBook into
// which each chosen payor's slice is merged when first needed (GET …/$snapshot?payor=bup:
// that payor, the slf and na fallbacks, self-pay lists, practitioners, the sets and tariffs
// that can apply). Per payor it remembers the slice's ETag and its `slice.lastUpdated`, so a
// refresh after a write asks only for what changed since (`_lastUpdated=gt…`, If-None-Match;
// 304 means nothing did). An API without slices (it refuses `payor` with a 4xx, or answers
// the whole site) is read whole instead, and refreshed whole.
import { ApiError, loadPayors, loadSlice } from './api.js';

/** The payors every slice carries: pricing falls back to them. */
export const FALLBACK_PAYORS = ['slf', 'na'];

const refusedSlices = (err) => err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403;

export class SiteSlices {
  /**
   * `session` an ApiSession (token, bookmark); `ContractBook` the npm package's class (the
   * page passes the browser build, tests the Node build).
   */
  constructor(session, site, ContractBook) {
    this.session = session;
    this.site = site;
    this.ContractBook = ContractBook;
    /** The ContractBook holding every slice loaded so far (replaced when read whole). */
    this.book = ContractBook.empty(site);
    /** The site's payors ({ payor, type, display, contract }), once loadPayors() ran. */
    this.payors = [];
    /** Whether the whole site is loaded (an API without slices). */
    this.whole = false;
    this.wholeTag = null; // the whole site's { etag, version }
    this.tags = new Map(); // payor -> { etag, version, lastUpdated } of the slice that carried it
    this.pending = new Map(); // payor -> the load under way
    this.asked = []; // the payors whose slices were asked for, in order
  }

  /** Loads the payor list (every page). */
  async loadPayors() {
    this.payors = await loadPayors(this.session, this.site);
    return this.payors;
  }

  /** Whether pricing for `payor` can run on the book now. */
  has(payor) {
    return this.whole || this.tags.has(payor);
  }

  /** The payors whose slices the book holds, in the order they were loaded. */
  loaded() {
    return this.whole ? [] : [...this.asked];
  }

  /** The version (ETag text) of what priced `payor`. */
  version(payor) {
    return this.whole ? this.wholeTag?.version ?? '' : this.tags.get(payor)?.version ?? '';
  }

  /** Loads `payor`'s slice into the book unless it is there. Resolves to whether it loaded. */
  load(payor) {
    if (this.has(payor)) return Promise.resolve(false);
    if (!this.pending.has(payor)) {
      const loading = this.fetchSlice(payor).finally(() => this.pending.delete(payor));
      this.pending.set(payor, loading);
    }
    return this.pending.get(payor).then(() => true);
  }

  /**
   * Brings `payor`'s slice up to date in place (after a write): only what changed since its
   * `lastUpdated`, If-None-Match its ETag. Resolves to whether anything changed.
   */
  async refresh(payor) {
    await this.pending.get(payor);
    if (this.whole) return this.loadWhole();
    const tag = this.tags.get(payor);
    if (!tag) return this.load(payor);
    return this.fetchSlice(payor, tag);
  }

  /** Frees the wasm book. */
  free() {
    this.book?.free();
    this.book = null;
  }

  async fetchSlice(payor, since = null) {
    let answer;
    try {
      answer = await loadSlice(this.session, this.site, { payor, since: since?.lastUpdated, etag: since?.etag });
    } catch (err) {
      if (refusedSlices(err)) return this.loadWhole();
      throw err;
    }
    if (answer.notModified || !this.book) return false; // freed meanwhile: another site is shown
    const slice = JSON.parse(answer.text).slice;
    if (!slice) {
      // The whole site, from an API that ignores `payor`.
      this.replaceBook(answer);
      return true;
    }
    if (this.whole) return true; // read whole meanwhile: the book already has it
    this.book.mergeSlice(answer.text);
    const tag = { etag: answer.etag, version: answer.version, lastUpdated: slice.lastUpdated };
    this.tags.set(payor, tag);
    if (!this.asked.includes(payor)) this.asked.push(payor);
    // The fallbacks came with it: choosing them later needs no request (they keep no ETag of
    // their own, so their first refresh is a plain delta since this slice).
    for (const covered of slice.payors ?? []) {
      if (covered !== payor && !this.tags.has(covered)) this.tags.set(covered, { etag: null, version: tag.version, lastUpdated: tag.lastUpdated });
    }
    return true;
  }

  async loadWhole() {
    const answer = await loadSlice(this.session, this.site, { etag: this.wholeTag?.etag });
    if (answer.notModified || !this.book) return false;
    this.replaceBook(answer);
    return true;
  }

  replaceBook(answer) {
    const book = this.ContractBook.fromSnapshot(answer.text);
    this.book?.free();
    this.book = book;
    this.whole = true;
    this.wholeTag = { etag: answer.etag, version: answer.version };
    this.tags.clear();
    this.asked = [];
  }
}
