import type { QueryResult, QueryResultRow } from 'pg';

/** What a repository needs of a pool, or of a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}
