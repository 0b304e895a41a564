/** What started a run; stored with it. */
export type RunTrigger = {
  kind: "comment";
  commentId: number;
  /** The issue or pull request the comment is on. */
  issueNumber: number;
  isPullRequest: boolean;
  sender: string;
};
