/** Where the edge sends work that must not hold up Slack's acknowledgement. */
export interface JobQueue<J> {
  /** Hands the job over; resolves once it is accepted (not when it is done). */
  send(job: J): Promise<void>;
}
