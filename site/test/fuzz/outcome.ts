// An answer as either client read it, in the one shape the expectations judge.

export interface Outcome {
  status: number | null;
  /** the request went out on a kept-alive connection that an earlier request had used */
  reusedSocket?: boolean;
  /** that earlier request and its answer, when the connection was reused */
  previousOnSocket?: string;
  /** bytes of the status line and headers, where the client could read them */
  headerBytes?: number;
  statuses: number[];
  location: string | null;
  setsSession: boolean;
  error: string | null;
  body: string;
  setCookies: string[];
}
