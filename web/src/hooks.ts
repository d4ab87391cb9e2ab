import { useEffect, useEffectEvent, useState } from 'react';

export interface Action {
  /** `run`'s work is under way (or done and moved on): its button is disabled. */
  busy: boolean;
  /** The last failure, for <ErrorMessage>; null once `run` starts again. */
  error: unknown;
  setError(this: void, error: unknown): void;
  run(this: void, work: () => Promise<void>): Promise<void>;
}

/**
 * What a form or a button does when sent: `run(work)` disables it and clears the last error
 * while `work` runs; a failure is kept in `error` and enables it again. After a success it stays
 * disabled, as work that moves on (signs in and navigates, leaves for Stripe, reloads the list
 * that shows it) must not be sent twice; a form that stays on the page asks for `reusable`.
 */
export function useAction({ reusable = false }: { reusable?: boolean } = {}): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      if (reusable) setBusy(false);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** Sets the document title (what a screen reader announces first on a new page). */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Creator Files` : 'Creator Files';
  }, [title]);
}

export type Loadable<T> =
  { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T };

/**
 * Loads data when `key` changes; an answer for an older key is dropped. `reload()` fetches again
 * and keeps showing the last answer until the new one arrives.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): [Loadable<T>, () => void] {
  const [generation, setGeneration] = useState(0);
  const [answer, setAnswer] = useState<{ key: string; generation: number; value: Loadable<T> }>();
  const run = useEffectEvent(load);
  useEffect(() => {
    let current = true;
    run().then(
      (data) => current && setAnswer({ key, generation, value: { status: 'ready', data } }),
      (error: unknown) =>
        current && setAnswer({ key, generation, value: { status: 'error', error } }),
    );
    return () => {
      current = false;
    };
  }, [key, generation]);
  const value: Loadable<T> = answer?.key === key ? answer.value : { status: 'loading' };
  return [value, () => setGeneration((n) => n + 1)];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface PagedList<T> {
  /** null until the first page of this key has arrived. */
  items: T[] | null;
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore(this: void): void;
  reload(this: void): void;
}

/**
 * A cursor-paged list (`{ items, nextCursor }`): the first page whenever `key` changes, the next
 * one on `loadMore()`, appended.
 */
export function usePagedList<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  key: string,
): PagedList<T> {
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<{
    key: string;
    generation: number;
    items: T[];
    nextCursor: string | null;
    error: unknown;
    loadingMore: boolean;
  }>();
  const fetchFirst = useEffectEvent(() => fetchPage(undefined));
  useEffect(() => {
    let current = true;
    fetchFirst().then(
      (page) =>
        current &&
        setState({
          key,
          generation,
          items: page.items,
          nextCursor: page.nextCursor ?? null,
          error: null,
          loadingMore: false,
        }),
      (error: unknown) =>
        current &&
        setState({ key, generation, items: [], nextCursor: null, error, loadingMore: false }),
    );
    return () => {
      current = false;
    };
  }, [key, generation]);

  const mine = state?.key === key ? state : undefined;
  const loadMore = () => {
    const cursor = mine?.nextCursor;
    if (cursor === undefined || cursor === null || mine?.loadingMore) return;
    setState((s) => s && { ...s, loadingMore: true, error: null });
    fetchPage(cursor).then(
      (page) =>
        setState((s) =>
          s?.key === key
            ? {
                ...s,
                items: [...s.items, ...page.items],
                nextCursor: page.nextCursor ?? null,
                loadingMore: false,
              }
            : s,
        ),
      (error: unknown) => setState((s) => s && { ...s, error, loadingMore: false }),
    );
  };
  return {
    items: mine?.items ?? null,
    loading: mine === undefined || mine.generation !== generation || mine.loadingMore,
    error: mine?.error ?? null,
    hasMore: mine?.nextCursor !== null && mine?.nextCursor !== undefined,
    loadMore,
    reload: () => setGeneration((n) => n + 1),
  };
}
