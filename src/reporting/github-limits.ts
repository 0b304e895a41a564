// GitHub's size limits, in one place. GitHub counts characters; a JS string's length counts
// UTF-16 code units, which is never fewer, so measuring with `.length` stays on the safe side.

/** Check run `output.summary`. */
export const checkRunSummaryMaxChars = 65_535;
/** Check run `output.text`. */
export const checkRunTextMaxChars = 65_535;
/** Check run `output.title`. */
export const checkRunTitleMaxChars = 255;
/** Issue and pull request comment body. */
export const commentBodyMaxChars = 65_536;
/** Check run `output.annotations` in one create or update request. */
export const checkRunAnnotationsMaxPerRequest = 50;
