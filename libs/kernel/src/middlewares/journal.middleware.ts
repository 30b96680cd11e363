import type { SearchEvent } from '@nasx/contracts';
import { finalize, tap, type MonoTypeOperatorFunction } from '../rx';
import type { JournalWriter } from '../run/journal';

/** Appends every event to the run journal; closes it when the stream ends or is unsubscribed. */
export function journal(writer: JournalWriter | undefined): MonoTypeOperatorFunction<SearchEvent> {
  if (!writer) return (source) => source;
  return (source) =>
    source.pipe(
      tap((e) => writer.append(e)),
      finalize(() => writer.close()),
    );
}
